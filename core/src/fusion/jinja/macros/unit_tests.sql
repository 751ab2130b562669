{#- Unit-test SQL, for unit-test materializations written in Jinja. (The built-in unit-test
    runner builds fixtures itself: see fusion.execution.unit_test.) -#}

{% macro get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
  {{ adapter.dispatch('get_unit_test_sql', 'dbt')(main_sql, expected_fixture_sql, expected_column_names) }}
{%- endmacro %}

{% macro default__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
  {#- the model's rows tagged 'actual' followed by the expected rows tagged 'expected' -#}
  {%- set columns = expected_column_names | join(', ') -%}
with dbt_internal_unit_test_actual as (
  select {{ columns }}, {{ dbt.string_literal("actual") }} as {{ adapter.quote("actual_or_expected") }}
  from (
{{ main_sql }}
  ) _dbt_internal_unit_test_actual
),
dbt_internal_unit_test_expected as (
  select {{ columns }}, {{ dbt.string_literal("expected") }} as {{ adapter.quote("actual_or_expected") }}
  from (
{{ expected_fixture_sql }}
  ) _dbt_internal_unit_test_expected
)
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{%- endmacro %}

{% macro validate_fixture_rows(rows, row_number) -%}
  {{ return(adapter.dispatch('validate_fixture_rows', 'dbt')(rows, row_number)) }}
{%- endmacro %}

{% macro default__validate_fixture_rows(rows, row_number) -%}
  {#- adapters may reject fixtures they cannot represent; by default every row is fine -#}
{%- endmacro %}

{% macro format_row(row, column_name_to_data_types) -%}
  {#- {column: SQL literal cast to the column's type}, column names matched case-insensitively -#}
  {%- set formatted = {} -%}
  {%- for name, value in row.items() -%}
    {%- set key = name | lower -%}
    {%- if key not in column_name_to_data_types -%}
      {{ exceptions.raise_compiler_error("Invalid column name: '" ~ key ~ "' in unit test fixture for '" ~ model.name
         ~ "'. Accepted columns are: " ~ column_name_to_data_types.keys() | list | join(', ')) }}
    {%- endif -%}
    {%- set column_type = column_name_to_data_types[key] -%}
    {%- if value is string and 'varying' in column_type -%}{%- set column_type = column_type.split('(')[0] -%}{%- endif -%}
    {%- set literal = 'null' if value is none
                      else (dbt.string_literal(dbt.escape_single_quotes(value)) if value is string else value) -%}
    {%- do formatted.update({key: safe_cast(literal, column_type) | trim}) -%}
  {%- endfor -%}
  {{ return(formatted) }}
{%- endmacro %}

{% macro get_fixture_sql(rows, column_name_to_data_types) -%}
  {#- a query standing in for one input: one select per row, absent columns null; the column
      types come from the real relation (`this`) unless given -#}
  {%- if not column_name_to_data_types -%}
    {%- set column_name_to_data_types = {} -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
      {%- do column_name_to_data_types.update({column.name | lower: column.data_type}) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if not column_name_to_data_types -%}
    {{ exceptions.raise_compiler_error("Not able to get columns for unit test '" ~ model.name ~ "' from relation "
       ~ this ~ " because the relation doesn't exist") }}
  {%- endif -%}
  {%- set defaults = {} -%}
  {%- for name, column_type in column_name_to_data_types.items() -%}
    {%- do defaults.update({name: safe_cast('null', column_type) | trim}) -%}
  {%- endfor -%}
  {{- validate_fixture_rows(rows, none) -}}
  {%- for row in rows -%}
    {%- set values = defaults.copy() -%}
    {%- do values.update(format_row(row, column_name_to_data_types)) -%}
select {% for name, value in values.items() %}{{ value }} as {{ adapter.quote(name) }}{{ ", " if not loop.last }}{% endfor %}
    {%- if not loop.last %}
union all
{% endif -%}
  {%- endfor -%}
  {%- if not rows -%}
select {% for name, value in defaults.items() %}{{ value }} as {{ adapter.quote(name) }}{{ ", " if not loop.last }}{% endfor %}
limit 0
  {%- endif -%}
{%- endmacro %}

{% macro get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
  {#- the expected rows as a query (no rows: an empty copy of the actual result) -#}
  {%- if not rows -%}
select * from dbt_internal_unit_test_actual limit 0
  {%- endif -%}
  {%- for row in rows -%}
select {% for name, value in format_row(row, column_name_to_data_types).items() %}{{ value }} as {{ column_name_to_quoted[name] }}{{ ", " if not loop.last }}{% endfor %}
    {%- if not loop.last %}
union all
{% endif -%}
  {%- endfor -%}
{%- endmacro %}
