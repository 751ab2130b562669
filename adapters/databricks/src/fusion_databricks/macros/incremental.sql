{#- Spark incremental strategies (dbt-spark's): `append` inserts the new rows, `insert_overwrite`
    replaces the partitions present in the new rows (the whole table without partition_by),
    `merge` and `delete+insert` update rows by unique_key and need a format that can do it
    (Delta, Iceberg, Hudi: spark_check_incremental_strategy refuses the others before any DDL). -#}

{% macro spark_insert_sql(target, source, dest_columns, overwrite=false) -%}
  {%- set cols = dest_columns | map(attribute='quoted') | join(', ') -%}
  insert {{ 'overwrite' if overwrite else 'into' }} table {{ target }}
  select {{ cols }} from {{ source }}
{%- endmacro %}

{% macro spark__get_incremental_append_sql(arg_dict) %}
  {% do return(spark_insert_sql(arg_dict["target_relation"], arg_dict["temp_relation"], arg_dict["dest_columns"])) %}
{% endmacro %}

{% macro get_incremental_insert_overwrite_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_insert_overwrite_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{% macro spark__get_incremental_insert_overwrite_sql(arg_dict) %}
  {#- without dynamic mode Spark would drop every partition, not only those being written -#}
  {%- set dynamic = 'set spark.sql.sources.partitionOverwriteMode = dynamic;\n' if config.get('partition_by') else '' -%}
  {% do return(dynamic ~ spark_insert_sql(arg_dict["target_relation"], arg_dict["temp_relation"],
                                          arg_dict["dest_columns"], overwrite=true)) %}
{% endmacro %}

{% macro spark__get_incremental_delete_insert_sql(arg_dict) %}
  {#- the rows whose keys arrive are deleted by a merge (Delta's DELETE takes no subquery) -#}
  {%- set target, source = arg_dict["target_relation"], arg_dict["temp_relation"] -%}
  {%- set unique_key = arg_dict["unique_key"] -%}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {%- set delete -%}
  merge into {{ target }} as dbt_internal_dest
  using (select distinct {{ keys | join(', ') }} from {{ source }}) as dbt_internal_source
  on {% for key in keys %}dbt_internal_source.{{ key }} = dbt_internal_dest.{{ key }}{{ " and " if not loop.last }}{% endfor %}
  {%- for predicate in arg_dict["incremental_predicates"] or [] %} and {{ predicate }}{% endfor %}
  when matched then delete;
  {% endset -%}
  {% do return((delete if keys else '') ~ spark_insert_sql(target, source, arg_dict["dest_columns"])) %}
{% endmacro %}

{% macro databricks__get_incremental_default_sql(arg_dict) %}
  {#- dbt-databricks's default strategy is merge (its tables are Delta); dbt-spark's is append -#}
  {% do return(get_incremental_merge_sql(arg_dict)) %}
{% endmacro %}
