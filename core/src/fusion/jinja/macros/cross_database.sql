{#- Cross-database macros (`dbt.type_string()`, `dbt.datediff(...)`...): portable SQL for the
    documented behaviour; adapters override `<adapter>__<name>` only where these defaults do not
    run. Arguments that are SQL go in as text (`"'2024-01-01'"`, `"my_column"`). -#}

{#- ---- data types ------------------------------------------------------------------------- -#}

{% macro type_string() %}{{ return(adapter.dispatch('type_string', 'dbt')()) }}{% endmacro %}
{% macro default__type_string() %}{{ return('TEXT') }}{% endmacro %}

{% macro type_timestamp() %}{{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}{% endmacro %}
{% macro default__type_timestamp() %}{{ return('timestamp') }}{% endmacro %}

{% macro type_float() %}{{ return(adapter.dispatch('type_float', 'dbt')()) }}{% endmacro %}
{% macro default__type_float() %}{{ return('float') }}{% endmacro %}

{% macro type_numeric() %}{{ return(adapter.dispatch('type_numeric', 'dbt')()) }}{% endmacro %}
{% macro default__type_numeric() %}{{ return('numeric(28,6)') }}{% endmacro %}

{% macro type_bigint() %}{{ return(adapter.dispatch('type_bigint', 'dbt')()) }}{% endmacro %}
{% macro default__type_bigint() %}{{ return('bigint') }}{% endmacro %}

{% macro type_int() %}{{ return(adapter.dispatch('type_int', 'dbt')()) }}{% endmacro %}
{% macro default__type_int() %}{{ return('integer') }}{% endmacro %}

{% macro type_boolean() %}{{ return(adapter.dispatch('type_boolean', 'dbt')()) }}{% endmacro %}
{% macro default__type_boolean() %}{{ return('boolean') }}{% endmacro %}

{% macro current_timestamp() %}{{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}{% endmacro %}
{% macro default__current_timestamp() %}{{ return('current_timestamp') }}{% endmacro %}

{#- the pre-1.2 timestamps packages still call: a timestamp without time zone -#}
{% macro current_timestamp_backcompat() %}{{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}{% endmacro %}
{% macro default__current_timestamp_backcompat() %}{{ return('current_timestamp::timestamp') }}{% endmacro %}
{% macro current_timestamp_in_utc_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp_in_utc_backcompat() %}{{ return(current_timestamp_backcompat()) }}{% endmacro %}

{#- ---- dates ------------------------------------------------------------------------------ -#}

{% macro _as_timestamp_if_literal(expression) %}
  {#- a quoted literal ('2024-01-01') has no type of its own: read it as a timestamp -#}
  {%- set text = (expression ~ '') | trim -%}
  {%- if text.startswith("'") -%}
    {{ return('cast(' ~ text ~ ' as ' ~ type_timestamp() ~ ')') }}
  {%- endif -%}
  {{ return(text) }}
{% endmacro %}

{% macro dateadd(datepart, interval, from_date_or_timestamp) %}
  {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{% endmacro %}

{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {#- interval arithmetic turns dates into timestamps; a quarter is three months -#}
  {%- set part = datepart | lower -%}
  {%- set unit = '3 month' if part == 'quarter' else '1 ' ~ part -%}
  ({{ _as_timestamp_if_literal(from_date_or_timestamp) }} + (interval '{{ unit }}' * ({{ interval }})))
{%- endmacro %}

{% macro datediff(first_date, second_date, datepart) %}
  {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{% endmacro %}

{% macro default__datediff(first_date, second_date, datepart) -%}
  {#- the number of `datepart` boundaries crossed going from first_date to second_date (weeks
      start on Monday, as date_trunc('week') does) -#}
  {%- set a = 'cast(' ~ first_date ~ ' as ' ~ type_timestamp() ~ ')' -%}
  {%- set b = 'cast(' ~ second_date ~ ' as ' ~ type_timestamp() ~ ')' -%}
  {%- set part = datepart | lower -%}
  {%- macro field_diff(field) -%}
    (floor(extract({{ field }} from {{ b }})) - floor(extract({{ field }} from {{ a }})))
  {%- endmacro -%}
  {%- set days = '(cast(' ~ b ~ ' as date) - cast(' ~ a ~ ' as date))' -%}
  {%- set minutes = '((' ~ days ~ ' * 24 + ' ~ field_diff('hour') ~ ') * 60 + ' ~ field_diff('minute') ~ ')' -%}
  {%- if part == 'year' -%}
    {%- set diff = field_diff('year') -%}
  {%- elif part == 'quarter' -%}
    {%- set diff = field_diff('year') ~ ' * 4 + ' ~ field_diff('quarter') -%}
  {%- elif part == 'month' -%}
    {%- set diff = field_diff('year') ~ ' * 12 + ' ~ field_diff('month') -%}
  {%- elif part == 'week' -%}
    {%- set diff = '(cast(date_trunc(\'week\', ' ~ b ~ ') as date) - cast(date_trunc(\'week\', '
                   ~ a ~ ') as date)) / 7' -%}
  {%- elif part == 'day' -%}
    {%- set diff = days -%}
  {%- elif part == 'hour' -%}
    {%- set diff = days ~ ' * 24 + ' ~ field_diff('hour') -%}
  {%- elif part == 'minute' -%}
    {%- set diff = minutes -%}
  {%- elif part == 'second' -%}
    {%- set diff = minutes ~ ' * 60 + ' ~ field_diff('second') -%}
  {%- elif part in ('millisecond', 'milliseconds') -%}
    {%- set diff = minutes ~ ' * 60000 + ' ~ field_diff('millisecond') -%}
  {%- elif part in ('microsecond', 'microseconds') -%}
    {%- set diff = minutes ~ ' * 60000000 + ' ~ field_diff('microsecond') -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("datediff: unsupported datepart " ~ datepart) }}
  {%- endif -%}
  cast({{ diff }} as {{ type_bigint() }})
{%- endmacro %}

{% macro date_trunc(datepart, date) %}
  {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{% endmacro %}

{% macro default__date_trunc(datepart, date) -%}
  date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{% macro last_day(date, datepart) %}
  {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{% endmacro %}

{% macro default__last_day(date, datepart) -%}
  {#- the day before the start of the next period -#}
  cast({{ dateadd('day', '-1', dateadd(datepart, '1', date_trunc(datepart, date))) }} as date)
{%- endmacro %}

{% macro date(year, month, day) %}
  {{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{% endmacro %}

{% macro default__date(year, month, day) -%}
  {%- set value = modules.datetime.date(year | int, month | int, day | int) -%}
  cast('{{ value.isoformat() }}' as date)
{%- endmacro %}

{#- ---- casts ------------------------------------------------------------------------------ -#}

{% macro cast(field, type) %}
  {{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}
{% endmacro %}

{% macro default__cast(field, type) -%}
  cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro safe_cast(field, type) %}
  {{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}
{% endmacro %}

{% macro default__safe_cast(field, type) -%}
  {#- a warehouse without a failure-tolerant cast gets a plain one -#}
  cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro cast_bool_to_text(field) %}
  {{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}
{% endmacro %}

{% macro default__cast_bool_to_text(field) -%}
  cast({{ field }} as {{ type_string() }})
{%- endmacro %}

{#- ---- strings ---------------------------------------------------------------------------- -#}

{% macro hash(field) %}
  {{ return(adapter.dispatch('hash', 'dbt')(field)) }}
{% endmacro %}

{% macro default__hash(field) -%}
  md5(cast({{ field }} as {{ type_string() }}))
{%- endmacro %}

{% macro concat(fields) %}
  {{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
{% endmacro %}

{% macro default__concat(fields) -%}
  {#- the SQL operator: null if any part is null, as in dbt -#}
  {{ fields | join(' || ') }}
{%- endmacro %}

{% macro split_part(string_text, delimiter_text, part_number) %}
  {{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}
{% endmacro %}

{% macro default__split_part(string_text, delimiter_text, part_number) -%}
  {%- if part_number is number and part_number < 0 -%}
    {#- counted from the end: part (parts + 1 + n), where parts = delimiters + 1 -#}
    {%- set position -%}
      (cast((length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, '')))
            / length({{ delimiter_text }}) as {{ type_int() }}) + 2 + ({{ part_number }}))
    {%- endset -%}
    case when {{ position }} < 1 then ''
         else split_part({{ string_text }}, {{ delimiter_text }}, {{ position }}) end
  {%- else -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
  {%- endif -%}
{%- endmacro %}

{% macro escape_single_quotes(expression) %}
  {{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
{% endmacro %}

{% macro default__escape_single_quotes(expression) -%}
  {{ (expression ~ '') | replace("'", "''") }}
{%- endmacro %}

{% macro string_literal(value) %}
  {{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
{% endmacro %}

{% macro default__string_literal(value) -%}
  '{{ value }}'
{%- endmacro %}

{% macro length(expression) %}
  {{ return(adapter.dispatch('length', 'dbt')(expression)) }}
{% endmacro %}

{% macro default__length(expression) -%}
  length({{ expression }})
{%- endmacro %}

{% macro position(substring_text, string_text) %}
  {{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
{% endmacro %}

{% macro default__position(substring_text, string_text) -%}
  position({{ substring_text }} in {{ string_text }})
{%- endmacro %}

{% macro replace(field, old_chars, new_chars) %}
  {{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
{% endmacro %}

{% macro default__replace(field, old_chars, new_chars) -%}
  replace({{ field }}, {{ old_chars }}, {{ new_chars }})
{%- endmacro %}

{% macro right(string_text, length_expression) %}
  {{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
{% endmacro %}

{% macro default__right(string_text, length_expression) -%}
  right({{ string_text }}, {{ length_expression }})
{%- endmacro %}

{#- ---- aggregates ------------------------------------------------------------------------- -#}

{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) %}
  {{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
{% endmacro %}

{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set ordering = ' ' ~ order_by_clause if order_by_clause else '' -%}
  {%- if limit_num -%}
    array_to_string((array_agg({{ measure }}{{ ordering }}))[1:{{ limit_num }}], {{ delimiter_text }})
  {%- else -%}
    string_agg({{ measure }}, {{ delimiter_text }}{{ ordering }})
  {%- endif -%}
{%- endmacro %}

{% macro any_value(expression) %}
  {{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
{% endmacro %}

{% macro default__any_value(expression) -%}
  any_value({{ expression }})
{%- endmacro %}

{% macro bool_or(expression) %}
  {{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
{% endmacro %}

{% macro default__bool_or(expression) -%}
  bool_or({{ expression }})
{%- endmacro %}

{#- ---- set operators, comparison --------------------------------------------------------- -#}

{% macro except() %}{{ return(adapter.dispatch('except', 'dbt')()) }}{% endmacro %}
{% macro default__except() %}{{ return('except') }}{% endmacro %}

{% macro intersect() %}{{ return(adapter.dispatch('intersect', 'dbt')()) }}{% endmacro %}
{% macro default__intersect() %}{{ return('intersect') }}{% endmacro %}

{% macro equals(expr1, expr2) %}
  {{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}
{% endmacro %}

{% macro default__equals(expr1, expr2) -%}
  {#- SQL's three-valued `=`; with the `enable_truthy_nulls_equals_macro` flag two nulls match -#}
  {%- if flags.ENABLE_TRUTHY_NULLS_EQUALS_MACRO -%}
    (({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null))
  {%- else -%}
    ({{ expr1 }} = {{ expr2 }})
  {%- endif -%}
{%- endmacro %}

{#- ---- arrays ----------------------------------------------------------------------------- -#}

{% macro array_construct(inputs=[], data_type=none) %}
  {%- set data_type = data_type or type_string() -%}
  {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}
{% endmacro %}

{% macro default__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}
    array[{{ inputs | join(', ') }}]
  {%- else -%}
    cast(array[] as {{ data_type }}[])
  {%- endif -%}
{%- endmacro %}

{% macro array_append(array, new_element) %}
  {{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
{% endmacro %}

{% macro default__array_append(array, new_element) -%}
  array_append({{ array }}, {{ new_element }})
{%- endmacro %}

{% macro array_concat(array_1, array_2) %}
  {{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
{% endmacro %}

{% macro default__array_concat(array_1, array_2) -%}
  array_cat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{#- ---- date spine ------------------------------------------------------------------------- -#}

{% macro get_intervals_between(start_date, end_date, datepart) %}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{% endmacro %}

{% macro default__get_intervals_between(start_date, end_date, datepart) %}
  {#- asked of the warehouse while running; while parsing, any count will do -#}
  {%- if not execute -%}{{ return(1) }}{%- endif -%}
  {%- set table = run_query('select ' ~ datediff(start_date, end_date, datepart) ~ ' as intervals') -%}
  {%- set value = table.rows[0][0] if table is not none and table.rows | length > 0 else none -%}
  {%- if value is none -%}
    {{ exceptions.raise_compiler_error("date_spine: could not count the " ~ datepart ~ "s between "
                                       ~ start_date ~ " and " ~ end_date) }}
  {%- endif -%}
  {{ return(value | int) }}
{% endmacro %}

{% macro get_powers_of_two(upper_bound) %}
  {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{% endmacro %}

{% macro default__get_powers_of_two(upper_bound) %}
  {#- how many binary digits count from 0 to upper_bound - 1 (at least one) -#}
  {%- set bound = upper_bound | int -%}
  {%- set too_few = [] -%}
  {%- for _ in [0] * 63 -%}{%- if 2 ** loop.index < bound -%}{%- do too_few.append(loop.index) -%}{%- endif -%}{%- endfor -%}
  {{ return(too_few | length + 1) }}
{% endmacro %}

{% macro generate_series(upper_bound) %}
  {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{% endmacro %}

{% macro default__generate_series(upper_bound) -%}
  {#- the integers 1..upper_bound as `generated_number`, from cross-joined binary digits -#}
  {%- set powers = get_powers_of_two(upper_bound) -%}
  with binary_digit as (
    select 0 as digit union all select 1
  ), numbers as (
    select
      {% for _ in [0] * powers -%}
      d{{ loop.index0 }}.digit * {{ 2 ** loop.index0 }} +
      {% endfor -%}
      1 as generated_number
    from {% for _ in [0] * powers %}binary_digit as d{{ loop.index0 }}{% if not loop.last %} cross join {% endif %}{% endfor %}
  )
  select generated_number from numbers where generated_number <= {{ upper_bound }}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) %}
  {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{% endmacro %}

{% macro default__date_spine(datepart, start_date, end_date) -%}
  {#- one row per datepart from start_date up to, not including, end_date -#}
  {%- set intervals = get_intervals_between(start_date, end_date, datepart) -%}
  with spine_numbers as (
    {{ generate_series(intervals if intervals > 0 else 0) }}
  ), spine_periods as (
    select {{ dateadd(datepart, 'generated_number - 1', start_date) }} as date_{{ datepart }}
    from spine_numbers
  )
  select * from spine_periods
  where date_{{ datepart }} < {{ _as_timestamp_if_literal(end_date) }}
{%- endmacro %}
