{#- The catalog queries the adapter runs to know what exists (relations are cached per schema).
    Overridable per adapter (`<adapter>__list_relations_sql`) and by a project, as dbt's
    `list_relations_without_caching` is. Each returns SQL; the adapter runs it and reads its rows. -#}

{% macro list_relations_sql(schema_relation) -%}
  {{ return(adapter.dispatch('list_relations_sql', 'dbt')(schema_relation)) }}
{%- endmacro %}

{% macro default__list_relations_sql(schema_relation) -%}
  {#- (name, type) of every relation of the schema; type 'table' or 'view' -#}
  select table_name, case when table_type = 'VIEW' then 'view' else 'table' end
  from information_schema.tables where table_schema = {{ adapter.quote_string(schema_relation.schema) }}
  {%- if schema_relation.database %} and table_catalog = {{ adapter.quote_string(schema_relation.database) }}{% endif %}
{%- endmacro %}

{% macro columns_sql(relation) -%}
  {{ return(adapter.dispatch('columns_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__columns_sql(relation) -%}
  {#- (name, type, character length, numeric precision, numeric scale) of each column, in order -#}
  select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
  from information_schema.columns
  where table_schema = {{ adapter.quote_string(relation.schema or '') }}
    and table_name = {{ adapter.quote_string(relation.identifier or '') }}
  {%- if relation.database %} and table_catalog = {{ adapter.quote_string(relation.database) }}{% endif %}
  order by ordinal_position
{%- endmacro %}

{% macro dependents_sql(relation) -%}
  {{ return(adapter.dispatch('dependents_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__dependents_sql(relation) -%}
  {#- (schema, name) of the views `drop ... cascade` drops with the relation; empty: none are -#}
{%- endmacro %}
