"""The Jinja runtime: run-operation, error locations with the macro call stack, parse-time safety."""

from __future__ import annotations

from conftest import query, run_fusion, write_project


def test_run_operation_calls_a_macro_with_args(tmp_path):
    project = write_project(tmp_path, {
        "macros/ops.sql": "{% macro make_table(name, rows=1) %}\n"
                          "{% do run_query('create table main.' ~ name ~ ' as select range as i '\n"
                          "                ~ 'from range(' ~ rows ~ ')') %}\n"
                          "{% endmacro %}\n",
    })
    result = run_fusion(project, "run-operation", "make_table", "--args", "{name: made, rows: 3}")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select count(*) from main.made") == [(3,)]
    missing = run_fusion(project, "run-operation", "nope")
    assert missing.code == 2 and "no macro named 'nope'" in missing.output


def test_error_in_a_nested_macro_names_file_line_and_callers(tmp_path):
    project = write_project(tmp_path, {
        "macros/outer.sql": "{% macro outer() %}\n{{ inner() }}\n{% endmacro %}\n",
        "macros/inner.sql": "{% macro inner() %}\nselect 1\n{{ exceptions.raise_compiler_error('bad thing') if false }}"
                            "{{ undefined_thing.attr }}\n{% endmacro %}\n",
        "models/m.sql": "select 1 as id\n-- line 2\n{{ outer() }}\n",
    })
    result = run_fusion(project, "compile")  # parsing tolerates undefined names, as dbt's does
    assert result.code == 1 and "Traceback" not in result.output
    assert "macros/inner.sql:3" in result.output
    assert "called from macros/outer.sql:2" in result.output
    assert "called from models/m.sql:3" in result.output


def test_parsing_never_touches_the_warehouse(tmp_path):
    project = write_project(tmp_path, {
        "models/m.sql": "{% set rel = adapter.get_relation(this.database, this.schema, 'x') %}\n"
                        "{% set res = run_query('select * from does_not_exist') %}\n"
                        "select {{ 1 if rel is none and res is none else 2 }} as id\n",
    }, profile_path="/nonexistent/dir/db.duckdb")
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output


def test_secret_env_vars_stay_in_profiles_and_out_of_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_ENV_SECRET_DB_FILE", str(tmp_path / "secret-name.duckdb"))
    project = write_project(tmp_path, {
        "models/m.sql": "select 1 as id\n",
        "models/bad.sql": "select '{{ env_var(\"DBT_ENV_SECRET_DB_FILE\") }}' as leaked\n",
    }, profile_path="\"{{ env_var('DBT_ENV_SECRET_DB_FILE') }}\"")
    result = run_fusion(project, "run", "-s", "m")
    assert result.code == 2 and "may only be used in profiles.yml" in result.output
    assert "secret-name" not in result.output
    (project / "models" / "bad.sql").unlink()
    result = run_fusion(project, "run", "--log-format", "json")
    assert result.code == 0, result.output
    assert (tmp_path / "secret-name.duckdb").exists() and "secret-name" not in result.output


def test_context_members_packages_rely_on(tmp_path):
    model = """
{%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                   | map(attribute='name') | list -%}
{%- set diff = diff_of_two_dicts({'select': ['a', 'b']}, {'SELECT': ['A']}) -%}
{%- set table = run_query("select 1 as x, 'y' as z") if execute else none -%}
select
  '{{ models | sort | join(",") }}' as model_names,
  {{ (selected_resources | length) if execute else 0 }} as n_selected,
  '{{ diff["select"] | join(",") }}' as diff_b,
  {{ (zip_strict([1, 2], [3, 4]) | list | length) }} as zipped,
  {{ set_strict([1, 1, 2]) | length }} as distinct_n,
  '{{ invocation_args_dict["which"] }}' as which,
  {{ table.columns[0].values()[0] if execute else 0 }} as agate_value,
  '{{ table.column_names | join(",") if execute else "" }}' as agate_names,
  '{{ modules.datetime.date(2024, 1, 31).isoformat() }}' as a_date,
  '{{ local_md5("x") }}' as md5_x,
  '{{ fromjson(tojson({"k": [1]}))["k"][0] }}{{ fromyaml(toyaml({"k": 2}))["k"] }}' as round_trips
"""
    project = write_project(tmp_path, {"models/m.sql": model, "models/other.sql": "select 1 as id\n"})
    result = run_fusion(project, "run", "-s", "m")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select * from main.m") == [(
        "m,other", 1, "b", 2, 2, "run", 1, "x,z", "2024-01-31", "9dd4e461268c8034f5c8564e155c67a6", "12")]


def test_exceptions_raise_with_the_callers_location(tmp_path):
    project = write_project(tmp_path, {
        "models/m.sql": "select 1\n{{ exceptions.raise_compiler_error('custom failure') }}\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 2 and "custom failure" in result.output and "models/m.sql" in result.output


def test_adapter_methods_for_packages(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {
        "macros/ops.sql": """
{% macro exercise() %}
  {% do run_query("create schema if not exists scratch") %}
  {% do run_query("create table scratch.narrow (v varchar(3))") %}
  {% do run_query("create table scratch.wide (v varchar(30))") %}
  {% do run_query("insert into scratch.narrow values ('abc')") %}
  {% set narrow = api.Relation.create(database=target.database, schema='scratch', identifier='narrow') %}
  {% set wide = api.Relation.create(database=target.database, schema='scratch', identifier='wide') %}
  {% do adapter.expand_target_column_types(wide, narrow) %}
  {% do run_query("insert into scratch.narrow values ('much longer than three')") %}
  {% do adapter.truncate_relation(wide) %}
  {% do run_query("create table scratch.log as select " ~ (adapter.get_columns_in_table('scratch', 'narrow') | length)
                  ~ " as n_columns, '" ~ adapter.get_hard_deletes_behavior({'invalidate_hard_deletes': true})
                  ~ "' as hard_deletes") %}
{% endmacro %}
"""})
    result = run_fusion(project, "run-operation", "exercise")
    assert result.code == 0, result.output
    assert warehouse.query("select count(*) from scratch.narrow") == [(2,)]
    assert warehouse.query("select n_columns, hard_deletes from scratch.log") == [(1, "invalidate")]


def test_jinja_builtin_globals_are_available(tmp_path):
    project = write_project(tmp_path, {
        "macros/m.sql": "{% macro total() %}{% set ns = namespace(n=0) %}"
                        "{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}{% endmacro %}\n",
        "models/m.sql": "select {{ total() }} as total, {{ range(3) | list | length }} as n, "
                        "'{{ dict(a=1)['a'] }}' as d\n",
    })
    assert run_fusion(project, "run").code == 0
    assert query(project / "db.duckdb", "select * from main.m") == [(6, 3, "1")]


def test_private_macro_is_callable_from_another_file(tmp_path):
    """dbt lets any file call a macro whose name starts with ``_`` (dbt_utils does it)."""
    project = write_project(tmp_path, {
        "macros/private.sql": "{% macro _doubled(x) %}{{ x * 2 }}{% endmacro %}\n",
        "macros/public.sql": "{% macro answer() %}{{ _doubled(21) }}{% endmacro %}\n",
    })
    result = run_fusion(project, "compile", "--inline", "select {{ answer() }} as a")
    assert result.code == 0, result.output
    assert "select 42 as a" in result.stdout
