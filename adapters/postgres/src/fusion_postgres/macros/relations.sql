{#- PostgreSQL: temporary tables live in the session's own schema, so they are named without
    database or schema; `unlogged` tables skip the write-ahead log, and `indexes` are created
    on the new table before it is swapped in (dbt-postgres's configs). PostgreSQL names the
    indexes itself. -#}

{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {%- set unlogged = config.get('unlogged', false) -%}
  {{ sql_header ~ "\n" if sql_header }}
  {%- if temporary -%}
  create temporary table {{ relation.include(database=false, schema=false) }} as (
{{ sql }}
  )
  {%- else -%}
  create {% if unlogged %}unlogged {% endif %}table {{ relation }} as (
{{ sql }}
  )
  {%- for index in config.get('indexes') or [] %};
  {{ get_create_index_sql(relation, index) }}
  {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  create {% if index_dict.get('unique') %}unique {% endif %}index on {{ relation }}
  {%- if index_dict.get('type') %} using {{ index_dict['type'] }}{% endif %} ({{ index_dict['columns'] | join(', ') }})
{%- endmacro %}

{% macro postgres__get_incremental_default_sql(arg_dict) %}
  {#- delete+insert with a unique_key, else append -#}
  {% if arg_dict["unique_key"] %}
    {% do return(get_incremental_delete_insert_sql(arg_dict)) %}
  {% endif %}
  {% do return(get_incremental_append_sql(arg_dict)) %}
{% endmacro %}

{% macro postgres__copy_grants() -%}
  {#- a relation rebuilt by rename-and-swap starts without grants -#}
  {{ return(false) }}
{%- endmacro %}

{% macro postgres__get_show_grant_sql(relation) -%}
  {#- grants this role gave others on the relation, as (grantee, privilege_type) -#}
  select grantee, privilege_type
  from information_schema.role_table_grants
  where grantor = current_role and grantee != current_role
    and table_schema = {{ adapter.quote_string(relation.schema) }}
    and table_name = {{ adapter.quote_string(relation.identifier) }}
{%- endmacro %}

{% macro postgres__list_schemas(database) -%}
  {#- one database per connection: every schema of it, including those this role cannot use -#}
  {{ return(run_query("select distinct nspname as schema_name from pg_catalog.pg_namespace")) }}
{%- endmacro %}

{% macro postgres__check_schema_exists(information_schema, schema) -%}
  {{ return(run_query("select count(*) from pg_catalog.pg_namespace where nspname = "
                      ~ adapter.quote_string(schema))) }}
{%- endmacro %}

{% macro postgres__list_relations_without_caching(schema_relation) -%}
  {% set sql %}
    select {{ adapter.quote_string(schema_relation.database) }} as database, c.relname as name,
           n.nspname as schema,
           case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' else 'table' end as type
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = {{ adapter.quote_string(schema_relation.schema) }} and c.relkind in ('r', 'p', 'v', 'm', 'f')
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro postgres__make_temp_relation(base_relation, suffix) %}
  {#- temporary tables live in the session's own schema: named alone, made unique by the time -#}
  {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix ~ py_current_timestring(),
                                            "schema": none, "database": none})) }}
{% endmacro %}
