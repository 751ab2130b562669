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

{% macro get_incremental_default_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_default_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_default_sql(arg_dict) %}
  {#- the strategy used when a model names none -#}
  {% do return(get_incremental_append_sql(arg_dict)) %}
{% endmacro %}

{% macro get_incremental_insert_overwrite_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_insert_overwrite_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_insert_overwrite_sql(arg_dict) %}
  {% do return(get_insert_overwrite_merge_sql(arg_dict["target_relation"], arg_dict["temp_relation"],
        arg_dict["dest_columns"], arg_dict["incremental_predicates"])) %}
{% endmacro %}

{% macro get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header=false) -%}
  {#- delete the target rows matching `predicates` (all rows without them), insert every source row;
      needs MERGE with `when not matched by source` (PostgreSQL 17+, DuckDB 1.4+) -#}
  {%- set cols = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header and include_sql_header }}merge into {{ target }} as dbt_internal_dest
  using {{ source }} as dbt_internal_source
  on false
  when not matched by source{% if predicates %} and {{ predicates | join(' and ') }}{% endif %} then delete
  when not matched then insert ({{ cols }}) values ({{ cols }})
{%- endmacro %}

{% macro get_incremental_microbatch_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_microbatch_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro default__get_incremental_microbatch_sql(arg_dict) %}
  {{ exceptions.raise_not_implemented(
      "Fusion builds microbatch models itself (incremental_strategy='microbatch', one window per batch); "
      ~ "get_incremental_microbatch_sql has no SQL to give for adapter " ~ adapter.type()) }}
{% endmacro %}

{% macro get_quoted_csv(column_names) -%}
  {%- set quoted = [] -%}
  {%- for name in column_names %}{% do quoted.append(adapter.quote(name)) %}{% endfor -%}
  {{ return(quoted | join(', ')) }}
{%- endmacro %}

{#- on_schema_change: compare the staged rows' columns with the target's, then fail, add or sync -#}

{% macro incremental_validate_on_schema_change(on_schema_change, default='ignore') %}
  {% if on_schema_change in ['sync_all_columns', 'append_new_columns', 'fail', 'ignore'] %}
    {{ return(on_schema_change) }}
  {% endif %}
  {% do log('on_schema_change ' ~ on_schema_change ~ ' is not one of ignore, fail, append_new_columns, '
            ~ 'sync_all_columns: using ' ~ default) %}
  {{ return(default) }}
{% endmacro %}

{% macro diff_columns(source_columns, target_columns) -%}
  {#- the source columns whose name the target lacks -#}
  {%- set target_names = target_columns | map(attribute='name') | list -%}
  {{ return(source_columns | rejectattr('name', 'in', target_names) | list) }}
{%- endmacro %}

{% macro diff_column_data_types(source_columns, target_columns) -%}
  {{ return(adapter.dispatch('diff_column_data_types', 'dbt')(source_columns, target_columns)) }}
{%- endmacro %}

{% macro default__diff_column_data_types(source_columns, target_columns) -%}
  {#- [{column_name, new_type}] for columns of both whose type changed (a string that merely fits
      in the target's longer string type is no change) -#}
  {%- set changed = [] -%}
  {%- for source in source_columns -%}
    {%- set target = target_columns | selectattr('name', 'equalto', source.name) | first -%}
    {%- if target and source.expanded_data_type != target.expanded_data_type and not source.can_expand_to(target) -%}
      {%- do changed.append({'column_name': target.name, 'new_type': source.expanded_data_type}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(changed) }}
{%- endmacro %}

{% macro check_for_schema_changes(source_relation, target_relation) %}
  {{ return(adapter.dispatch('check_for_schema_changes', 'dbt')(source_relation, target_relation)) }}
{% endmacro %}

{% macro default__check_for_schema_changes(source_relation, target_relation) %}
  {% set source_columns = adapter.get_columns_in_relation(source_relation) %}
  {% set target_columns = adapter.get_columns_in_relation(target_relation) %}
  {% set source_not_in_target = diff_columns(source_columns, target_columns) %}
  {% set target_not_in_source = diff_columns(target_columns, source_columns) %}
  {% set new_target_types = diff_column_data_types(source_columns, target_columns) %}
  {{ return({
      'schema_changed': (source_not_in_target or target_not_in_source or new_target_types) | length > 0,
      'source_not_in_target': source_not_in_target,
      'target_not_in_source': target_not_in_source,
      'source_columns': source_columns,
      'target_columns': target_columns,
      'new_target_types': new_target_types,
  }) }}
{% endmacro %}

{% macro sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
  {{ return(adapter.dispatch('sync_column_schemas', 'dbt')(on_schema_change, target_relation, schema_changes_dict)) }}
{% endmacro %}

{% macro default__sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
  {% set added = schema_changes_dict['source_not_in_target'] %}
  {% if on_schema_change == 'append_new_columns' and added %}
    {% do alter_relation_add_remove_columns(target_relation, added, none) %}
  {% elif on_schema_change == 'sync_all_columns' %}
    {% set removed = schema_changes_dict['target_not_in_source'] %}
    {% if added or removed %}
      {% do alter_relation_add_remove_columns(target_relation, added, removed) %}
    {% endif %}
    {% for change in schema_changes_dict['new_target_types'] %}
      {% do alter_column_type(target_relation, change['column_name'], change['new_type']) %}
    {% endfor %}
  {% endif %}
{% endmacro %}

{% macro process_schema_changes(on_schema_change, source_relation, target_relation) %}
  {{ return(adapter.dispatch('process_schema_changes', 'dbt')(on_schema_change, source_relation, target_relation)) }}
{% endmacro %}

{% macro default__process_schema_changes(on_schema_change, source_relation, target_relation) %}
  {#- returns the columns rows are moved through ({} when changes are ignored) -#}
  {% if on_schema_change == 'ignore' %}
    {{ return({}) }}
  {% endif %}
  {% set changes = check_for_schema_changes(source_relation, target_relation) %}
  {% if changes['schema_changed'] %}
    {% if on_schema_change == 'fail' %}
      {% set parts = [] %}
      {% if changes['source_not_in_target'] %}{% do parts.append('new columns ' ~ changes['source_not_in_target'] | join(', ')) %}{% endif %}
      {% if changes['target_not_in_source'] %}{% do parts.append('missing columns ' ~ changes['target_not_in_source'] | join(', ')) %}{% endif %}
      {% if changes['new_target_types'] %}{% do parts.append('changed types ' ~ changes['new_target_types'] | map(attribute='column_name') | join(', ')) %}{% endif %}
      {{ exceptions.raise_compiler_error(
          "the source and target schemas of this incremental model are out of sync: " ~ parts | join('; ')
          ~ " (run with --full-refresh, or set on_schema_change to append_new_columns or sync_all_columns)") }}
    {% endif %}
    {% do sync_column_schemas(on_schema_change, target_relation, changes) %}
  {% endif %}
  {{ return(changes['source_columns']) }}
{% endmacro %}
