{#- Redshift: the cross-database macros in Redshift's own spelling. -#}

{% macro redshift__current_timestamp() -%}
  getdate()
{%- endmacro %}

{% macro redshift__current_timestamp_backcompat() -%}
  getdate()
{%- endmacro %}

{% macro redshift__current_timestamp_in_utc_backcompat() -%}
  {#- Redshift's clock is UTC -#}
  getdate()
{%- endmacro %}

{% macro redshift__snapshot_get_time() -%}
  getdate()::timestamp
{%- endmacro %}

{% macro redshift__dateadd(datepart, interval, from_date_or_timestamp) -%}
  dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro redshift__datediff(first_date, second_date, datepart) -%}
  datediff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}

{% macro redshift__last_day(date, datepart) -%}
  cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
{%- endmacro %}

{% macro redshift__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {#- Redshift's listagg has no limit: keep the first limit_num items of the joined text -#}
  {%- set ordered -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
  {%- endset -%}
  {%- if limit_num -%}
    {%- set delimiter = delimiter_text | trim("'") -%}
    {%- set escaped = modules.re.escape(delimiter) -%}
    regexp_substr({{ ordered }}, '([^{{ escaped }}]+{{ escaped }}){0,{{ limit_num - 1 }}}[^{{ escaped }}]+')
  {%- else -%}
    {{ ordered }}
  {%- endif -%}
{%- endmacro %}

{% macro redshift__length(expression) -%}
  len({{ expression }})
{%- endmacro %}

{% macro redshift__any_value(expression) -%}
  any_value({{ expression }})
{%- endmacro %}

{% macro redshift__cast_bool_to_text(field) -%}
  case when {{ field }} is true then 'true' when {{ field }} is false then 'false' end::text
{%- endmacro %}

{% macro redshift__array_construct(inputs, data_type) -%}
  array({{ inputs | join(', ') }})
{%- endmacro %}

