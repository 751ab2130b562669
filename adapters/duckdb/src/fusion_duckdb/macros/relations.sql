{#- DuckDB: views are replaced in place; temporary tables live outside any schema. -#}

{% macro duckdb__create_view_as(relation, sql) -%}
  create or replace view {{ relation }} as (
{{ sql }}
  )
{%- endmacro %}

{% macro duckdb__create_table_as(temporary, relation, sql) -%}
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

{% macro duckdb__get_grant_sql(relation, privilege, grantees) -%}
  {#- DuckDB has no users or roles: grants are accepted and have nothing to apply -#}
{%- endmacro %}
