{#- Snowflake DDL. Tables and views are built in place with `create or replace` (atomic in
    Snowflake); tables are transient unless `transient: false` (dbt-snowflake's default).
    Model configs: transient, cluster_by (a name or a list), automatic_clustering, copy_grants,
    secure (views). -#}

{% macro snowflake__cluster_keys() -%}
  {%- set cluster_by = config.get('cluster_by') if config is defined else none -%}
  {{- ([cluster_by] if cluster_by is string else (cluster_by or [])) | join(', ') -}}
{%- endmacro %}

{% macro snowflake__table_options(temporary) -%}
  {%- set keys = snowflake__cluster_keys() -%}
  {%- if keys and not temporary %} cluster by ({{ keys }}){% endif -%}
  {%- if config is defined and config.get('copy_grants', false) and not temporary %} copy grants{% endif -%}
{%- endmacro %}

{% macro snowflake__table_kind(temporary) -%}
  {#- "temporary table", "transient table" or "table" -#}
  {%- if temporary -%}temporary {% elif config is not defined or config.get('transient', true) -%}transient {% endif -%}
  table
{%- endmacro %}

{% macro snowflake__create_table_as(temporary, relation, sql) -%}
  {%- set keys = snowflake__cluster_keys() -%}
  create or replace {{ snowflake__table_kind(temporary) }} {{ relation }}{{ snowflake__table_options(temporary) }} as (
  {%- if keys %}
    select * from (
{{ sql }}
    ) order by ({{ keys }})
  {%- else %}
{{ sql }}
  {%- endif %}
  )
  {%- if keys and not temporary and config.get('automatic_clustering', false) %};
  alter table {{ relation }} resume recluster
  {%- endif -%}
{%- endmacro %}

{% macro snowflake__create_table_with_columns(relation, columns_ddl, column_names, sql) -%}
  {#- a contracted table: declared columns (and constraints) filled by the model's rows in one statement -#}
  create or replace {{ snowflake__table_kind(false) }} {{ relation }} ({{ columns_ddl }}){{ snowflake__table_options(false) }} as (
    select {{ column_names | join(', ') }} from (
{{ sql }}
    ) as model_subq
  )
{%- endmacro %}

{% macro snowflake__create_view_as(relation, sql) -%}
  {%- set secure = config.get('secure', false) if config is defined else false -%}
  {%- set copy_grants = config.get('copy_grants', false) if config is defined else false -%}
  create or replace {% if secure %}secure {% endif %}view {{ relation }}{% if copy_grants %} copy grants{% endif %} as (
{{ sql }}
  )
{%- endmacro %}

{% macro snowflake__get_grant_sql(relation, privilege, grantees) -%}
  {#- one grantee per statement, to a role, naming the kind of object -#}
  {%- set kind = {'view': 'view', 'dynamic_table': 'dynamic table', 'materialized_view': 'materialized view'}
                 .get(relation.type, 'table') -%}
  {%- for grantee in grantees -%}
  grant {{ privilege }} on {{ kind }} {{ relation }} to role {{ grantee }}{{ ";\n" if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{% macro snowflake__alter_column_comment(relation, column_dict) -%}
  {#- each column as the model names it: unquoted (so upper case) unless its properties say quote: true -#}
  {%- for name, column in column_dict.items() if column.get('description') -%}
  {%- set column_name = column.get('name') or name -%}
  comment on column {{ relation }}.{{ adapter.quote(column_name) if column.get('quote') else column_name }} is {{ adapter.quote_string(column['description']) }}
  {{- ";\n" if not loop.last }}
  {%- endfor -%}
{%- endmacro %}
