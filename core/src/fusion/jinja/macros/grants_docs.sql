{#- After a relation is built: `grants` and `persist_docs`. The built-in materializations call
    apply_grants and persist_docs, so adapters and projects change what runs by overriding them. -#}

{% macro copy_grants() -%}
  {{ return(adapter.dispatch('copy_grants', 'dbt')()) }}
{%- endmacro %}

{% macro default__copy_grants() -%}
  {#- whether a replaced relation keeps the grants of the one it replaced (assume so unless told) -#}
  {{ return(true) }}
{%- endmacro %}

{% macro support_multiple_grantees_per_dcl_statement() -%}
  {{ return(adapter.dispatch('support_multiple_grantees_per_dcl_statement', 'dbt')()) }}
{%- endmacro %}

{% macro default__support_multiple_grantees_per_dcl_statement() -%}
  {{ return(true) }}
{%- endmacro %}

{% macro should_revoke(existing_relation, full_refresh_mode=True) -%}
  {#- whether grants found on the relation may need revoking: never on a new relation; on a
      replaced one only if grants carry over; always on one that was updated in place -#}
  {%- if not existing_relation -%}{{ return(false) }}
  {%- elif full_refresh_mode -%}{{ return(copy_grants()) }}
  {%- else -%}{{ return(true) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_show_grant_sql(relation) -%}
  {{ return(adapter.dispatch('get_show_grant_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_show_grant_sql(relation) -%}
  show grants on {{ relation.render() }}
{%- endmacro %}

{% macro get_grant_sql(relation, privilege, grantees) -%}
  {{ return(adapter.dispatch('get_grant_sql', 'dbt')(relation, privilege, grantees)) }}
{%- endmacro %}

{% macro default__get_grant_sql(relation, privilege, grantees) -%}
  grant {{ privilege }} on {{ relation.render() }} to {{ grantees | join(', ') }}
{%- endmacro %}

{% macro get_revoke_sql(relation, privilege, grantees) -%}
  {{ return(adapter.dispatch('get_revoke_sql', 'dbt')(relation, privilege, grantees)) }}
{%- endmacro %}

{% macro default__get_revoke_sql(relation, privilege, grantees) -%}
  {#- grantees come from the catalog, spelled as the database stores them: quote them -#}
  revoke {{ privilege }} on {{ relation.render() }} from
  {%- for grantee in grantees %} {{ adapter.quote(grantee) }}{{ "," if not loop.last }}{% endfor %}
{%- endmacro %}

{% macro get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {{ return(adapter.dispatch('get_dcl_statement_list', 'dbt')(relation, grant_config, get_dcl_macro)) }}
{%- endmacro %}

{% macro default__get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {#- one statement per privilege, or per privilege and grantee where the database needs that -#}
  {%- set statements = [] -%}
  {%- set together = support_multiple_grantees_per_dcl_statement() -%}
  {%- for privilege, grantees in grant_config.items() if grantees -%}
    {%- if together -%}
      {%- do statements.append(get_dcl_macro(relation, privilege, grantees)) -%}
    {%- else -%}
      {%- for grantee in grantees -%}{%- do statements.append(get_dcl_macro(relation, privilege, [grantee])) -%}{%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro call_dcl_statements(dcl_statement_list) -%}
  {{ return(adapter.dispatch('call_dcl_statements', 'dbt')(dcl_statement_list)) }}
{%- endmacro %}

{% macro default__call_dcl_statements(dcl_statement_list) -%}
  {% call statement('grants') -%}
    {% for dcl in dcl_statement_list %}{{ dcl }};
    {% endfor %}
  {%- endcall %}
{%- endmacro %}

{% macro apply_grants(relation, grant_config, should_revoke) -%}
  {{ return(adapter.dispatch('apply_grants', 'dbt')(relation, grant_config, should_revoke)) }}
{%- endmacro %}

{% macro default__apply_grants(relation, grant_config, should_revoke=True) -%}
  {#- make the grants on `relation` exactly `grant_config` ({privilege: [grantee, ...]}): when
      grants may have been there before, read them and revoke what is not configured -#}
  {%- if grant_config -%}
    {%- set wanted = {} -%}
    {%- for privilege, grantees in grant_config.items() -%}
      {%- do wanted.update({privilege: [grantees] if grantees is string else (grantees or [])}) -%}
    {%- endfor -%}
    {%- if should_revoke -%}
      {%- set current = adapter.standardize_grants_dict(run_query(get_show_grant_sql(relation))) -%}
      {%- set to_grant = diff_of_two_dicts(wanted, current) -%}
      {%- set to_revoke = diff_of_two_dicts(current, wanted) -%}
    {%- else -%}
      {%- set to_grant, to_revoke = wanted, {} -%}
    {%- endif -%}
    {%- set dcl = get_dcl_statement_list(relation, to_revoke, get_revoke_sql)
                  + get_dcl_statement_list(relation, to_grant, get_grant_sql) -%}
    {%- if dcl -%}{{ call_dcl_statements(dcl) }}{%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro alter_relation_comment(relation, relation_comment) -%}
  {{ return(adapter.dispatch('alter_relation_comment', 'dbt')(relation, relation_comment)) }}
{%- endmacro %}

{% macro default__alter_relation_comment(relation, relation_comment) -%}
  comment on {{ 'materialized view' if relation.is_materialized_view else ('view' if relation.is_view else 'table') }} {{ relation }} is {{ adapter.quote_string(relation_comment) }}
{%- endmacro %}

{% macro alter_column_comment(relation, column_dict) -%}
  {{ return(adapter.dispatch('alter_column_comment', 'dbt')(relation, column_dict)) }}
{%- endmacro %}

{% macro default__alter_column_comment(relation, column_dict) -%}
  {#- one `comment on column` per documented column; `column_dict` is a model's `columns` -#}
  {%- for name, column in column_dict.items() if column.get('description') -%}
    comment on column {{ relation }}.{{ adapter.quote(column.get('name') or name) }} is {{ adapter.quote_string(column['description']) }}
    {{- ";\n" if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{% macro validate_doc_columns(relation, column_dict, existing_column_names) -%}
  {#- the documented columns the relation has (by name, case-insensitively unless quoted); warns about the rest -#}
  {%- set existing_lower = existing_column_names | map('lower') | list -%}
  {%- set present, missing = {}, [] -%}
  {%- for name, column in column_dict.items() -%}
    {%- if ((name in existing_column_names) if column.get('quote') else (name | lower in existing_lower)) -%}
      {%- do present.update({name: column}) -%}
    {%- else -%}
      {%- do missing.append(name) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if missing -%}
    {%- do exceptions.warn("In relation " ~ relation.render() ~ ": these columns are documented but not in the "
                           ~ "database: " ~ missing | join(", ")) -%}
  {%- endif -%}
  {{ return(present) }}
{%- endmacro %}

{% macro persist_docs(relation, model, for_relation=true, for_columns=true) -%}
  {{ return(adapter.dispatch('persist_docs', 'dbt')(relation, model, for_relation, for_columns)) }}
{%- endmacro %}

{% macro default__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {% call statement('persist_docs') %}{{ alter_relation_comment(relation, model.description) }}{% endcall %}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- set comments = alter_column_comment(relation, validate_doc_columns(relation, model.columns, existing)) -%}
    {%- if comments | trim -%}
      {% call statement('persist_docs') %}{{ comments }}{% endcall %}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
