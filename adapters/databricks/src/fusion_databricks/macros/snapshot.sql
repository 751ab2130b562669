{#- Spark and Databricks: snapshot row ids hash the key parts cast to Spark's `string` (a bare
    `varchar` needs a length there). -#}

{% macro spark__snapshot_hash_arguments(args) -%}
  md5({%- for arg in args -%}coalesce(cast({{ arg }} as string), ''){% if not loop.last %} || '|' || {% endif %}{%- endfor -%})
{%- endmacro %}
