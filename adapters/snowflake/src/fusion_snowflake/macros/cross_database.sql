{#- Snowflake: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql). -#}

{% macro snowflake__timestamp_if_literal(expression) -%}
  {#- a quoted literal ('2024-01-01') read as a timestamp, as the core's defaults read it -#}
  {%- set text = (expression ~ '') | trim -%}
  {{ 'cast(' ~ text ~ ' as timestamp_ntz)' if text.startswith("'") else text }}
{%- endmacro %}

{% macro snowflake__type_timestamp() %}{{ return('timestamp_ntz') }}{% endmacro %}

{% macro snowflake__current_timestamp() -%}
  {{ return('convert_timezone(\'UTC\', current_timestamp())') }}
{%- endmacro %}

{% macro snowflake__dateadd(datepart, interval, from_date_or_timestamp) -%}
  dateadd({{ datepart }}, {{ interval }}, {{ snowflake__timestamp_if_literal(from_date_or_timestamp) }})
{%- endmacro %}

{% macro snowflake__datediff(first_date, second_date, datepart) -%}
  {#- Snowflake's datediff counts the datepart boundaries crossed, as dbt's macro does -#}
  datediff({{ datepart }}, {{ snowflake__timestamp_if_literal(first_date) }}, {{ snowflake__timestamp_if_literal(second_date) }})
{%- endmacro %}

{% macro snowflake__safe_cast(field, type) -%}
  {#- try_cast reads text only -#}
  try_cast(cast({{ field }} as varchar) as {{ type }})
{%- endmacro %}

{% macro snowflake__split_part(string_text, delimiter_text, part_number) -%}
  {#- counts from the end for a negative part number, and gives '' past either end -#}
  split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{% macro snowflake__escape_single_quotes(expression) -%}
  {#- a backslash starts an escape sequence in Snowflake's string literals -#}
  {{ (expression ~ '') | replace("\\", "\\\\") | replace("'", "''") }}
{%- endmacro %}

{% macro snowflake__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set ordering = ' within group (' ~ order_by_clause ~ ')' if order_by_clause else '' -%}
  {%- if limit_num -%}
    array_to_string(array_slice(array_agg({{ measure }}){{ ordering }}, 0, {{ limit_num }}), {{ delimiter_text }})
  {%- else -%}
    listagg({{ measure }}, {{ delimiter_text }}){{ ordering }}
  {%- endif -%}
{%- endmacro %}

{% macro snowflake__bool_or(expression) -%}
  boolor_agg({{ expression }})
{%- endmacro %}

{% macro snowflake__array_construct(inputs, data_type) -%}
  array_construct({{ inputs | join(', ') }})
{%- endmacro %}
