"""The last differences from dbt Core found on the compatibility corpus: column types as dbt's
``Column.data_type`` renders them, ephemeral models' compiled SQL (files, CTE names, where the
CTEs go) and dbt-postgres's required ``port``."""

from __future__ import annotations

import pytest
from conftest import query, run_fusion, write_project
from fusion.relation import Column
from fusion_databricks import SparkColumn


@pytest.mark.parametrize(("column", "rendered"), [
    (Column("c", "VARCHAR"), "character varying(256)"),  # DuckDB's unbounded strings
    (Column("c", "text"), "character varying(256)"),
    (Column("c", "character varying(20)", 20), "character varying(20)"),
    (Column("c", "character", 5), "character varying(5)"),
    (Column("c", "numeric", None, 10, 2), "numeric(10,2)"),
    (Column("c", "DECIMAL(18,3)", None, 18, 3), "DECIMAL(18,3)"),  # already sized
    (Column("c", "numeric"), "numeric"),
    (Column("c", "INTEGER", None, 32, 0), "INTEGER"),
    (Column.create("c", "STRING"), "character varying(256)"),  # dbt's one type label: TEXT
    (SparkColumn("c", "string"), "string"),  # dbt-spark keeps Spark's spelling
])
def test_data_type_is_rendered_as_dbt_renders_it(column, rendered):
    assert column.data_type == rendered


def test_columns_of_a_duckdb_relation_render_like_dbt_duckdb(tmp_path):
    model = ("{% set cols = adapter.get_columns_in_relation(ref('a')) if execute else [] %}"
             "{% for c in cols %}select '{{ c.name }}' as n, '{{ c.data_type }}' as t, '{{ c.dtype }}' as d"
             "{{ ' union all ' if not loop.last }}{% endfor %}")
    project = write_project(tmp_path, {
        "models/a.sql": "select 'x'::varchar as s, 1::integer as i, 1.5::decimal(10,2) as m\n",
        "models/b.sql": "-- depends_on: {{ ref('a') }}\n" + model,
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert sorted(query(project / "db.duckdb", "select n, t, d from main.b")) == [
        ("i", "INTEGER", "INTEGER"), ("m", "DECIMAL(10,2)", "DECIMAL(10,2)"),
        ("s", "character varying(256)", "VARCHAR")]


EPHEMERAL_PROJECT = {
    "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n    +materialized: ephemeral\n"
                       "    t:\n      +materialized: table\n",
    "models/lonely.sql": "select 1 as id\n",
    "models/e.sql": "select 2 as id\n",
    "models/e_v2.sql": "select 3 as id\n",
    "models/e.yml": "models:\n  - name: e\n    latest_version: 1\n    versions:\n      - v: 1\n        defined_in: e\n"
                    "      - v: 2\n",
    "models/t.sql": "-- depends on: {{ ref('e', v=2) }}\nselect * from {{ ref('e', v=2) }}\n",
}


def test_ephemeral_models_get_compiled_files_like_dbt(tmp_path):
    project = write_project(tmp_path, EPHEMERAL_PROJECT)
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    compiled = project / "target/compiled/proj/models"
    # dbt compiles every selected ephemeral model (without a result) and writes its SQL
    assert (compiled / "lonely.sql").read_text().strip() == "select 1 as id"
    assert (compiled / "e_v2.sql").read_text().strip() == "select 3 as id"
    # the CTE is named after the version's alias; dbt puts `with` before a leading comment
    assert (compiled / "t.sql").read_text().split() == [
        "with", "__dbt__cte__e_v2", "as", "(", "select", "3", "as", "id", ")", "--", "depends", "on:",
        "__dbt__cte__e_v2", "select", "*", "from", "__dbt__cte__e_v2"]


def test_run_writes_ephemeral_files_and_the_injected_sql_runs(tmp_path):
    project = write_project(tmp_path, EPHEMERAL_PROJECT)
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select id from main.t") == [(3,)]
    assert (project / "target/compiled/proj/models/lonely.sql").exists()
    assert "lonely" not in (project / "target/run_results.json").read_text()  # no result, as in dbt


def test_postgres_target_without_port_is_an_error_like_dbt_postgres(tmp_path):
    profile = ("proj:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n"
               "      user: u\n      password: p\n      dbname: d\n      schema: s\n")
    project = write_project(tmp_path, {"profiles.yml": profile, "models/m.sql": "select 1 as id\n"})
    result = run_fusion(project, "parse")
    assert result.code != 0
    assert "Error:" in result.output and "profiles.yml" in result.output
    assert "needs `port`" in result.output and "Traceback" not in result.output


def test_invalid_vars_yaml_is_an_error_not_a_traceback(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "select 1 as id\n"})
    result = run_fusion(project, "parse", "--vars", '{"load_source_data":')
    assert result.code != 0
    assert "Error:" in result.output and "--vars" in result.output and "invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_return_inside_a_call_block_returns_from_the_macro_that_called_caller(tmp_path):
    """As dbt_utils.get_column_values does for a missing relation: ``return(default)`` in a
    statement's body ends ``statement`` (no SQL runs), and the macro goes on."""
    macro = ("{% macro values_or(default) %}{% call statement('s', fetch_result=true) %}"
             "{{ return(default) }}{% endcall %}{% set r = load_result('s') %}"
             "{{ return(r['data'] if r else default) }}{% endmacro %}")
    project = write_project(tmp_path, {"macros/v.sql": macro,
                                       "models/m.sql": "select {{ values_or(['x', 'y']) | length }} as n\n"})
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select n from main.m") == [(2,)]


def test_manifest_checksums_are_dbts(tmp_path):
    """dbt 1.12: SQL files hash with whitespace runs made one space, seeds their stripped text,
    generic tests have no checksum."""
    import hashlib
    import json

    sql = "\n\n-- a model\nselect 1  as id\n\n"
    project = write_project(tmp_path, {
        "models/m.sql": sql, "seeds/s.csv": "id\r\n1\r\n",
        "models/m.yml": "models:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [not_null]\n"})
    assert run_fusion(project, "parse").code == 0
    nodes = json.loads((project / "target/manifest.json").read_text())["nodes"]
    assert nodes["model.proj.m"]["checksum"] == {
        "name": "sha256", "checksum": hashlib.sha256(b"-- a model select 1 as id").hexdigest()}
    assert nodes["seed.proj.s"]["checksum"]["checksum"] == hashlib.sha256(b"id\n1").hexdigest()
    test = next(n for uid, n in nodes.items() if uid.startswith("test.proj.not_null_m_id"))
    assert test["checksum"] == {"name": "none", "checksum": ""}
