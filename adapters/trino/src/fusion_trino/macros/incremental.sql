{#- Trino's incremental strategies (dbt-trino's): append, delete+insert and merge as dbt's
    defaults; snapshots close changed rows with MERGE (Trino has no UPDATE ... FROM). -#}

{% macro trino__snapshot_hash_arguments(args) -%}
  lower(to_hex(md5(to_utf8(concat(
  {%- for arg in args -%}coalesce(cast({{ arg }} as varchar), ''){% if not loop.last %}, '|', {% endif %}{%- endfor -%}
  )))))
{%- endmacro %}

{% macro trino__snapshot_merge_sql(target, source, insert_cols) -%}
  {%- set names = config.get('snapshot_meta_column_names') or {} -%}
  {%- set scd_id = names.get('dbt_scd_id', 'dbt_scd_id') -%}
  {%- set valid_to = names.get('dbt_valid_to', 'dbt_valid_to') -%}
  {%- set current = config.get('dbt_valid_to_current') -%}
merge into {{ target.render() }} as dbt_internal_dest
using {{ source }} as dbt_internal_source
on dbt_internal_source.{{ scd_id }} = dbt_internal_dest.{{ scd_id }}
when matched
  and {% if current %}(dbt_internal_dest.{{ valid_to }} = {{ current }} or dbt_internal_dest.{{ valid_to }} is null){% else %}dbt_internal_dest.{{ valid_to }} is null{% endif %}
  and dbt_internal_source.dbt_change_type in ('update', 'delete')
  then update set {{ valid_to }} = dbt_internal_source.{{ valid_to }}
when not matched and dbt_internal_source.dbt_change_type = 'insert'
  then insert ({{ insert_cols | join(', ') }})
  values ({% for col in insert_cols %}dbt_internal_source.{{ col }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
