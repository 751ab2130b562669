{#- Spark / Databricks DDL. Spark cannot roll DDL back, so relations are replaced in place:
    views with `create or replace view`, tables with `create or replace table` where the table
    format commits that atomically (Delta, Iceberg: a failed build leaves the old table), else
    dropped and created (Parquet, ORC, CSV...: as dbt-spark does). The model's own table takes
    dbt-spark's configs: file_format, partition_by, clustered_by + buckets, location_root,
    tblproperties; intermediate tables (staged rows, probes) are plain managed tables. -#}

{% macro spark__default_file_format() %}{{ return('parquet') }}{% endmacro %}
{% macro databricks__default_file_format() %}{{ return('delta') }}{% endmacro %}

{% macro spark_file_format() -%}
  {%- set configured = config.get('file_format') if config is defined else none -%}
  {{ return((configured or adapter.dispatch('default_file_format', 'dbt')()) | lower) }}
{%- endmacro %}

{% macro spark_replaces_atomically(file_format) %}
  {{ return(file_format in ['delta', 'iceberg']) }}
{% endmacro %}

{% macro spark_check_incremental_strategy() %}
  {#- refuse strategies that update rows in a format that cannot, before any DDL runs -#}
  {%- if config is defined and config.get('materialized') == 'incremental' -%}
    {%- set strategy = config.get('incremental_strategy') or ('merge' if adapter.type() == 'databricks' else 'append') -%}
    {%- set file_format = spark_file_format() -%}
    {%- if strategy in ['merge', 'delete+insert'] and file_format not in ['delta', 'iceberg', 'hudi'] -%}
      {{ exceptions.raise_compiler_error(
           (model.original_file_path ~ ": " if model is defined and model.original_file_path else "")
           ~ "incremental_strategy '" ~ strategy ~ "' updates rows in place, which file_format '" ~ file_format
           ~ "' cannot do: set file_format to delta, iceberg or hudi, or use incremental_strategy "
           ~ "'append' or 'insert_overwrite'") }}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}

{% macro spark_table_options(file_format, relation) -%}
  using {{ file_format }}
  {%- if relation is not none -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- set clustered_by = config.get('clustered_by') -%}
    {%- set location_root = config.get('location_root') -%}
    {%- set properties = config.get('tblproperties') or {} -%}
    {%- if partition_by %}
  partitioned by ({{ ([partition_by] if partition_by is string else partition_by) | join(', ') }})
    {%- endif -%}
    {%- if clustered_by %}
  clustered by ({{ ([clustered_by] if clustered_by is string else clustered_by) | join(', ') }})
  into {{ config.get('buckets') or exceptions.raise_compiler_error('clustered_by needs `buckets` (how many)') }} buckets
    {%- endif -%}
    {%- if location_root %}
  location {{ adapter.quote_string(location_root.rstrip('/') ~ '/' ~ relation.identifier) }}
    {%- endif -%}
    {%- if properties %}
  tblproperties ({% for key, value in properties.items() %}{{ adapter.quote_string(key) }} = {{ adapter.quote_string(value) }}{{ ", " if not loop.last }}{% endfor %})
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro spark_create_table(relation, body) -%}
  {#- `body` follows the table name: a column list and/or options and `as <query>` -#}
  {%- set file_format = spark_file_format() -%}
  {%- set own = this is defined and this is not none and (relation.identifier | lower) == (this.identifier | lower) -%}
  {%- if spark_replaces_atomically(file_format) -%}
  create or replace table {{ relation }}
  {%- else -%}
  drop table if exists {{ relation }};
  create table {{ relation }}
  {%- endif %}
  {{ caller(spark_table_options(file_format, relation if own else none)) }}
{%- endmacro %}

{% macro spark__create_table_as(temporary, relation, sql) -%}
  {%- do spark_check_incremental_strategy() -%}
  {%- if temporary -%}
  create or replace temporary view {{ relation.include(database=false, schema=false) }} as
{{ sql }}
  {%- else -%}
  {%- call(options) spark_create_table(relation) -%}
  {{ options }}
  as
{{ sql }}
  {%- endcall -%}
  {%- endif -%}
{%- endmacro %}

{% macro spark__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {%- call(options) spark_create_table(relation) -%}
  ({{ columns_ddl }})
  {{ options }}
  {%- endcall %};
  insert into {{ relation }} ({{ column_names | join(', ') }})
  select {{ column_names | join(', ') }} from (
{{ sql }}
  ) as model_subq
{%- endmacro %}

{% macro spark__create_seed_table(relation, columns_ddl) -%}
  {%- call(options) spark_create_table(relation) -%}
  ({{ columns_ddl }})
  {{ options }}
  {%- endcall -%}
{%- endmacro %}

{% macro spark__create_view_as(relation, sql) -%}
  create or replace view {{ relation }} as
{{ sql }}
{%- endmacro %}

{% macro spark__truncate_relation(relation) -%}
  {#- Delta tables are emptied by a delete (open-source Delta has no TRUNCATE) -#}
  {% call statement('truncate_relation') -%}
  {%- if spark_file_format() in ['delta', 'iceberg', 'hudi'] -%}
  delete from {{ relation }}
  {%- else -%}
  truncate table {{ relation }}
  {%- endif -%}
  {%- endcall %}
{%- endmacro %}

{% macro spark__alter_relation_comment(relation, comment) -%}
  comment on table {{ relation }} is {{ adapter.quote_string(comment) }}
{%- endmacro %}

{% macro spark__alter_column_comment(relation, column_dict) -%}
  {%- for name, column in column_dict.items() if column.get('description') -%}
  alter table {{ relation }} alter column {{ adapter.quote(column.get('name') or name) }} comment {{ adapter.quote_string(column['description']) }}
  {{- ";\n" if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{% macro spark__get_grant_sql(relation, privilege, grantees) -%}
  {#- principals such as users' e-mail addresses are quoted identifiers in Spark SQL -#}
  grant {{ privilege }} on {{ 'view' if relation.type == 'view' else 'table' }} {{ relation }} to
  {%- for grantee in grantees %} {{ adapter.quote(grantee) }}{{ "," if not loop.last }}{% endfor %}
{%- endmacro %}
