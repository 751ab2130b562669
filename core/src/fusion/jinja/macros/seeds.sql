{#- Seed helpers, for seed materializations written in Jinja. (The built-in seed materialization
    bulk-loads the CSV itself and does not call them.) `agate_table` is load_agate_table(). -#}

{% macro get_batch_size() -%}
  {{ return(adapter.dispatch('get_batch_size', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_batch_size() -%}
  {{ return(10000) }}
{%- endmacro %}

{% macro get_binding_char() -%}
  {{ return(adapter.dispatch('get_binding_char', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_binding_char() -%}
  {#- Fusion sends seed values as literals, not bound parameters; kept for macros that ask -#}
  {{ return('%s') }}
{%- endmacro %}

{% macro get_seed_column_quoted_csv(model, column_names) -%}
  {%- set quote_config = model['config'].get('quote_columns') -%}
  {%- set quoted = [] -%}
  {%- for name in column_names %}{% do quoted.append(adapter.quote_seed_column(name, quote_config)) %}{% endfor -%}
  {{ return(quoted | join(', ')) }}
{%- endmacro %}

{% macro create_csv_table(model, agate_table) -%}
  {{ return(adapter.dispatch('create_csv_table', 'dbt')(model, agate_table)) }}
{%- endmacro %}

{% macro default__create_csv_table(model, agate_table) -%}
  {#- create the seed's table (types from `column_types`, else inferred from the CSV); returns the SQL -#}
  {%- set overrides = model['config'].get('column_types') or {} -%}
  {%- set quote_config = model['config'].get('quote_columns') -%}
  {% set sql %}
    create table {{ this.render() }} (
      {%- for name in agate_table.column_names %}
        {{ adapter.quote_seed_column(name, quote_config) }} {{ overrides.get(name) or adapter.convert_type(agate_table, loop.index0) }}
        {{- "," if not loop.last }}
      {%- endfor %}
    )
  {% endset %}
  {% call statement('_') %}{{ sql }}{% endcall %}
  {{ return(sql) }}
{%- endmacro %}

{% macro reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {{ return(adapter.dispatch('reset_csv_table', 'dbt')(model, full_refresh, old_relation, agate_table)) }}
{%- endmacro %}

{% macro default__reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {#- a full refresh drops and recreates the table; otherwise its rows are removed -#}
  {%- if full_refresh -%}
    {%- do adapter.drop_relation(old_relation) -%}
    {{ return(create_csv_table(model, agate_table)) }}
  {%- endif -%}
  {%- do adapter.truncate_relation(old_relation) -%}
  {{ return("truncate table " ~ old_relation.render()) }}
{%- endmacro %}

{% macro load_csv_rows(model, agate_table) -%}
  {{ return(adapter.dispatch('load_csv_rows', 'dbt')(model, agate_table)) }}
{%- endmacro %}

{% macro default__load_csv_rows(model, agate_table) -%}
  {#- insert the rows in batches of get_batch_size(), each value a literal cast to its column's
      type; returns the first statement -#}
  {%- set overrides = model['config'].get('column_types') or {} -%}
  {%- set types = [] -%}
  {%- for name in agate_table.column_names -%}
    {%- do types.append(overrides.get(name) or adapter.convert_type(agate_table, loop.index0)) -%}
  {%- endfor -%}
  {%- set columns = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
  {%- set statements = [] -%}
  {%- for batch in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} ({{ columns }}) values
      {%- for row in batch %}
        ({% for value in row %}{{ 'null' if value is none else 'cast(' ~ adapter.quote_string(value | string) ~ ' as ' ~ types[loop.index0] ~ ')' }}{{ ", " if not loop.last }}{% endfor %})
        {{- "," if not loop.last }}
      {%- endfor %}
    {%- endset -%}
    {% call statement('_') %}{{ sql }}{% endcall %}
    {%- do statements.append(sql) -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro get_csv_sql(create_or_truncate_sql, insert_sql) -%}
  {{ adapter.dispatch('get_csv_sql', 'dbt')(create_or_truncate_sql, insert_sql) }}
{%- endmacro %}

{% macro default__get_csv_sql(create_or_truncate_sql, insert_sql) -%}
  {{ create_or_truncate_sql }};
  {{ insert_sql }}
{%- endmacro %}
