{#- DuckDB: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql). -#}

{% macro duckdb__safe_cast(field, type) -%}
  {#- DuckDB has a cast that yields null instead of failing -#}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}
