{#- Snowflake dynamic tables (materialized='dynamic_table'). Configs: target_lag ('5 minutes' or
    'downstream'), snowflake_warehouse, refresh_mode (AUTO, FULL, INCREMENTAL), initialize
    (ON_CREATE, ON_SCHEDULE), scheduler, cluster_by. -#}

{% macro snowflake__target_lag() -%}
  {%- set lag = config.get('target_lag') -%}
  {{- 'downstream' if (lag | lower) == 'downstream' else "'" ~ lag ~ "'" -}}
{%- endmacro %}

{% macro get_create_dynamic_table_as_sql(relation, sql) -%}
  {{ adapter.dispatch('get_create_dynamic_table_as_sql', 'dbt')(relation, sql) }}
{%- endmacro %}

{% macro snowflake__get_create_dynamic_table_as_sql(relation, sql) -%}
  {%- set keys = snowflake__cluster_keys() -%}
  create or replace dynamic table {{ relation }}
  {%- if config.get('target_lag') %}
    target_lag = {{ snowflake__target_lag() }}
  {%- endif %}
    warehouse = {{ config.get('snowflake_warehouse') }}
  {%- for key in ('refresh_mode', 'initialize', 'scheduler') if config.get(key) %}
    {{ key }} = {{ config.get(key) }}
  {%- endfor %}
  {%- if keys %}
    cluster by ({{ keys }})
  {%- endif %}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro get_alter_dynamic_table_sql(relation) -%}
  {{ adapter.dispatch('get_alter_dynamic_table_sql', 'dbt')(relation) }}
{%- endmacro %}

{% macro snowflake__get_alter_dynamic_table_sql(relation) -%}
  {#- the settings ALTER can change in place; a changed query or refresh_mode needs --full-refresh -#}
  alter dynamic table {{ relation }} set
  {%- if config.get('target_lag') %} target_lag = {{ snowflake__target_lag() }}{% endif %}
    warehouse = {{ config.get('snowflake_warehouse') }}
{%- endmacro %}

{% macro refresh_dynamic_table(relation) -%}
  {{ adapter.dispatch('refresh_dynamic_table', 'dbt')(relation) }}
{%- endmacro %}

{% macro snowflake__refresh_dynamic_table(relation) -%}
  alter dynamic table {{ relation }} refresh
{%- endmacro %}
