{#- Schemas, catalog queries and columns. Introspection goes through `statement`/`run_query`, so
    nothing reaches the warehouse while parsing (execute is false), as in dbt. -#}

{% macro create_schema(relation) -%}
  {{ adapter.dispatch('create_schema', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__create_schema(relation) -%}
  {#- through the adapter, which remembers the schemas it made (and names them as the database wants) -#}
  {% do adapter.create_schema(relation) %}
{%- endmacro %}

{% macro drop_schema(relation) -%}
  {{ adapter.dispatch('drop_schema', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__drop_schema(relation) -%}
  {% do adapter.drop_schema(relation) %}
{%- endmacro %}

{% macro drop_schema_named(schema_name) -%}
  {% do adapter.drop_schema(api.Relation.create(database=target.database, schema=schema_name)) %}
{%- endmacro %}

{% macro information_schema_name(database) -%}
  {{ return(adapter.dispatch('information_schema_name', 'dbt')(database)) }}
{%- endmacro %}

{% macro default__information_schema_name(database) -%}
  information_schema
{%- endmacro %}

{% macro list_schemas(database) -%}
  {{ return(adapter.dispatch('list_schemas', 'dbt')(database)) }}
{%- endmacro %}

{% macro default__list_schemas(database) -%}
  {% set sql %}
    select distinct schema_name from information_schema.schemata
    {%- if database %} where lower(catalog_name) = lower({{ adapter.quote_string(database) }}){% endif %}
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro check_schema_exists(information_schema, schema) -%}
  {{ return(adapter.dispatch('check_schema_exists', 'dbt')(information_schema, schema)) }}
{%- endmacro %}

{% macro default__check_schema_exists(information_schema, schema) -%}
  {#- a one-cell table: how many schemas of that name the database has -#}
  {% set sql %}
    select count(*) from information_schema.schemata
    where lower(schema_name) = lower({{ adapter.quote_string(schema) }})
    {%- if information_schema.database %}
      and lower(catalog_name) = lower({{ adapter.quote_string(information_schema.database) }})
    {%- endif %}
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro list_relations_without_caching(schema_relation) -%}
  {{ return(adapter.dispatch('list_relations_without_caching', 'dbt')(schema_relation)) }}
{%- endmacro %}

{% macro default__list_relations_without_caching(schema_relation) -%}
  {#- a table of (database, name, schema, type) for every table and view in the schema -#}
  {% set sql %}
    select {{ adapter.quote_string(schema_relation.database) }} as database, table_name as name,
           table_schema as schema,
           case when table_type = 'VIEW' then 'view' else 'table' end as type
    from information_schema.tables
    where lower(table_schema) = lower({{ adapter.quote_string(schema_relation.schema) }})
    {%- if schema_relation.database %}
      and lower(table_catalog) = lower({{ adapter.quote_string(schema_relation.database) }})
    {%- endif %}
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro get_relations() -%}
  {{ return(adapter.dispatch('get_relations', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_relations() -%}
  {{ exceptions.raise_not_implemented('get_relations is not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_catalog(information_schema, schemas) -%}
  {{ return(adapter.dispatch('get_catalog', 'dbt')(information_schema, schemas)) }}
{%- endmacro %}

{% macro default__get_catalog(information_schema, schemas) -%}
  {#- one row per column of every table and view in `schemas`, with the columns of dbt's catalog -#}
  {% set sql %}
    select t.table_catalog as table_database, t.table_schema, t.table_name,
           case when t.table_type = 'VIEW' then 'VIEW' else 'BASE TABLE' end as table_type,
           cast(null as {{ dbt.type_string() }}) as table_comment,
           c.column_name, c.ordinal_position as column_index, c.data_type as column_type,
           cast(null as {{ dbt.type_string() }}) as column_comment,
           cast(null as {{ dbt.type_string() }}) as table_owner
    from information_schema.tables t
    join information_schema.columns c
      on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema and c.table_name = t.table_name
    where lower(t.table_schema) in (
      {%- for schema in schemas %}lower({{ adapter.quote_string(schema) }}){{ ", " if not loop.last }}{% endfor -%}
    )
    {%- if information_schema.database %}
      and lower(t.table_catalog) = lower({{ adapter.quote_string(information_schema.database) }})
    {%- endif %}
    order by t.table_schema, t.table_name, c.ordinal_position
  {% endset %}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro get_catalog_relations(information_schema, relations) -%}
  {{ return(adapter.dispatch('get_catalog_relations', 'dbt')(information_schema, relations)) }}
{%- endmacro %}

{% macro default__get_catalog_relations(information_schema, relations) -%}
  {{ exceptions.raise_not_implemented('get_catalog_relations is not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_relation_last_modified(information_schema, relations) -%}
  {{ return(adapter.dispatch('get_relation_last_modified', 'dbt')(information_schema, relations)) }}
{%- endmacro %}

{% macro default__get_relation_last_modified(information_schema, relations) -%}
  {#- neither DuckDB nor PostgreSQL records when a table last changed -#}
  {{ exceptions.raise_not_implemented('get_relation_last_modified is not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_columns_in_relation(relation) -%}
  {{ return(adapter.dispatch('get_columns_in_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_columns_in_relation(relation) -%}
  {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}

{% macro sql_convert_columns_in_relation(table) -%}
  {#- rows of (name, type, char size, precision, scale) as api.Column objects -#}
  {% set columns = [] %}
  {% for row in table %}{% do columns.append(api.Column(*row)) %}{% endfor %}
  {{ return(columns) }}
{%- endmacro %}

{% macro get_list_of_column_names(columns) -%}
  {{ return(columns | map(attribute='name') | list) }}
{%- endmacro %}

{% macro get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
  {{ return(adapter.dispatch('get_empty_subquery_sql', 'dbt')(select_sql, select_sql_header)) }}
{%- endmacro %}

{% macro default__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
  {{ select_sql_header ~ "\n" if select_sql_header is not none }}select * from (
{{ select_sql }}
  ) as __dbt_sbq
  where false
  limit 0
{%- endmacro %}

{% macro get_empty_schema_sql(columns) -%}
  {{ return(adapter.dispatch('get_empty_schema_sql', 'dbt')(columns)) }}
{%- endmacro %}

{% macro default__get_empty_schema_sql(columns) -%}
  {#- a query with no rows whose columns have the declared names and types -#}
  {%- set untyped = [] -%}
  {%- for name in columns if not columns[name].get('data_type') -%}{% do untyped.append(columns[name]['name']) %}{%- endfor -%}
  {%- if untyped -%}{{ exceptions.column_type_missing(column_names=untyped) }}{%- endif -%}
  select
  {%- for name in columns %}
    {%- set column = columns[name] %}
    {{ cast('null', column['data_type']) }} as {{ adapter.quote(column['name']) if column.get('quote') else column['name'] }}
    {{- ", " if not loop.last }}
  {%- endfor %}
{%- endmacro %}

{% macro get_column_schema_from_query(select_sql, select_sql_header=none) -%}
  {#- the header runs first in the same transaction; the query itself reads no rows -#}
  {{ return(adapter.get_column_schema_from_query(get_empty_subquery_sql(select_sql), select_sql_header)) }}
{%- endmacro %}

{% macro get_columns_in_query(select_sql) -%}
  {{ return(adapter.dispatch('get_columns_in_query', 'dbt')(select_sql)) }}
{%- endmacro %}

{% macro default__get_columns_in_query(select_sql) -%}
  {#- the names of the query's columns (an empty list while parsing) -#}
  {% if not execute %}{{ return([]) }}{% endif %}
  {% call statement('get_columns_in_query', fetch_result=True, auto_begin=False) -%}
    {{ get_empty_subquery_sql(select_sql) }}
  {%- endcall %}
  {{ return(load_result('get_columns_in_query').table.column_names | list) }}
{%- endmacro %}

{% macro alter_column_type(relation, column_name, new_column_type) -%}
  {{ return(adapter.dispatch('alter_column_type', 'dbt')(relation, column_name, new_column_type)) }}
{%- endmacro %}

{% macro default__alter_column_type(relation, column_name, new_column_type) -%}
  {#- a new column of the new type takes the values, then the old one's place and name
      (so any cast the database can do works, and the column moves to the end) -#}
  {%- set column = adapter.quote(column_name) -%}
  {%- set staged = adapter.quote(column_name ~ "__dbt_alter") -%}
  {% call statement('alter_column_type') %}
    alter table {{ relation.render() }} add column {{ staged }} {{ new_column_type }};
    update {{ relation.render() }} set {{ staged }} = {{ column }};
    alter table {{ relation.render() }} drop column {{ column }} cascade;
    alter table {{ relation.render() }} rename column {{ staged }} to {{ column }}
  {% endcall %}
{%- endmacro %}

{% macro alter_relation_add_remove_columns(relation, add_columns=none, remove_columns=none) -%}
  {{ return(adapter.dispatch('alter_relation_add_remove_columns', 'dbt')(relation, add_columns, remove_columns)) }}
{%- endmacro %}

{% macro default__alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {#- one statement per column: DuckDB takes a single change per `alter table` -#}
  {% for column in add_columns or [] %}
    {% call statement('alter_relation_add_column') -%}
      alter table {{ relation.render() }} add column {{ column.quoted }} {{ column.expanded_data_type }}
    {%- endcall %}
  {% endfor %}
  {% for column in remove_columns or [] %}
    {% call statement('alter_relation_remove_column') -%}
      alter table {{ relation.render() }} drop column {{ column.quoted }}
    {%- endcall %}
  {% endfor %}
{%- endmacro %}

{% macro collect_freshness(source, loaded_at_field, filter) -%}
  {{ return(adapter.dispatch('collect_freshness', 'dbt')(source, loaded_at_field, filter)) }}
{%- endmacro %}

{% macro default__collect_freshness(source, loaded_at_field, filter) -%}
  {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
    select max({{ loaded_at_field }}) as max_loaded_at, {{ current_timestamp() }} as snapshotted_at
    from {{ source }}
    {%- if filter %} where {{ filter }}{% endif %}
  {%- endcall %}
  {{ return(load_result('collect_freshness')) }}
{%- endmacro %}

{% macro collect_freshness_custom_sql(source, loaded_at_query) -%}
  {{ return(adapter.dispatch('collect_freshness_custom_sql', 'dbt')(source, loaded_at_query)) }}
{%- endmacro %}

{% macro default__collect_freshness_custom_sql(source, loaded_at_query) -%}
  {% call statement('collect_freshness_custom_sql', fetch_result=True, auto_begin=False) -%}
    select ({{ loaded_at_query }}) as max_loaded_at, {{ current_timestamp() }} as snapshotted_at
  {%- endcall %}
  {{ return(load_result('collect_freshness_custom_sql')) }}
{%- endmacro %}

{% macro validate_sql(sql) -%}
  {{ return(adapter.dispatch('validate_sql', 'dbt')(sql)) }}
{%- endmacro %}

{% macro default__validate_sql(sql) -%}
  {#- the database plans the query without running it; an invalid query fails here -#}
  {% call statement('validate_sql') -%}
    explain {{ sql }}
  {%- endcall %}
  {{ return(load_result('validate_sql')) }}
{%- endmacro %}

{% macro get_show_sql(compiled_code, sql_header, limit) -%}
  {{ sql_header ~ "\n" if sql_header is not none }}{{ get_limit_subquery_sql(compiled_code, limit) }}
{%- endmacro %}

{% macro get_limit_subquery_sql(sql, limit) -%}
  {{ adapter.dispatch('get_limit_sql', 'dbt')(sql, limit) }}
{%- endmacro %}

{% macro default__get_limit_sql(sql, limit) -%}
  {{ sql }}
  {%- if limit is not none %}
  limit {{ limit }}
  {%- endif -%}
{%- endmacro %}
