{#- BigQuery: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql),
    in BigQuery's dialect as dbt-bigquery documents them. -#}

{% macro bigquery__type_string() %}{{ return('string') }}{% endmacro %}
{% macro bigquery__type_float() %}{{ return('float64') }}{% endmacro %}
{% macro bigquery__type_numeric() %}{{ return('numeric') }}{% endmacro %}
{% macro bigquery__type_bigint() %}{{ return('int64') }}{% endmacro %}
{% macro bigquery__type_int() %}{{ return('int64') }}{% endmacro %}
{% macro bigquery__type_boolean() %}{{ return('bool') }}{% endmacro %}
{% macro bigquery__current_timestamp() %}{{ return('current_timestamp()') }}{% endmacro %}
{% macro bigquery__except() %}{{ return('except distinct') }}{% endmacro %}
{% macro bigquery__intersect() %}{{ return('intersect distinct') }}{% endmacro %}

{% macro bigquery__dateadd(datepart, interval, from_date_or_timestamp) -%}
  datetime_add(cast({{ from_date_or_timestamp }} as datetime), interval {{ interval }} {{ datepart }})
{%- endmacro %}

{% macro bigquery__datediff(first_date, second_date, datepart) -%}
  {#- the datepart boundaries crossed (weeks start on Sunday in BigQuery) -#}
  datetime_diff(cast({{ second_date }} as datetime), cast({{ first_date }} as datetime), {{ datepart }})
{%- endmacro %}

{% macro bigquery__date_trunc(datepart, date) -%}
  timestamp_trunc(cast({{ date }} as timestamp), {{ datepart }})
{%- endmacro %}

{% macro bigquery__last_day(date, datepart) -%}
  last_day(cast({{ date }} as date), {{ datepart }})
{%- endmacro %}

{% macro bigquery__safe_cast(field, type) -%}
  safe_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro bigquery__hash(field) -%}
  to_hex(md5(cast({{ field }} as string)))
{%- endmacro %}

{% macro bigquery__split_part(string_text, delimiter_text, part_number) -%}
  {#- null past either end; a negative part number counts from the end -#}
  {%- if part_number is number and part_number < 0 -%}
  split({{ string_text }}, {{ delimiter_text }})[safe_offset(array_length(split({{ string_text }}, {{ delimiter_text }})) + ({{ part_number }}))]
  {%- else -%}
  split({{ string_text }}, {{ delimiter_text }})[safe_offset({{ part_number }} - 1)]
  {%- endif -%}
{%- endmacro %}

{% macro bigquery__escape_single_quotes(expression) -%}
  {#- a backslash starts an escape sequence in BigQuery's string literals -#}
  {{ (expression ~ '') | replace("\\", "\\\\") | replace("'", "\\'") }}
{%- endmacro %}

{% macro bigquery__position(substring_text, string_text) -%}
  instr({{ string_text }}, {{ substring_text }})
{%- endmacro %}

{% macro bigquery__right(string_text, length_expression) -%}
  case when {{ length_expression }} = 0 then '' else substr({{ string_text }}, -1 * ({{ length_expression }})) end
{%- endmacro %}

{% macro bigquery__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  string_agg({{ measure }}, {{ delimiter_text }}{{ ' ' ~ order_by_clause if order_by_clause }}{{ ' limit ' ~ limit_num if limit_num }})
{%- endmacro %}

{% macro bigquery__bool_or(expression) -%}
  logical_or({{ expression }})
{%- endmacro %}

{% macro bigquery__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}[{{ inputs | join(', ') }}]{%- else -%}array<{{ data_type }}>[]{%- endif -%}
{%- endmacro %}

{% macro bigquery__array_append(array, new_element) -%}
  array_concat({{ array }}, [{{ new_element }}])
{%- endmacro %}

{% macro bigquery__array_concat(array_1, array_2) -%}
  array_concat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}
