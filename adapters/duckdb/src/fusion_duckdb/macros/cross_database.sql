{#- DuckDB: overrides of the cross-database macros (core/src/fusion/jinja/macros/cross_database.sql). -#}


{#- The SQL dbt-duckdb writes for these, so that a project compiles to the same text (and the
    same results) under Fusion as under dbt. -#}

{% macro duckdb__current_timestamp() -%}
  now()
{%- endmacro %}

{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {#- a whole number of units times a one-unit interval (DuckDB has no quarter interval; weeks
      are counted in days). A bare string literal stays untyped, so DuckDB rejects it as it does
      under dbt-duckdb. -#}
  {%- set unit = datepart | lower -%}
  {%- set per_unit = {'quarter': (3, 'month'), 'week': (7, 'day')}.get(unit) -%}
  {%- if per_unit -%}
  ({{ from_date_or_timestamp }} + (cast({{ interval }} as bigint) * {{ per_unit[0] }}) * interval 1 {{ per_unit[1] }})
  {%- else -%}
  ({{ from_date_or_timestamp }} + cast({{ interval }} as bigint) * interval 1 {{ unit }})
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__datediff(first_date, second_date, datepart) -%}
  {%- if datepart == 'week' -%}
  {#- whole days over seven, corrected by one when the weekdays wrap around -#}
  ({{ datediff(first_date, second_date, 'day') }} // 7 + case
      when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp)
      then case when {{ first_date }} <= {{ second_date }} then 0 else -1 end
      else case when {{ first_date }} <= {{ second_date }} then 1 else 0 end
  end)
  {%- else -%}
  (date_diff('{{ datepart }}', {{ first_date }}::timestamp, {{ second_date }}::timestamp ))
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__last_day(date, datepart) -%}
  {%- if datepart == 'quarter' -%}
  cast({{ dateadd('day', '-1', dateadd('month', '3', date_trunc(datepart, date))) }} as date)
  {%- else -%}
  {{ default__last_day(date, datepart) }}
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__date(year, month, day) -%}
  make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}

{% macro duckdb__any_value(expression) -%}
  arbitrary({{ expression }})
{%- endmacro %}

{% macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
  string_split({{ string_text }}, {{ delimiter_text }})[ {{ part_number }} ]
{%- endmacro %}

{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
  list_aggr((array_agg({{ measure }} {{ order_by_clause or '' }}))[1:{{ limit_num }}], 'string_agg', {{ delimiter_text }})
  {%- else -%}
  string_agg({{ measure }}, {{ delimiter_text }} {{ order_by_clause or '' }})
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__generate_series(upper_bound) -%}
  select generate_series as generated_number from generate_series(1, {{ upper_bound }})
{%- endmacro %}
