{#- DDL the materializations ask for by name. Adapters override `<adapter>__<name>`. -#}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
  {{ adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, sql) -%}
  create {% if temporary %}temporary {% endif %}table {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro get_create_table_as_sql(temporary, relation, sql) -%}
  {{ create_table_as(temporary, relation, sql) }}
{%- endmacro %}

{% macro create_view_as(relation, sql) -%}
  {{ adapter.dispatch('create_view_as', 'dbt')(relation, sql) }}
{%- endmacro %}

{% macro default__create_view_as(relation, sql) -%}
  create view {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
  {{ create_view_as(relation, sql) }}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) %}
  {% if relation is not none %}{{ adapter.drop_relation(relation) }}{% endif %}
{% endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') %}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{% endmacro %}

{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') %}
  {{ return(make_temp_relation(base_relation, suffix)) }}
{% endmacro %}

{% macro make_backup_relation(base_relation, backup_relation_type, suffix='__dbt_backup') %}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix},
                                      type=backup_relation_type)) }}
{% endmacro %}

{% macro load_cached_relation(relation) %}
  {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier)) }}
{% endmacro %}

{% macro load_relation(relation) %}
  {{ return(load_cached_relation(relation)) }}
{% endmacro %}

{% macro get_or_create_relation(database, schema, identifier, type) %}
  {% set found = adapter.get_relation(database, schema, identifier) %}
  {% if found %}{{ return([true, found]) }}{% endif %}
  {{ return([false, api.Relation.create(database=database, schema=schema, identifier=identifier, type=type)]) }}
{% endmacro %}

{% macro truncate_relation(relation) -%}
  {{ adapter.dispatch('truncate_relation', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__truncate_relation(relation) -%}
  truncate table {{ relation }}
{%- endmacro %}

{% macro create_seed_table(relation, columns_ddl) -%}
  {{ adapter.dispatch('create_seed_table', 'dbt')(relation, columns_ddl) }}
{%- endmacro %}

{% macro default__create_seed_table(relation, columns_ddl) -%}
  {#- the empty table a seed's rows are loaded into -#}
  create table {{ relation }} ({{ columns_ddl }})
{%- endmacro %}

{% macro create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {{ adapter.dispatch('create_table_with_columns', 'dbt')(relation, columns_ddl, column_names, sql) }}
{%- endmacro %}

{% macro default__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {#- a contracted table: declared columns and constraints first, then the rows -#}
  create table {{ relation }} ({{ columns_ddl }});
  insert into {{ relation }} ({{ column_names | join(', ') }})
  select {{ column_names | join(', ') }} from (
{{ sql }}
  ) as model_subq
{%- endmacro %}

{% macro alter_relation_comment(relation, comment) -%}
  {{ adapter.dispatch('alter_relation_comment', 'dbt')(relation, comment) }}
{%- endmacro %}

{% macro default__alter_relation_comment(relation, comment) -%}
  comment on {{ 'view' if relation.type == 'view' else 'table' }} {{ relation }} is {{ adapter.quote_string(comment) }}
{%- endmacro %}

{% macro alter_column_comment(relation, column_name, comment) -%}
  {{ adapter.dispatch('alter_column_comment', 'dbt')(relation, column_name, comment) }}
{%- endmacro %}

{% macro default__alter_column_comment(relation, column_name, comment) -%}
  comment on column {{ relation }}.{{ adapter.quote(column_name) }} is {{ adapter.quote_string(comment) }}
{%- endmacro %}

{% macro get_grant_sql(relation, privilege, grantees) -%}
  {{ adapter.dispatch('get_grant_sql', 'dbt')(relation, privilege, grantees) }}
{%- endmacro %}

{% macro default__get_grant_sql(relation, privilege, grantees) -%}
  grant {{ privilege }} on {{ relation }} to {{ grantees | join(', ') }}
{%- endmacro %}

{% macro get_create_materialized_view_as_sql(relation, sql) -%}
  {{ adapter.dispatch('get_create_materialized_view_as_sql', 'dbt')(relation, sql) }}
{%- endmacro %}

{% macro default__get_create_materialized_view_as_sql(relation, sql) -%}
  create materialized view {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro refresh_materialized_view(relation) -%}
  {{ adapter.dispatch('refresh_materialized_view', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__refresh_materialized_view(relation) -%}
  refresh materialized view {{ relation }}
{%- endmacro %}
