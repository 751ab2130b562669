{#- Trino's catalog: every catalog has its own information_schema (an unqualified one is the
    session's catalog's); Trino folds names to lower case, so names are compared lower-cased. -#}

{% macro trino__information_schema_name(database) -%}
  {%- if database -%}{{ adapter.quote(database | lower) }}.information_schema{%- else -%}information_schema{%- endif -%}
{%- endmacro %}

{% macro trino__list_relations_sql(schema_relation) -%}
  {#- materialized views are listed as tables; system.metadata.materialized_views names them -#}
  select t.table_name, case when mv.name is not null then 'materialized_view'
                            when t.table_type = 'VIEW' then 'view' else 'table' end
  from {{ information_schema_name(schema_relation.database) }}.tables t
  left join (select catalog_name, schema_name, name from system.metadata.materialized_views
             where catalog_name = {{ adapter.quote_string((schema_relation.database or target.database) | lower) }}
               and schema_name = {{ adapter.quote_string(schema_relation.schema | lower) }}) mv
    on mv.schema_name = t.table_schema and mv.name = t.table_name
  where t.table_schema = {{ adapter.quote_string(schema_relation.schema | lower) }}
{%- endmacro %}

{% macro trino__columns_sql(relation) -%}
  {#- (name, type) of each column, in order; the adapter reads sizes out of the type -#}
  select column_name, data_type
  from {{ information_schema_name(relation.database) }}.columns
  where table_schema = {{ adapter.quote_string((relation.schema or target.schema) | lower) }}
    and table_name = {{ adapter.quote_string((relation.identifier or '') | lower) }}
  order by ordinal_position
{%- endmacro %}

{% macro trino__list_schemas(database) -%}
  {{ return(run_query("select schema_name from " ~ information_schema_name(database) ~ ".schemata")) }}
{%- endmacro %}

{% macro trino__check_schema_exists(information_schema, schema) -%}
  {{ return(run_query("select count(*) from " ~ information_schema_name(information_schema.database)
                      ~ ".schemata where schema_name = " ~ adapter.quote_string(schema | lower))) }}
{%- endmacro %}

{% macro trino__list_relations_without_caching(schema_relation) -%}
  {% set sql %}
    select {{ adapter.quote_string(schema_relation.database) }} as database, table_name as name,
           table_schema as schema, case when table_type = 'VIEW' then 'view' else 'table' end as type
    from {{ information_schema_name(schema_relation.database) }}.tables
    where table_schema = {{ adapter.quote_string(schema_relation.schema | lower) }}
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}
