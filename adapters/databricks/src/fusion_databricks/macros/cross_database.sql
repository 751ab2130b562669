{#- Spark SQL: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql). -#}

{% macro spark__type_string() %}{{ return('string') }}{% endmacro %}
{% macro spark__type_float() %}{{ return('double') }}{% endmacro %}
{% macro spark__type_numeric() %}{{ return('decimal(28,6)') }}{% endmacro %}
{% macro spark__current_timestamp() %}{{ return('current_timestamp()') }}{% endmacro %}

{% macro spark__concat(fields) -%}
  concat({{ fields | join(', ') }})
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
  timestampadd({{ datepart }}, {{ interval }}, {{ _as_timestamp_if_literal(from_date_or_timestamp) }})
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
  {#- the number of `datepart` boundaries crossed going from first_date to second_date (weeks
      start on Monday); date - date is an interval in Spark, so days come from datediff() -#}
  {%- set a = 'cast(' ~ first_date ~ ' as timestamp)' -%}
  {%- set b = 'cast(' ~ second_date ~ ' as timestamp)' -%}
  {%- set part = datepart | lower -%}
  {%- macro crossed(unit, seconds) -%}
    cast((unix_micros(date_trunc('{{ unit }}', {{ b }})) - unix_micros(date_trunc('{{ unit }}', {{ a }}))) / {{ seconds }} as bigint)
  {%- endmacro -%}
  {%- if part == 'year' -%} (year({{ b }}) - year({{ a }}))
  {%- elif part == 'quarter' -%} ((year({{ b }}) - year({{ a }})) * 4 + quarter({{ b }}) - quarter({{ a }}))
  {%- elif part == 'month' -%} ((year({{ b }}) - year({{ a }})) * 12 + month({{ b }}) - month({{ a }}))
  {%- elif part == 'week' -%} cast(datediff(date_trunc('week', {{ b }}), date_trunc('week', {{ a }})) / 7 as bigint)
  {%- elif part == 'day' -%} datediff(cast({{ b }} as date), cast({{ a }} as date))
  {%- elif part == 'hour' -%} {{ crossed('hour', 3600000000) }}
  {%- elif part == 'minute' -%} {{ crossed('minute', 60000000) }}
  {%- elif part == 'second' -%} {{ crossed('second', 1000000) }}
  {%- elif part in ('millisecond', 'milliseconds') -%} {{ crossed('millisecond', 1000) }}
  {%- elif part in ('microsecond', 'microseconds') -%} (unix_micros({{ b }}) - unix_micros({{ a }}))
  {%- else -%}
    {{ exceptions.raise_compiler_error("datediff: unsupported datepart " ~ datepart) }}
  {%- endif -%}
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
  {#- Spark's split_part counts negative parts from the end and gives '' past either end -#}
  split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{% macro spark__escape_single_quotes(expression) -%}
  {{ (expression ~ '') | replace("\\", "\\\\") | replace("'", "\\'") }}
{%- endmacro %}

{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {#- collect_list has no order: an ordering sorts (key, value) pairs first -#}
  {%- if order_by_clause -%}
    {%- set spec = (order_by_clause | trim)[8:] | trim if (order_by_clause | trim | lower).startswith('order by') else order_by_clause | trim -%}
    {%- set descending = spec.lower().endswith(' desc') -%}
    {%- set key = spec[:-5] if descending else (spec[:-4] if spec.lower().endswith(' asc') else spec) -%}
    {%- set values -%}
      transform(array_sort(collect_list(struct({{ key }} as k, {{ measure }} as v)){% if descending %}, (l, r) -> case when l.k < r.k then 1 when l.k > r.k then -1 else 0 end{% endif %}), x -> x.v)
    {%- endset -%}
  {%- else -%}
    {%- set values = 'collect_list(' ~ measure ~ ')' -%}
  {%- endif -%}
  array_join({% if limit_num %}slice({{ values }}, 1, {{ limit_num }}){% else %}{{ values }}{% endif %}, {{ delimiter_text }})
{%- endmacro %}

{% macro spark__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}
    array({{ inputs | join(', ') }})
  {%- else -%}
    cast(array() as array<{{ data_type }}>)
  {%- endif -%}
{%- endmacro %}

{% macro spark__array_concat(array_1, array_2) -%}
  concat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}
