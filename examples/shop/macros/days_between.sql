{#-
  Whole days from start_expr to end_expr. Dispatched so that each adapter
  can use its own date arithmetic; DuckDB has date_diff().
-#}
{% macro shop_days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('shop_days_between', 'shop')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__shop_days_between(start_expr, end_expr) -%}
    (cast({{ end_expr }} as date) - cast({{ start_expr }} as date))
{%- endmacro %}

{% macro duckdb__shop_days_between(start_expr, end_expr) -%}
    date_diff('day', cast({{ start_expr }} as date), cast({{ end_expr }} as date))
{%- endmacro %}

{% macro spark__shop_days_between(start_expr, end_expr) -%}
    {#- Spark (and Databricks): date - date is an interval there, datediff() counts days -#}
    datediff(cast({{ end_expr }} as date), cast({{ start_expr }} as date))
{%- endmacro %}

{% macro trino__shop_days_between(start_expr, end_expr) -%}
    {#- Trino: date - date is an interval day to second; date_diff() counts days -#}
    date_diff('day', cast({{ start_expr }} as date), cast({{ end_expr }} as date))
{%- endmacro %}
