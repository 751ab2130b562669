{#- DuckDB: views are replaced in place; temporary tables live outside any schema. -#}

{% macro duckdb__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create or replace view {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro duckdb__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}
  {%- if temporary -%}
  create temporary table {{ relation.include(database=false, schema=false) }} as (
{{ sql }}
  )
  {%- else -%}
  create table {{ relation }} as (
{{ sql }}
  )
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
  {#- DuckDB has no users or roles: grants are accepted and have nothing to apply -#}
{%- endmacro %}

{% macro duckdb__get_incremental_default_sql(arg_dict) %}
  {#- delete+insert (which only inserts when there is no unique_key) -#}
  {% do return(get_incremental_delete_insert_sql(arg_dict)) %}
{% endmacro %}

{% macro duckdb__make_temp_relation(base_relation, suffix) %}
  {#- temporary tables live in the session's own schema: named alone, made unique by the time -#}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix ~ py_current_timestring(),
                                            "schema": none, "database": none})) }}
{% endmacro %}
