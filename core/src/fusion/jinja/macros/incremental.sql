{#- Incremental strategies. Each `get_incremental_<strategy>_sql(arg_dict)` returns the SQL that
    moves rows from the temporary relation into the target. -#}

{% macro get_incremental_append_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_append_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_append_sql(arg_dict) %}
  {% do return(get_insert_into_sql(arg_dict["target_relation"], arg_dict["temp_relation"], arg_dict["dest_columns"])) %}
{% endmacro %}

{% macro get_incremental_delete_insert_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_delete_insert_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_delete_insert_sql(arg_dict) %}
  {% do return(get_delete_insert_merge_sql(arg_dict["target_relation"], arg_dict["temp_relation"],
        arg_dict["unique_key"], arg_dict["dest_columns"], arg_dict["incremental_predicates"])) %}
{% endmacro %}

{% macro get_incremental_merge_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_merge_sql(arg_dict) %}
  {% do return(get_merge_sql(arg_dict["target_relation"], arg_dict["temp_relation"],
        arg_dict["unique_key"], arg_dict["dest_columns"], arg_dict["incremental_predicates"])) %}
{% endmacro %}

{% macro get_insert_into_sql(target, source, dest_columns) -%}
  {%- set cols = dest_columns | map(attribute='quoted') | join(', ') -%}
  insert into {{ target }} ({{ cols }})
  (select {{ cols }} from {{ source }})
{%- endmacro %}

{% macro get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {{ adapter.dispatch('get_delete_insert_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {%- if keys -%}
    delete from {{ target }}
    where
    {%- if keys | length == 1 %} ({{ keys[0] }}) in (select ({{ keys[0] }}) from {{ source }})
    {%- else %} exists (select 1 from {{ source }} as dbt_internal_source where
      {%- for key in keys %} dbt_internal_source.{{ key }} = {{ target }}.{{ key }}{{ " and" if not loop.last }}{% endfor %})
    {%- endif %}
    {%- for predicate in incremental_predicates or [] %} and {{ predicate }}{% endfor %};
  {% endif -%}
  {{ get_insert_into_sql(target, source, dest_columns) }}
{%- endmacro %}

{% macro get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {{ adapter.dispatch('get_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {#- column names compare case-insensitively: the catalog may spell them in upper case -#}
  {%- set update_columns = config.get('merge_update_columns') -%}
  {%- set update_columns = none if update_columns is none else update_columns | map('lower') | list -%}
  {%- set exclude_columns = (config.get('merge_exclude_columns') or []) | map('lower') | list -%}
  {%- set cols = dest_columns | map(attribute='quoted') | join(', ') -%}
  {%- if not keys -%}
    {{ get_insert_into_sql(target, source, dest_columns) }}
  {%- else -%}
  merge into {{ target }} as dbt_internal_dest
  using {{ source }} as dbt_internal_source
  on {% for key in keys %}dbt_internal_source.{{ key }} = dbt_internal_dest.{{ key }}{{ " and " if not loop.last }}{% endfor %}
  {%- for predicate in incremental_predicates or [] %} and {{ predicate }}{% endfor %}
  when matched then update set
  {%- for col in dest_columns if (update_columns is none or col.name | lower in update_columns)
                                 and col.name | lower not in exclude_columns %}
    {{ col.quoted }} = dbt_internal_source.{{ col.quoted }}{{ "," if not loop.last }}
  {%- endfor %}
  when not matched then insert ({{ cols }})
  values ({% for col in dest_columns %}dbt_internal_source.{{ col.quoted }}{{ ", " if not loop.last }}{% endfor %})
  {%- endif -%}
{%- endmacro %}
