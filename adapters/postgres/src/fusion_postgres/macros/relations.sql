{#- PostgreSQL: temporary tables live in the session's own schema, so they are named without
    database or schema; `unlogged` tables skip the write-ahead log, and `indexes` are created
    on the new table before it is swapped in (dbt-postgres's configs). PostgreSQL names the
    indexes itself. -#}

{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set unlogged = config.get('unlogged', false) if config is defined else false -%}
  {%- set indexes = (config.get('indexes') if config is defined else none) or [] -%}
  {%- if temporary -%}
  create temporary table {{ relation.include(database=false, schema=false) }} as (
{{ sql }}
  )
  {%- else -%}
  create {% if unlogged %}unlogged {% endif %}table {{ relation }} as (
{{ sql }}
  )
  {%- for index in indexes %};
  create {% if index.get('unique') %}unique {% endif %}index on {{ relation }}
    {%- if index.get('type') %} using {{ index['type'] }}{% endif %} ({{ index['columns'] | join(', ') }})
  {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
