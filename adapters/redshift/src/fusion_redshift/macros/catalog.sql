{#- Redshift's catalog: PostgreSQL's, with its differences. -#}

{% macro redshift__list_relations_sql(schema_relation) -%}
  {#- the catalog shows a materialized view as a view: STV_MV_INFO names them (read from the catalog
      tables, never through pg_get_viewdef(), which fails on a view another session drops meanwhile) -#}
  select name, case when kind = 'view' and name in (select trim(name) from stv_mv_info
    where trim(schema) = {{ adapter.quote_string(schema_relation.schema) }}) then 'materialized_view' else kind end
  from ({{ postgres__list_relations_sql(schema_relation) }}) as relations(name, kind)
{%- endmacro %}

{% macro redshift__relation_oid_sql(relation) -%}
  {#- Redshift has no to_regclass() -#}
  (select c.oid from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.relname = {{ adapter.quote_string(relation.identifier or '') }} and
   {%- if relation.schema %} n.nspname = {{ adapter.quote_string(relation.schema) }}
   {%- else %} pg_catalog.pg_table_is_visible(c.oid){% endif %})
{%- endmacro %}
