{#- Model contracts, for create macros written the dbt way. (The built-in table materialization
    checks contracts and builds contracted tables itself: see fusion.materializations.contracts.) -#}

{% macro get_assert_columns_equivalent(sql) -%}
  {{ adapter.dispatch('get_assert_columns_equivalent', 'dbt')(sql) }}
{%- endmacro %}

{% macro default__get_assert_columns_equivalent(sql) -%}
  {{ return(assert_columns_equivalent(sql)) }}
{%- endmacro %}

{% macro assert_columns_equivalent(sql) -%}
  {#- fail unless the query returns exactly the model's declared columns, with the same types
      (as the database spells them) -#}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set sql_columns = get_column_schema_from_query(sql, config.get('sql_header')) -%}
  {%- set yaml_columns = get_column_schema_from_query(get_empty_schema_sql(model['columns'])) -%}
  {%- set have, want = [], [] -%}
  {%- for column in sql_columns %}{% do have.append((column.name ~ ' ' ~ column.dtype) | lower) %}{% endfor -%}
  {%- for column in yaml_columns %}{% do want.append((column.name ~ ' ' ~ column.dtype) | lower) %}{% endfor -%}
  {%- if have | sort != want | sort -%}
    {{ exceptions.raise_contract_error(yaml_columns, sql_columns) }}
  {%- endif -%}
  {{ return('') }}
{%- endmacro %}

{% macro get_table_columns_and_constraints() -%}
  {{ adapter.dispatch('get_table_columns_and_constraints', 'dbt')() }}
{%- endmacro %}

{% macro default__get_table_columns_and_constraints() -%}
  {{ return(table_columns_and_constraints()) }}
{%- endmacro %}

{% macro table_columns_and_constraints() -%}
  {#- `(column type constraints, ..., table constraints)` for a contracted `create table` -#}
  {%- set parts = adapter.render_raw_columns_constraints(raw_columns=model['columns'])
                  + adapter.render_raw_model_constraints(raw_constraints=config.get('constraints') or model.get('constraints')) -%}
  ({{ parts | join(', ') }})
{%- endmacro %}

{% macro get_select_subquery(sql) -%}
  {{ return(adapter.dispatch('get_select_subquery', 'dbt')(sql)) }}
{%- endmacro %}

{% macro default__get_select_subquery(sql) -%}
  {#- the declared columns, in declared order, from the model's query -#}
  select
  {%- for name, column in model['columns'].items() %} {{ adapter.quote(column['name']) if column.get('quote') else column['name'] }}{{ "," if not loop.last }}{% endfor %}
  from (
{{ sql }}
  ) as model_subq
{%- endmacro %}
