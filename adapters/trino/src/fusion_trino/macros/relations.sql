{#- Trino DDL (dbt-trino's configs). There are no temporary tables: a "temporary" relation is a
    table beside the model. The model's own table takes `properties` (Trino's `WITH (...)`,
    values written as SQL: `format: "'PARQUET'"`), `table_format`/`file_format` (shorthands for
    properties `type`/`format`) and, with `on_table_exists: replace`, is made by
    `create or replace table`; views take `view_security` (definer, the default, or invoker). -#}

{% macro trino_properties(relation) -%}
  {#- `WITH (...)` for the model's own relation (staged and probe tables get none) -#}
  {%- if this is defined and this is not none and (relation.identifier | lower) == (this.identifier | lower) -%}
    {%- set properties = dict(config.get('properties') or {}) -%}
    {%- for key, shorthand in [('format', 'file_format'), ('type', 'table_format')] if config.get(shorthand) -%}
      {%- if key in properties -%}
        {{ exceptions.raise_compiler_error("set either '" ~ shorthand ~ "' or 'properties." ~ key ~ "', not both") }}
      {%- endif -%}
      {%- do properties.update({key: adapter.quote_string(config.get(shorthand))}) -%}
    {%- endfor -%}
    {%- if properties %}
  with ({% for key, value in properties.items() %}{{ key }} = {{ value }}{{ ", " if not loop.last }}{% endfor %})
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro trino_create_table(relation) -%}
  {#- `create table` or, for the model's own table with on_table_exists 'replace', `create or replace table` -#}
  {%- set own = this is defined and this is not none and (relation.identifier | lower) == (this.identifier | lower) -%}
  create {{ 'or replace ' if own and (config.get('on_table_exists') or '') | lower == 'replace' }}table {{ relation }}
{%- endmacro %}

{% macro trino__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}{{ trino_create_table(relation) }}{{ trino_properties(relation) }}
  as (
{{ sql }}
  )
{%- endmacro %}

{% macro trino__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}{{ trino_create_table(relation) }} ({{ columns_ddl }}){{ trino_properties(relation) }};
  insert into {{ relation }} ({{ column_names | join(', ') }})
  select {{ column_names | join(', ') }} from (
{{ sql }}
  ) as model_subq
{%- endmacro %}

{% macro trino__create_seed_table(relation, columns_ddl) -%}
  create table {{ relation }} ({{ columns_ddl }}){{ trino_properties(relation) }}
{%- endmacro %}

{% macro trino__create_view_as(relation, sql) -%}
  {%- set security = (config.get('view_security') or 'definer') | lower -%}
  {%- if security not in ['definer', 'invoker'] -%}
    {%- do log("Invalid value for view_security (" ~ security ~ ") specified. Setting default value (definer).") -%}
    {%- set security = 'definer' -%}
  {%- endif -%}
  {%- set sql_header = config.get('sql_header') -%}
  {{ sql_header ~ "\n" if sql_header }}create or replace view {{ relation }} security {{ security }} as
{{ sql }}
{%- endmacro %}

{% macro trino__get_create_materialized_view_as_sql(relation, sql) -%}
  create or replace materialized view {{ relation }}
  {%- if config.get('grace_period') %}
  grace period {{ config.get('grace_period') }}
  {%- endif %}{{ trino_properties(relation) }}
  as
{{ sql }}
{%- endmacro %}

{% macro trino__get_drop_sql(relation) -%}
  drop {{ _ddl_kind(relation) }} if exists {{ relation.render() }}
{%- endmacro %}

{% macro trino__get_rename_sql(relation, new_name) -%}
  alter {{ _ddl_kind(relation) }} {{ relation.render() }} rename to {{ relation.incorporate(path={"identifier": new_name}).render() }}
{%- endmacro %}

{% macro trino__alter_column_type(relation, column_name, new_column_type) -%}
  {#- a new column takes the cast values, then the old one's place and name -#}
  {%- set column = adapter.quote(column_name) -%}
  {%- set staged = adapter.quote(column_name ~ "__dbt_alter") -%}
  {% call statement('alter_column_type') %}
    alter table {{ relation.render() }} add column {{ staged }} {{ new_column_type }};
    update {{ relation.render() }} set {{ staged }} = cast({{ column }} as {{ new_column_type }});
    alter table {{ relation.render() }} drop column {{ column }};
    alter table {{ relation.render() }} rename column {{ staged }} to {{ column }}
  {% endcall %}
{%- endmacro %}

{% macro trino__copy_grants() -%}
  {#- a relation rebuilt by rename-and-swap or replaced starts without grants -#}
  {{ return(false) }}
{%- endmacro %}

{% macro trino__support_multiple_grantees_per_dcl_statement() -%}
  {{ return(false) }}
{%- endmacro %}

{% macro trino__get_show_grant_sql(relation) -%}
  select grantee, lower(privilege_type) as privilege_type
  from {{ information_schema_name(relation.database) }}.table_privileges
  where table_schema = {{ adapter.quote_string(relation.schema | lower) }}
    and table_name = {{ adapter.quote_string(relation.identifier | lower) }}
{%- endmacro %}

{% macro trino__get_grant_sql(relation, privilege, grantees) -%}
  grant {{ privilege }} on {{ relation.render() }} to {{ adapter.quote(grantees[0]) }}
{%- endmacro %}

{% macro trino__get_revoke_sql(relation, privilege, grantees) -%}
  revoke {{ privilege }} on {{ relation.render() }} from {{ adapter.quote(grantees[0]) }}
{%- endmacro %}

{% macro trino__alter_relation_comment(relation, relation_comment) -%}
  comment on {{ 'view' if relation.is_view else 'table' }} {{ relation }} is {{ adapter.quote_string(relation_comment) }}
{%- endmacro %}
