{#- PostgreSQL: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql). -#}

{% macro postgres__any_value(expression) -%}
  {#- any_value() arrived in PostgreSQL 16; min() picks one of the group's values everywhere -#}
  min({{ expression }})
{%- endmacro %}

{% macro postgres__current_timestamp_backcompat() -%}
  {{ return('current_timestamp::' ~ type_timestamp()) }}
{%- endmacro %}

{% macro postgres__current_timestamp_in_utc_backcompat() -%}
  {{ return("(current_timestamp at time zone 'utc')::" ~ type_timestamp()) }}
{%- endmacro %}
