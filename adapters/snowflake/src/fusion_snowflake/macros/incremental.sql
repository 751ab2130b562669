{#- Snowflake: delete+insert runs in one transaction, so readers never see the rows deleted
    but not yet inserted (the adapter rolls back if a statement fails). -#}

{% macro snowflake__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  begin;
  {{ default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }};
  commit
{%- endmacro %}

{% macro snowflake__get_incremental_default_sql(arg_dict) %}
  {#- dbt-snowflake's default strategy: merge -#}
  {% do return(get_incremental_merge_sql(arg_dict)) %}
{% endmacro %}
