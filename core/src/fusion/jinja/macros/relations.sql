{#- DDL the materializations ask for by name. Adapters override `<adapter>__<name>`.
    Every create statement starts with the node's `sql_header` (see set_sql_header). -#}

{% macro set_sql_header(config) -%}
  {#- `{% call set_sql_header(config) %}...{% endcall %}`: SQL run just before the node's DDL,
      in the same statement (rendered when the file is parsed, as in dbt) -#}
  {{ config.set('sql_header', caller()) }}
{%- endmacro %}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
  {{ adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create {% if temporary %}temporary {% endif %}table {{ relation }} as (
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
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create view {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
  {{ create_view_as(relation, sql) }}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) %}
  {% if relation is not none %}{% do adapter.drop_relation(relation) %}{% endif %}
{% endmacro %}

{% macro _ddl_kind(relation) -%}
  {{ 'materialized view' if relation.is_materialized_view else ('view' if relation.is_view else 'table') }}
{%- endmacro %}

{% macro drop_relation(relation) -%}
  {{ return(adapter.dispatch('drop_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_relation(relation) -%}
  {#- through the adapter, which also keeps its relation cache (and cascaded views) in step -#}
  {% do adapter.drop_relation(relation) %}
{%- endmacro %}

{% macro get_drop_sql(relation) -%}
  {{ adapter.dispatch('get_drop_sql', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__get_drop_sql(relation) -%}
  drop {{ _ddl_kind(relation) }} if exists {{ relation.render() }} cascade
{%- endmacro %}

{% macro rename_relation(from_relation, to_relation) -%}
  {{ return(adapter.dispatch('rename_relation', 'dbt')(from_relation, to_relation)) }}
{%- endmacro %}

{% macro default__rename_relation(from_relation, to_relation) -%}
  {% do adapter.rename_relation(from_relation, to_relation) %}
{%- endmacro %}

{% macro get_rename_sql(relation, new_name) -%}
  {{ adapter.dispatch('get_rename_sql', 'dbt')(relation, new_name) }}
{%- endmacro %}

{% macro default__get_rename_sql(relation, new_name) -%}
  alter {{ _ddl_kind(relation) }} {{ relation.render() }} rename to {{ adapter.quote(new_name) }}
{%- endmacro %}

{% macro get_create_sql(relation, sql) -%}
  {{ adapter.dispatch('get_create_sql', 'dbt')(relation, sql) }}
{%- endmacro %}

{% macro default__get_create_sql(relation, sql) -%}
  {%- if relation.is_view -%}{{ get_create_view_as_sql(relation, sql) }}
  {%- elif relation.is_materialized_view -%}{{ get_create_materialized_view_as_sql(relation, sql) }}
  {%- elif relation.is_table -%}{{ get_create_table_as_sql(false, relation, sql) }}
  {%- else -%}{{ exceptions.raise_compiler_error("get_create_sql cannot create a relation of type " ~ relation.type) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_replace_sql(existing_relation, target_relation, sql) -%}
  {{ adapter.dispatch('get_replace_sql', 'dbt')(existing_relation, target_relation, sql) }}
{%- endmacro %}

{% macro default__get_replace_sql(existing_relation, target_relation, sql) -%}
  {#- build beside the old relation, then swap by renames: one semicolon-separated script -#}
  {%- set staged = make_intermediate_relation(target_relation) -%}
  {%- set backup = make_backup_relation(existing_relation, existing_relation.type) -%}
  {{ get_create_sql(staged, sql) }};
  {{ get_drop_sql(backup) }};
  {{ get_rename_sql(existing_relation, backup.identifier) }};
  {{ get_rename_sql(staged, target_relation.identifier) }};
  {{ get_drop_sql(backup) }}
{%- endmacro %}

{% macro handle_existing_table(full_refresh, old_relation) -%}
  {{ adapter.dispatch('handle_existing_table', 'dbt')(full_refresh, old_relation) }}
{%- endmacro %}

{% macro default__handle_existing_table(full_refresh, old_relation) -%}
  {% do adapter.drop_relation(old_relation) %}
{%- endmacro %}

{% macro create_or_replace_view() %}
  {#- the body of a view materialization for warehouses whose create_view_as replaces in place -#}
  {%- set target_relation = api.Relation.create(database=database, schema=schema, identifier=model['alias'],
                                                type='view') -%}
  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=model['alias']) -%}
  {{ run_hooks(pre_hooks) }}
  {%- if old_relation is not none and old_relation.is_table -%}
    {{ handle_existing_table(should_full_refresh(), old_relation) }}
  {%- endif -%}
  {% call statement('main') -%}
    {{ get_create_view_as_sql(target_relation, sql) }}
  {%- endcall %}
  {% do apply_grants(target_relation, config.get('grants'),
                     should_revoke=should_revoke(old_relation is not none and old_relation.is_view)) %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') %}
  {#- where create_table_as(True, ...) puts a temporary table (adapters: outside any schema) -#}
  {{ return(adapter.dispatch('make_temp_relation', 'dbt')(base_relation, suffix)) }}
{% endmacro %}

{% macro default__make_temp_relation(base_relation, suffix) %}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{% endmacro %}

{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') %}
  {#- beside the base relation, in its schema -#}
  {{ return(default__make_temp_relation(base_relation, suffix)) }}
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
  {{ return(adapter.dispatch('truncate_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__truncate_relation(relation) -%}
  {% call statement('truncate_relation') -%}
    truncate table {{ relation }}
  {%- endcall %}
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
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create table {{ relation }} ({{ columns_ddl }});
  insert into {{ relation }} ({{ column_names | join(', ') }})
  select {{ column_names | join(', ') }} from (
{{ sql }}
  ) as model_subq
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

{% macro get_create_index_sql(relation, index_dict) -%}
  {{ return(adapter.dispatch('get_create_index_sql', 'dbt')(relation, index_dict)) }}
{%- endmacro %}

{% macro default__get_create_index_sql(relation, index_dict) -%}
  {#- no indexes unless the adapter has them -#}
  {% do return(none) %}
{%- endmacro %}

{% macro create_indexes(relation) -%}
  {{ adapter.dispatch('create_indexes', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__create_indexes(relation) -%}
  {% for index in config.get('indexes') or [] %}
    {% set index_sql = get_create_index_sql(relation, index) %}
    {% if index_sql %}
      {% call statement('create_index') %}{{ index_sql }}{% endcall %}
    {% endif %}
  {% endfor %}
{%- endmacro %}
