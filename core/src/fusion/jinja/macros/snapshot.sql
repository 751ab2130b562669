{#- Snapshots (type-2 slowly changing dimensions). A strategy macro returns a dict of SQL
    expressions; the staging query finds inserts, updates and deletes against the current rows;
    the merge closes changed rows and inserts new versions. -#}

{% macro snapshot_hash_arguments(args) -%}
  {{ adapter.dispatch('snapshot_hash_arguments', 'dbt')(args) }}
{%- endmacro %}

{% macro default__snapshot_hash_arguments(args) -%}
  md5({%- for arg in args -%}coalesce(cast({{ arg }} as varchar), ''){% if not loop.last %} || '|' || {% endif %}{%- endfor -%})
{%- endmacro %}

{% macro snapshot_get_time() -%}
  {{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
{%- endmacro %}

{% macro default__snapshot_get_time() -%}
  cast(current_timestamp as timestamp)
{%- endmacro %}

{% macro snapshot_unique_key_expr(unique_key, prefix='') -%}
  {%- if unique_key is string -%}{{ prefix }}{{ unique_key }}
  {%- else -%}{%- for key in unique_key -%}{{ prefix }}{{ key }}{{ " || '|' || " if not loop.last }}{%- endfor -%}{%- endif -%}
{%- endmacro %}

{% macro snapshot_timestamp_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {% set updated_at = config.require('updated_at') %}
  {% set key = snapshot_unique_key_expr(config.require('unique_key')) %}
  {% set columns = config.get('snapshot_meta_column_names') or {} %}
  {% set valid_from = columns.get('dbt_valid_from', 'dbt_valid_from') %}
  {% do return({
      "unique_key": key,
      "updated_at": updated_at,
      "row_changed": "(snapshotted_data." ~ valid_from ~ " < source_data." ~ updated_at ~ ")",
      "scd_id": snapshot_hash_arguments([key, updated_at]),
      "invalidate_at": snapshot_get_time(),
  }) %}
{% endmacro %}

{% macro snapshot_check_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {#- check_cols 'all' arrives here already expanded to the source query's columns -#}
  {% set check_cols = model_config.get('check_cols') %}
  {% set key = snapshot_unique_key_expr(config.require('unique_key')) %}
  {% set changed %}
    ({%- for col in check_cols -%}
      snapshotted_data.{{ col }} != source_data.{{ col }}
      or (snapshotted_data.{{ col }} is null) != (source_data.{{ col }} is null)
      {%- if not loop.last %} or {% endif -%}
    {%- endfor -%})
  {% endset %}
  {% set now = snapshot_get_time() %}
  {% do return({
      "unique_key": key,
      "updated_at": now,
      "row_changed": changed,
      "scd_id": snapshot_hash_arguments([key, now]),
      "invalidate_at": now,
  }) %}
{% endmacro %}

{% macro build_snapshot_table(strategy, sql) %}
  {{ return(adapter.dispatch('build_snapshot_table', 'dbt')(strategy, sql)) }}
{% endmacro %}

{% macro default__build_snapshot_table(strategy, sql) %}
  {%- set columns = config.get('snapshot_meta_column_names') or {} -%}
  {%- set current = config.get('dbt_valid_to_current') -%}
  select *,
      {{ strategy.scd_id }} as {{ columns.get('dbt_scd_id', 'dbt_scd_id') }},
      {{ strategy.updated_at }} as {{ columns.get('dbt_updated_at', 'dbt_updated_at') }},
      {{ strategy.updated_at }} as {{ columns.get('dbt_valid_from', 'dbt_valid_from') }},
      {{ current if current else "nullif(" ~ strategy.updated_at ~ ", " ~ strategy.updated_at ~ ")" }} as {{ columns.get('dbt_valid_to', 'dbt_valid_to') }}
      {%- if config.get('hard_deletes') == 'new_record' %},
      'False' as {{ columns.get('dbt_is_deleted', 'dbt_is_deleted') }}
      {%- endif %}
  from (
{{ sql }}
  ) sbq
{% endmacro %}

{% macro snapshot_staging_table(strategy, source_sql, target_relation) -%}
  {{ adapter.dispatch('snapshot_staging_table', 'dbt')(strategy, source_sql, target_relation) }}
{%- endmacro %}

{% macro default__snapshot_staging_table(strategy, source_sql, target_relation) -%}
  {%- set names = config.get('snapshot_meta_column_names') or {} -%}
  {%- set scd_id = names.get('dbt_scd_id', 'dbt_scd_id') -%}
  {%- set updated_at = names.get('dbt_updated_at', 'dbt_updated_at') -%}
  {%- set valid_from = names.get('dbt_valid_from', 'dbt_valid_from') -%}
  {%- set valid_to = names.get('dbt_valid_to', 'dbt_valid_to') -%}
  {%- set is_deleted = names.get('dbt_is_deleted', 'dbt_is_deleted') -%}
  {%- set current = config.get('dbt_valid_to_current') -%}
  {%- set hard_deletes = config.get('hard_deletes') or 'ignore' -%}
  {%- set new_record = hard_deletes == 'new_record' -%}
with snapshot_query as (
{{ source_sql }}
),
snapshotted_data as (
    select *, {{ strategy.unique_key }} as dbt_unique_key
    from {{ target_relation }}
    where {% if current %}({{ valid_to }} = {{ current }} or {{ valid_to }} is null){% else %}{{ valid_to }} is null{% endif %}
),
insertions_source_data as (
    select *, {{ strategy.unique_key }} as dbt_unique_key,
        {{ strategy.updated_at }} as {{ updated_at }},
        {{ strategy.updated_at }} as {{ valid_from }},
        {{ current if current else "nullif(" ~ strategy.updated_at ~ ", " ~ strategy.updated_at ~ ")" }} as {{ valid_to }},
        {{ strategy.scd_id }} as {{ scd_id }}
    from snapshot_query
),
updates_source_data as (
    select *, {{ strategy.unique_key }} as dbt_unique_key,
        {{ strategy.updated_at }} as {{ updated_at }},
        {{ strategy.updated_at }} as {{ valid_from }},
        {{ strategy.updated_at }} as {{ valid_to }}
    from snapshot_query
),
insertions as (
    select 'insert' as dbt_change_type, {% for col in strategy.source_columns %}source_data.{{ col }}, {% endfor %}
        source_data.{{ updated_at }}, source_data.{{ valid_from }}, source_data.{{ valid_to }}, source_data.{{ scd_id }}
        {%- if new_record %}, 'False' as {{ is_deleted }}{% endif %}
    from insertions_source_data as source_data
    left outer join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
    where snapshotted_data.dbt_unique_key is null
       or ({{ strategy.row_changed }}
           {%- if new_record %} or snapshotted_data.{{ is_deleted }} = 'True'{% endif %})
),
updates as (
    select 'update' as dbt_change_type, {% for col in strategy.source_columns %}source_data.{{ col }}, {% endfor %}
        source_data.{{ updated_at }}, source_data.{{ valid_from }}, source_data.{{ valid_to }}, snapshotted_data.{{ scd_id }}
        {%- if new_record %}, snapshotted_data.{{ is_deleted }}{% endif %}
    from updates_source_data as source_data
    join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
    where {{ strategy.row_changed }}
       {%- if new_record %} or snapshotted_data.{{ is_deleted }} = 'True'{% endif %}
)
{%- if hard_deletes in ('invalidate', 'new_record') %},
deletes as (
    select 'delete' as dbt_change_type, {% for col in strategy.source_columns %}snapshotted_data.{{ col }}, {% endfor %}
        {{ strategy.invalidate_at }} as {{ updated_at }}, {{ strategy.invalidate_at }} as {{ valid_from }},
        {{ strategy.invalidate_at }} as {{ valid_to }}, snapshotted_data.{{ scd_id }}
        {%- if new_record %}, snapshotted_data.{{ is_deleted }}{% endif %}
    from snapshotted_data
    left join snapshot_query as source_data on snapshotted_data.dbt_unique_key = {{ snapshot_unique_key_expr(config.get('unique_key'), 'source_data.') }}
    where {{ snapshot_unique_key_expr(config.get('unique_key'), 'source_data.') }} is null
      {%- if new_record %} and snapshotted_data.{{ is_deleted }} = 'False'{% endif %}
)
{%- endif %}
{%- if new_record %},
deletion_records as (
    select 'insert' as dbt_change_type, {% for col in strategy.source_columns %}snapshotted_data.{{ col }}, {% endfor %}
        {{ strategy.invalidate_at }} as {{ updated_at }}, {{ strategy.invalidate_at }} as {{ valid_from }},
        {{ current if current else "cast(null as timestamp)" }} as {{ valid_to }},
        {{ snapshot_hash_arguments(['snapshotted_data.dbt_unique_key', strategy.invalidate_at]) }} as {{ scd_id }},
        'True' as {{ is_deleted }}
    from snapshotted_data
    left join snapshot_query as source_data on snapshotted_data.dbt_unique_key = {{ snapshot_unique_key_expr(config.get('unique_key'), 'source_data.') }}
    where {{ snapshot_unique_key_expr(config.get('unique_key'), 'source_data.') }} is null
      and snapshotted_data.{{ is_deleted }} = 'False'
)
{%- endif %}
select * from insertions
union all
select * from updates
{%- if hard_deletes in ('invalidate', 'new_record') %}
union all
select * from deletes
{%- endif %}
{%- if new_record %}
union all
select * from deletion_records
{%- endif %}
{%- endmacro %}

{% macro snapshot_merge_sql(target, source, insert_cols) -%}
  {{ adapter.dispatch('snapshot_merge_sql', 'dbt')(target, source, insert_cols) }}
{%- endmacro %}

{% macro default__snapshot_merge_sql(target, source, insert_cols) -%}
  {%- set names = config.get('snapshot_meta_column_names') or {} -%}
  {%- set scd_id = names.get('dbt_scd_id', 'dbt_scd_id') -%}
  {%- set valid_to = names.get('dbt_valid_to', 'dbt_valid_to') -%}
  {%- set current = config.get('dbt_valid_to_current') -%}
  {%- set cols = insert_cols | join(', ') -%}
update {{ target }}
set {{ valid_to }} = dbt_internal_source.{{ valid_to }}
from {{ source }} as dbt_internal_source
where dbt_internal_source.{{ scd_id }} = {{ target }}.{{ scd_id }}
  and dbt_internal_source.dbt_change_type in ('update', 'delete')
  and {% if current %}({{ target }}.{{ valid_to }} = {{ current }} or {{ target }}.{{ valid_to }} is null){% else %}{{ target }}.{{ valid_to }} is null{% endif %};

insert into {{ target }} ({{ cols }})
select {{ cols }} from {{ source }} as dbt_internal_source
where dbt_internal_source.dbt_change_type = 'insert'
{%- endmacro %}

{% macro build_snapshot_staging_table(strategy, sql, target_relation) %}
  {#- the staging rows (snapshot_staging_table) in a temporary table; returns that relation -#}
  {%- set staged = make_temp_relation(target_relation) -%}
  {%- if strategy.source_columns is not defined -%}
    {%- set columns = [] -%}
    {%- for name in get_columns_in_query(sql) %}{% do columns.append(adapter.quote(name)) %}{% endfor -%}
    {%- set strategy = dict(strategy, source_columns=columns) -%}
  {%- endif -%}
  {% call statement('build_snapshot_staging_relation') %}
    {{ create_table_as(True, staged, snapshot_staging_table(strategy, sql, target_relation)) }}
  {% endcall %}
  {% do return(staged) %}
{% endmacro %}
