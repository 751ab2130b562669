{#- BigQuery DDL. Tables, views and materialized views are built in place with `create or replace`
    (atomic in BigQuery). The model's own relation takes dbt-bigquery's configs: partition_by
    ({field, data_type, granularity} or {field, data_type: int64, range: {start, end, interval}}),
    cluster_by (a column or a list), labels, require_partition_filter, partition_expiration_days,
    kms_key_name, hours_to_expiration, and the description with persist_docs.relation. -#}

{% macro bigquery_partition_by() -%}
  {#- the validated partition_by config with its defaults, or none -#}
  {%- set raw = config.get('partition_by') if config is defined else none -%}
  {%- if raw is none -%}{{ return(none) }}{%- endif -%}
  {%- if raw is not mapping or not raw.get('field') -%}
    {{ exceptions.raise_compiler_error("partition_by must be a mapping with a `field`, e.g. "
       ~ "{'field': 'created_at', 'data_type': 'timestamp', 'granularity': 'day'}") }}
  {%- endif -%}
  {%- set data_type = (raw.get('data_type') or 'date') | lower -%}
  {%- set granularity = (raw.get('granularity') or 'day') | lower -%}
  {%- if data_type not in ['date', 'datetime', 'timestamp', 'int64'] -%}
    {{ exceptions.raise_compiler_error("partition_by data_type must be date, datetime, timestamp or int64, got '"
       ~ data_type ~ "'") }}
  {%- endif -%}
  {%- if granularity not in ['hour', 'day', 'month', 'year'] -%}
    {{ exceptions.raise_compiler_error("partition_by granularity must be hour, day, month or year, got '"
       ~ granularity ~ "'") }}
  {%- endif -%}
  {%- set range = raw.get('range') -%}
  {%- if data_type == 'int64' and (range is not mapping or range.get('start') is none
         or range.get('end') is none or range.get('interval') is none) -%}
    {{ exceptions.raise_compiler_error("an int64 partition_by needs range: {start, end, interval}") }}
  {%- endif -%}
  {{ return({'field': raw['field'], 'data_type': data_type, 'granularity': granularity, 'range': range}) }}
{%- endmacro %}

{% macro bigquery_partition_expression(partition, alias=none) -%}
  {#- the value a row's partition is keyed by: the column, or its date/datetime/timestamp truncated -#}
  {%- set column = (alias ~ '.' if alias else '') ~ partition['field'] -%}
  {%- if partition['data_type'] == 'int64' or (partition['data_type'] == 'date' and partition['granularity'] == 'day') -%}
    {{ column }}
  {%- else -%}
    {{ partition['data_type'] }}_trunc({{ column }}, {{ partition['granularity'] }})
  {%- endif -%}
{%- endmacro %}

{% macro bigquery_partition_clause(partition) -%}
  {%- if partition['data_type'] == 'int64' -%}
  partition by range_bucket({{ partition['field'] }}, generate_array({{ partition['range']['start'] }}, {{ partition['range']['end'] }}, {{ partition['range']['interval'] }}))
  {%- else -%}
  partition by {{ bigquery_partition_expression(partition) }}
  {%- endif -%}
{%- endmacro %}

{% macro bigquery_cluster_clause() -%}
  {%- set cluster_by = config.get('cluster_by') if config is defined else none -%}
  {%- set keys = [cluster_by] if cluster_by is string else (cluster_by or []) -%}
  {%- if keys | length > 4 -%}
    {{ exceptions.raise_compiler_error("cluster_by takes at most 4 columns in BigQuery, got " ~ keys | length) }}
  {%- endif -%}
  {%- if keys %}cluster by {{ keys | join(', ') }}{% endif -%}
{%- endmacro %}

{% macro bigquery_options(kind) -%}
  {#- OPTIONS(...) for the model's own table ('table') or view ('view', 'materialized_view') -#}
  {%- set opts = {} -%}
  {%- if config.persist_relation_docs() and model is defined and model.description -%}
    {%- do opts.update({'description': adapter.quote_string(model.description)}) -%}
  {%- endif -%}
  {%- set labels = dict(config.get('labels') or {}) -%}
  {%- if config.get('labels_from_meta') and model is defined -%}
    {%- do labels.update(model.get('meta') or {}) -%}
  {%- endif -%}
  {%- if labels -%}
    {%- set pairs = [] -%}
    {%- for key, value in labels.items() -%}
      {%- do pairs.append('(' ~ adapter.quote_string(key) ~ ', ' ~ adapter.quote_string(value ~ '') ~ ')') -%}
    {%- endfor -%}
    {%- do opts.update({'labels': '[' ~ pairs | join(', ') ~ ']'}) -%}
  {%- endif -%}
  {%- if config.get('hours_to_expiration') is not none and kind != 'materialized_view' -%}
    {%- do opts.update({'expiration_timestamp': 'timestamp_add(current_timestamp(), interval '
                        ~ config.get('hours_to_expiration') ~ ' hour)'}) -%}
  {%- endif -%}
  {%- if kind == 'table' -%}
    {%- if config.get('require_partition_filter') is not none -%}
      {%- do opts.update({'require_partition_filter': config.get('require_partition_filter') | string | lower}) -%}
    {%- endif -%}
    {%- if config.get('partition_expiration_days') is not none -%}
      {%- do opts.update({'partition_expiration_days': config.get('partition_expiration_days')}) -%}
    {%- endif -%}
    {%- if config.get('kms_key_name') -%}
      {%- do opts.update({'kms_key_name': adapter.quote_string(config.get('kms_key_name'))}) -%}
    {%- endif -%}
  {%- elif kind == 'materialized_view' -%}
    {%- for key in ['enable_refresh', 'allow_non_incremental_definition'] if config.get(key) is not none -%}
      {%- do opts.update({key: config.get(key) | string | lower}) -%}
    {%- endfor -%}
    {%- if config.get('refresh_interval_minutes') is not none -%}
      {%- do opts.update({'refresh_interval_minutes': config.get('refresh_interval_minutes')}) -%}
    {%- endif -%}
    {%- if config.get('max_staleness') -%}
      {%- do opts.update({'max_staleness': config.get('max_staleness')}) -%}
    {%- endif -%}
  {%- endif -%}
  {%- if opts -%}
  options({% for key, value in opts.items() %}{{ key }}={{ value }}{{ ', ' if not loop.last }}{% endfor %})
  {%- endif -%}
{%- endmacro %}

{% macro bigquery_is_own(relation, staged=false) -%}
  {#- whether `relation` is the model's own (with `staged`: or its staged copy `<name>__dbt_tmp`) -#}
  {%- set own = (this.identifier | lower) if this is defined and this is not none else none -%}
  {%- set name = (relation.identifier or '') | lower -%}
  {{ return(own is not none and (name == own or (staged and name == own ~ '__dbt_tmp'))) }}
{%- endmacro %}

{% macro bigquery_table_clauses(relation, kind='table') -%}
  {#- partitioning and clustering for the model's table and its staged rows; options for the table only -#}
  {%- set partition = bigquery_partition_by() if bigquery_is_own(relation, staged=true) else none -%}
  {%- set clauses = [bigquery_partition_clause(partition) if partition else '',
                     bigquery_cluster_clause() if bigquery_is_own(relation, staged=true) else '',
                     bigquery_options(kind) if bigquery_is_own(relation) else ''] -%}
  {%- for clause in clauses if clause | trim %}
  {{ clause | trim }}
  {%- endfor -%}
{%- endmacro %}

{% macro bigquery__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') if config is defined else none -%}
  {{ sql_header ~ "\n" if sql_header }}create or replace table {{ relation }}{{ bigquery_table_clauses(relation) }}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro bigquery__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {#- a contracted table: declared columns filled by the model's rows in one statement -#}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create or replace table {{ relation }} ({{ columns_ddl }}){{ bigquery_table_clauses(relation) }}
  as (
    select {{ column_names | join(', ') }} from (
{{ sql }}
    ) as model_subq
  )
{%- endmacro %}

{% macro bigquery__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header') if config is defined else none -%}
  {{ sql_header ~ "\n" if sql_header }}create or replace view {{ relation }}
  {%- if bigquery_is_own(relation) and bigquery_options('view') | trim %}
  {{ bigquery_options('view') | trim }}
  {%- endif %}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro bigquery__get_create_materialized_view_as_sql(relation, sql) -%}
  create or replace materialized view {{ relation }}{{ bigquery_table_clauses(relation, 'materialized_view') }}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro bigquery__refresh_materialized_view(relation) -%}
  call bq.refresh_materialized_view({{ adapter.quote_string(relation.database ~ '.' ~ relation.schema ~ '.' ~ relation.identifier) }})
{%- endmacro %}

{% macro bigquery__create_seed_table(relation, columns_ddl) -%}
  create or replace table {{ relation }} ({{ columns_ddl }})
{%- endmacro %}

{% macro bigquery__alter_relation_comment(relation, comment) -%}
  alter {{ 'materialized view' if relation.is_materialized_view else ('view' if relation.is_view else 'table') }} {{ relation }} set options(description={{ adapter.quote_string(comment) }})
{%- endmacro %}

{% macro bigquery__alter_column_comment(relation, column_dict) -%}
  {#- column descriptions are column options; BigQuery sets them on tables and views alike -#}
  {%- set kind = 'view' if relation.is_view else ('materialized view' if relation.is_materialized_view else 'table') -%}
  {%- for name, column in column_dict.items() if column.get('description') -%}
  alter {{ kind }} {{ relation }} alter column {{ adapter.quote(column.get('name') or name) }} set options(description={{ adapter.quote_string(column['description']) }})
  {{- ";\n" if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{% macro bigquery__persist_docs(relation, model, for_relation, for_columns) -%}
  {#- the relation's description is one of its DDL's options; columns get theirs afterwards -#}
  {{ return(default__persist_docs(relation, model, false, for_columns)) }}
{%- endmacro %}
