{#- Redshift DDL: distribution and sort keys, `backup no`, late-binding views and materialized
    views with Redshift's options. Everything else comes from the PostgreSQL adapter's macros. -#}

{% macro redshift_dist(dist) -%}
  {#- `dist`: all | even | auto | a column name (diststyle key) -#}
  {%- if dist is not none -%}
    {%- if dist is not string -%}
      {{ exceptions.raise_compiler_error("`dist` must be one value: all, even, auto or a column name (got "
                                         ~ dist ~ ")") }}
    {%- endif -%}
    {%- set style = dist | trim | lower -%}
    {%- if style in ('all', 'even') %} diststyle {{ style }}
    {%- elif style != 'auto' %} diststyle key distkey ({{ dist | trim }})
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro redshift_sort(sort_type, sort) -%}
  {#- `sort`: a column or a list of columns; `sort_type`: compound (the default) or interleaved -#}
  {%- if sort is not none -%}
    {%- set kind = (sort_type or 'compound') | lower -%}
    {%- if kind not in ('compound', 'interleaved') -%}
      {{ exceptions.raise_compiler_error("`sort_type` must be compound or interleaved (got " ~ sort_type ~ ")") }}
    {%- endif -%}
    {%- set columns = [sort] if sort is string else sort -%}
    {{ ' ' }}{{ kind }} sortkey({{ columns | join(', ') }})
  {%- endif -%}
{%- endmacro %}

{% macro redshift_table_options() -%}
  {%- if config.get('backup') == false %} backup no{% endif -%}
  {{ redshift_dist(config.get('dist')) }}{{ redshift_sort(config.get('sort_type'), config.get('sort')) }}
{%- endmacro %}

{% macro redshift__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}
  {%- if temporary -%}
  create temporary table {{ relation.include(database=false, schema=false) }} as (
{{ sql }}
  )
  {%- else -%}
  create table {{ relation }}{{ redshift_table_options() }} as (
{{ sql }}
  )
  {%- endif -%}
{%- endmacro %}

{% macro redshift__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create table {{ relation }} ({{ columns_ddl }}){{ redshift_table_options() }};
  insert into {{ relation }} ({{ column_names | join(', ') }})
  select {{ column_names | join(', ') }} from (
{{ sql }}
  ) as model_subq
{%- endmacro %}

{% macro redshift__create_seed_table(relation, columns_ddl) -%}
  create table {{ relation }} ({{ columns_ddl }}){{ redshift_dist(config.get('dist')) }}
{%- endmacro %}

{% macro redshift__create_view_as(relation, sql) -%}
  {#- `bind: false`: a late-binding view, checked against its tables only when queried -#}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create view {{ relation }} as (
{{ sql }}
  ){% if config.get('bind', true) == false %} with no schema binding{% endif %}
{%- endmacro %}

{% macro redshift__get_rename_sql(relation, new_name) -%}
  {#- Redshift renames views with `alter table` -#}
  alter {{ 'table' if relation.is_view else _ddl_kind(relation) }} {{ relation.render() }} rename to {{ adapter.quote(new_name) }}
{%- endmacro %}

{% macro redshift__get_create_materialized_view_as_sql(relation, sql) -%}
  {%- set dist = config.get('dist') -%}
  {%- set sort = config.get('sort') -%}
  create materialized view {{ relation }}
  backup {{ 'no' if config.get('backup') == false else 'yes' }}
  {%- if dist is not none %}{{ redshift_dist(dist) }}{% endif %}
  {%- if sort is not none %} sortkey({{ ([sort] if sort is string else sort) | join(', ') }}){% endif %}
  auto refresh {{ 'yes' if config.get('auto_refresh') else 'no' }}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro redshift__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {#- Redshift's MERGE takes no alias for its target: predicates name the table itself -#}
  {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
  {%- set update_columns = config.get('merge_update_columns') -%}
  {%- set update_columns = none if update_columns is none else update_columns | map('lower') | list -%}
  {%- set exclude_columns = (config.get('merge_exclude_columns') or []) | map('lower') | list -%}
  {%- if not keys -%}
    {{ get_insert_into_sql(target, source, dest_columns) }}
  {%- else -%}
  merge into {{ target }}
  using {{ source }} as dbt_internal_source
  on {% for key in keys %}dbt_internal_source.{{ key }} = {{ target }}.{{ key }}{{ " and " if not loop.last }}{% endfor %}
  {%- for predicate in incremental_predicates or [] %} and {{ predicate | replace('DBT_INTERNAL_DEST.', target ~ '.') | replace('dbt_internal_dest.', target ~ '.') }}{% endfor %}
  when matched then update set
  {%- for col in dest_columns if (update_columns is none or col.name | lower in update_columns)
                                 and col.name | lower not in exclude_columns %}
    {{ col.quoted }} = dbt_internal_source.{{ col.quoted }}{{ "," if not loop.last }}
  {%- endfor %}
  when not matched then insert ({{ dest_columns | map(attribute='quoted') | join(', ') }})
  values ({% for col in dest_columns %}dbt_internal_source.{{ col.quoted }}{{ ", " if not loop.last }}{% endfor %})
  {%- endif -%}
{%- endmacro %}

{% macro redshift__get_show_grant_sql(relation) -%}
  {#- Redshift has no information_schema.role_table_grants: ask has_table_privilege per user -#}
  select u.usename as grantee, p.privilege_type
  from pg_catalog.pg_user u
  cross join (select 'select' as privilege_type union all select 'insert' union all select 'update'
              union all select 'delete' union all select 'references') p
  where u.usename != current_user
    and has_table_privilege(u.usename, {{ adapter.quote_string(relation.include(database=false) | string) }}, p.privilege_type)
{%- endmacro %}
