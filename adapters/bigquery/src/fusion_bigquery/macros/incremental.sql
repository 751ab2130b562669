{#- BigQuery incremental strategies (dbt-bigquery's): `merge` (the default) updates rows by
    unique_key; `insert_overwrite` replaces whole partitions: those listed in `partitions`
    (static), else those present in the new rows (dynamic, found by a script variable). -#}

{% macro bigquery__get_incremental_default_sql(arg_dict) %}
  {% do return(get_incremental_merge_sql(arg_dict)) %}
{% endmacro %}

{% macro bigquery__get_incremental_insert_overwrite_sql(arg_dict) %}
  {%- set partition = bigquery_partition_by() -%}
  {%- if partition is none -%}
    {{ exceptions.raise_compiler_error("incremental_strategy 'insert_overwrite' needs the partition_by config") }}
  {%- endif -%}
  {%- set target, source = arg_dict["target_relation"], arg_dict["temp_relation"] -%}
  {%- set replaced = bigquery_partition_expression(partition, 'dbt_internal_dest') -%}
  {%- set partitions = config.get('partitions') -%}
  {%- if partitions -%}
    {%- set predicates = [replaced ~ ' in (' ~ partitions | join(', ') ~ ')'] -%}
    {% do return(get_insert_overwrite_merge_sql(target, source, arg_dict["dest_columns"], predicates)) %}
  {%- endif -%}
  {%- set script -%}
declare dbt_partitions_for_replacement array<{{ partition['data_type'] }}>;
set dbt_partitions_for_replacement = (
  select array_agg(distinct {{ bigquery_partition_expression(partition) }}) from {{ source }}
);
{{ get_insert_overwrite_merge_sql(target, source, arg_dict["dest_columns"],
                                  [replaced ~ ' in unnest(dbt_partitions_for_replacement)']) }}
  {%- endset -%}
  {% do return(script) %}
{% endmacro %}
