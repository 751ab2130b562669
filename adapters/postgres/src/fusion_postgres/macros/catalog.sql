{#- PostgreSQL's catalog read from pg_catalog: one database per connection, so the schema
    decides; types as DDL spells them (format_type: numeric(10,2), character varying(20)). -#}

{% macro postgres__list_relations_sql(schema_relation) -%}
  select c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' else 'table' end
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = {{ adapter.quote_string(schema_relation.schema) }} and c.relkind in ('r', 'p', 'v', 'm', 'f')
{%- endmacro %}

{% macro postgres__columns_sql(relation) -%}
  select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
    case when a.atttypid in (1042, 1043) and a.atttypmod > 0 then a.atttypmod - 4 end,
    case when a.atttypid = 1700 and a.atttypmod > 0 then ((a.atttypmod - 4) >> 16) & 65535 end,
    case when a.atttypid = 1700 and a.atttypmod > 0 then (a.atttypmod - 4) & 65535 end
  from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where {% if relation.schema -%}
    n.nspname = {{ adapter.quote_string(relation.schema) }}
  {%- else -%}
    pg_catalog.pg_table_is_visible(c.oid)
  {%- endif %} and c.relname = {{ adapter.quote_string(relation.identifier or '') }}
    and a.attnum > 0 and not a.attisdropped order by a.attnum
{%- endmacro %}

{% macro relation_oid_sql(relation) -%}
  {{ return(adapter.dispatch('relation_oid_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro postgres__relation_oid_sql(relation) -%}
  {#- the relation's oid, null when it does not exist -#}
  {%- set name = adapter.quote(relation.identifier or '') -%}
  {%- if relation.schema %}{% set name = adapter.quote(relation.schema) ~ '.' ~ name %}{% endif -%}
  to_regclass({{ adapter.quote_string(name) }})
{%- endmacro %}

{% macro postgres__dependents_sql(relation) -%}
  {#- (schema, name) of every view built on the relation, directly or through other views -#}
  with recursive dependents(oid) as (
    select r.ev_class from pg_catalog.pg_depend d join pg_catalog.pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
      and r.ev_class <> d.refobjid and d.refobjid = {{ relation_oid_sql(relation) }}
    union
    select r.ev_class from dependents p join pg_catalog.pg_depend d on d.refobjid = p.oid
    join pg_catalog.pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_catalog.pg_rewrite'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
      and r.ev_class <> d.refobjid)
  select n.nspname, c.relname from dependents join pg_catalog.pg_class c on c.oid = dependents.oid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
{%- endmacro %}
