{#- Trino: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql),
    giving what dbt-trino's give. -#}

{% macro trino__type_string() %}{{ return('varchar') }}{% endmacro %}
{% macro trino__type_float() %}{{ return('double') }}{% endmacro %}
{% macro trino__type_numeric() %}{{ return('decimal(28, 6)') }}{% endmacro %}

{% macro trino__current_timestamp_backcompat() -%}
  {{ return('cast(current_timestamp as timestamp)') }}
{%- endmacro %}

{% macro trino__dateadd(datepart, interval, from_date_or_timestamp) -%}
  date_add('{{ datepart | lower }}', {{ interval }}, {{ _as_timestamp_if_literal(from_date_or_timestamp) }})
{%- endmacro %}

{% macro trino__datediff(first_date, second_date, datepart) -%}
  {#- the number of `datepart` boundaries crossed going from first_date to second_date (weeks
      start on Monday); Trino's date_diff counts whole units, so both ends are truncated first -#}
  {%- set a = 'cast(' ~ first_date ~ ' as timestamp)' -%}
  {%- set b = 'cast(' ~ second_date ~ ' as timestamp)' -%}
  {%- set part = datepart | lower -%}
  {%- if part == 'year' -%} (year({{ b }}) - year({{ a }}))
  {%- elif part == 'quarter' -%} ((year({{ b }}) - year({{ a }})) * 4 + quarter({{ b }}) - quarter({{ a }}))
  {%- elif part == 'month' -%} ((year({{ b }}) - year({{ a }})) * 12 + month({{ b }}) - month({{ a }}))
  {%- elif part in ('week', 'day', 'hour', 'minute', 'second', 'millisecond') -%}
    date_diff('{{ part }}', date_trunc('{{ part }}', {{ a }}), date_trunc('{{ part }}', {{ b }}))
  {%- else -%}
    {{ exceptions.raise_compiler_error("datediff: unsupported datepart for Trino: " ~ datepart) }}
  {%- endif -%}
{%- endmacro %}

{% macro trino__safe_cast(field, type) -%}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro trino__hash(field) -%}
  lower(to_hex(md5(to_utf8(cast({{ field }} as varchar)))))
{%- endmacro %}

{% macro trino__right(string_text, length_expression) -%}
  case when {{ length_expression }} = 0 then '' else substr({{ string_text }}, -1 * ({{ length_expression }})) end
{%- endmacro %}

{% macro trino__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set values = 'array_agg(' ~ measure ~ (' ' ~ order_by_clause if order_by_clause else '') ~ ')' -%}
  array_join({% if limit_num %}slice({{ values }}, 1, {{ limit_num }}){% else %}{{ values }}{% endif %}, {{ delimiter_text }})
{%- endmacro %}

{% macro trino__any_value(expression) -%}
  min({{ expression }})
{%- endmacro %}

{% macro trino__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}
    array[{{ inputs | join(', ') }}]
  {%- else -%}
    cast(array[] as array({{ data_type }}))
  {%- endif -%}
{%- endmacro %}

{% macro trino__array_append(array, new_element) -%}
  concat({{ array }}, array[{{ new_element }}])
{%- endmacro %}

{% macro trino__array_concat(array_1, array_2) -%}
  concat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}
