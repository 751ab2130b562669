{#- Date helpers for partitioned loads: strings of dates in and out. -#}

{% macro convert_datetime(date_str, date_fmt) -%}
  {{ return(try_or_compiler_error(
      "The date '" ~ date_str ~ "' does not match the format '" ~ date_fmt ~ "'",
      modules.datetime.datetime.strptime, date_str.strip(), date_fmt)) }}
{%- endmacro %}

{% macro dates_in_range(start_date_str, end_date_str=none, in_fmt="%Y%m%d", out_fmt="%Y%m%d") -%}
  {#- every day from start to end (inclusive; one day when end is none), formatted with out_fmt
      (datetimes when out_fmt is empty) -#}
  {%- set first = convert_datetime(start_date_str, in_fmt) -%}
  {%- set last = convert_datetime(start_date_str if end_date_str is none else end_date_str, in_fmt) -%}
  {%- set days = (last - first).days -%}
  {%- if days < 0 -%}
    {{ exceptions.raise_compiler_error("The start date " ~ first ~ " is after the end date " ~ last) }}
  {%- endif -%}
  {%- set dates = [] -%}
  {%- for offset in range(days + 1) -%}
    {%- set day = first + modules.datetime.timedelta(days=offset) -%}
    {%- do dates.append(day.strftime(out_fmt) if out_fmt else day) -%}
  {%- endfor -%}
  {{ return(dates) }}
{%- endmacro %}

{% macro partition_range(raw_partition_date, date_fmt='%Y%m%d') -%}
  {#- "start" or "start,end" -> the dates in that range -#}
  {%- set parts = (raw_partition_date | string).split(",") -%}
  {%- if parts | length > 2 -%}
    {{ exceptions.raise_compiler_error("A partition range is a start date and an optional end date "
                                       ~ "separated by a comma, got " ~ raw_partition_date) }}
  {%- endif -%}
  {{ return(dates_in_range(parts[0], parts[1] if parts | length == 2 else none, in_fmt=date_fmt)) }}
{%- endmacro %}

{% macro py_current_timestring() -%}
  {{ return(modules.datetime.datetime.now().strftime("%Y%m%d%H%M%S%f")) }}
{%- endmacro %}
