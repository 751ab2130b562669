{#- Running SQL from templates: statement blocks, run_query, results. -#}

{% macro statement(name=None, fetch_result=False, auto_begin=True, language='sql') -%}
  {%- if execute -%}
    {%- set sql_text = caller() -%}
    {%- if name == 'main' -%}{{ write(sql_text) }}{%- endif -%}
    {%- set response, table = adapter.execute(sql_text, auto_begin=auto_begin, fetch=fetch_result) -%}
    {%- if name is not none -%}
      {{- store_result(name, response=response, agate_table=table) -}}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro run_query(sql) %}
  {% call statement("run_query_statement", fetch_result=true, auto_begin=false) %}{{ sql }}{% endcall %}
  {% do return(load_result("run_query_statement").table) %}
{% endmacro %}

{% macro is_incremental() %}
  {#- true when an incremental model already has its table and no full refresh was asked for -#}
  {% if not execute %}
    {{ return(false) }}
  {% endif %}
  {% set existing = adapter.get_relation(this.database, this.schema, this.identifier) %}
  {{ return(existing is not none
            and existing.type == 'table'
            and model.config.materialized == 'incremental'
            and not should_full_refresh()) }}
{% endmacro %}

{% macro should_full_refresh() %}
  {% set configured = config.get('full_refresh') %}
  {% if configured is none %}
    {{ return(flags.FULL_REFRESH) }}
  {% endif %}
  {{ return(configured) }}
{% endmacro %}

{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
  {#- a statement block that runs nothing but records a result, e.g. for `main` -#}
  {%- set sql_text = caller() if caller is defined else '' -%}
  {%- if name is not none -%}
    {{- store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) -}}
  {%- endif -%}
{%- endmacro %}

{% macro run_hooks(hooks, inside_transaction=True) -%}
  {#- render and run the hooks ({sql, transaction}) whose `transaction` flag matches. The built-in
      materializations run in-transaction hooks inside their transaction and the others outside
      it, so no `commit` is issued here. -#}
  {%- for hook in hooks or [] if hook.get('transaction', true) == inside_transaction -%}
    {%- set rendered = render(hook.get('sql')) | trim -%}
    {%- if rendered -%}
      {% call statement(auto_begin=inside_transaction) %}{{ rendered }}{% endcall %}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro should_store_failures() %}
  {% set configured = config.get('store_failures') %}
  {% if configured is none %}
    {{ return(flags.STORE_FAILURES) }}
  {% endif %}
  {{ return(configured) }}
{% endmacro %}

{#- hooks that say whether they run inside the node's transaction: `config(post_hook=after_commit("vacuum x"))` -#}

{% macro make_hook_config(sql, inside_transaction) -%}
  {{ tojson({"sql": sql, "transaction": inside_transaction}) }}
{%- endmacro %}

{% macro before_begin(sql) -%}
  {{ make_hook_config(sql, inside_transaction=False) }}
{%- endmacro %}

{% macro in_transaction(sql) -%}
  {{ make_hook_config(sql, inside_transaction=True) }}
{%- endmacro %}

{% macro after_commit(sql) -%}
  {{ make_hook_config(sql, inside_transaction=False) }}
{%- endmacro %}
