{#- Running SQL from templates: statement blocks, run_query, results. -#}

{% macro statement(name=None, fetch_result=False, auto_begin=True, language='sql') -%}
  {%- if execute -%}
    {%- set sql_text = caller() -%}
    {%- set response, table = adapter.execute(sql_text, auto_begin=auto_begin, fetch=fetch_result) -%}
    {%- if name is not none -%}
      {{- store_result(name, response=response, agate_table=table) -}}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro run_query(sql) %}
  {% call statement("run_query_statement", fetch_result=true, auto_begin=false) %}{{ sql }}{% endcall %}
  {% do return(load_result("run_query_statement").table) %}
{% endmacro %}

{% macro is_incremental() %}
  {#- true when an incremental model already has its table and no full refresh was asked for -#}
  {% if not execute %}
    {{ return(false) }}
  {% endif %}
  {% set existing = adapter.get_relation(this.database, this.schema, this.identifier) %}
  {{ return(existing is not none
            and existing.type == 'table'
            and model.config.materialized == 'incremental'
            and not should_full_refresh()) }}
{% endmacro %}

{% macro should_full_refresh() %}
  {% set configured = config.get('full_refresh') %}
  {% if configured is none %}
    {{ return(flags.FULL_REFRESH) }}
  {% endif %}
  {{ return(configured) }}
{% endmacro %}
