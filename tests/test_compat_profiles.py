"""Profile defaults as dbt's adapters fill them in: a target that leaves a key out gets the dbt
adapter's value, both where relations are named and in ``target`` as templates see it; a
target that cannot work is an ``Error:`` naming profiles.yml (and ``fusion debug`` says so)."""

from __future__ import annotations

import json

import pytest
from conftest import query, run_fusion, write_project

#: a model that shows what ``target`` holds, so a test can read it back from the warehouse
TARGET_MODEL = "select '{{ target.schema }}' as s, '{{ target.database }}' as d, '{{ target.target_name }}' as t\n"


def _profile(outputs: str) -> str:
    return "proj:\n  target: dev\n  outputs:\n    dev:\n" + outputs


def test_duckdb_target_without_schema_builds_in_main(tmp_path):
    profile = _profile("      type: duckdb\n      path: my.dev.duckdb\n")
    project = write_project(tmp_path, {"profiles.yml": profile, "models/m.sql": TARGET_MODEL,
                                       "seeds/s.csv": "id\n1\n"})
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    # dbt-duckdb: schema `main`, database = the file name up to its first dot
    assert query(project / "my.dev.duckdb", "select s, d, t from main.m") == [("main", "my", "dev")]
    assert query(project / "my.dev.duckdb", "select id from main.s") == [(1,)]
    manifest = json.loads((project / "target/manifest.json").read_text())
    assert manifest["nodes"]["model.proj.m"]["relation_name"] == '"my"."main"."m"'


def test_duckdb_database_that_does_not_match_the_path_is_an_error(tmp_path):
    profile = _profile("      type: duckdb\n      path: dev.duckdb\n      database: prod\n")
    project = write_project(tmp_path, {"profiles.yml": profile, "models/m.sql": "select 1 as id\n"})
    for command in ("debug", "parse"):
        result = run_fusion(project, command)
        assert result.code != 0
        assert "Error:" in result.output and "profiles.yml" in result.output
        assert "database: dev" in result.output  # says what to set
        assert "Traceback" not in result.output


def test_debug_names_the_database_and_schema_it_will_use(tmp_path):
    project = write_project(tmp_path, {"profiles.yml": _profile("      type: duckdb\n      path: w.duckdb\n")})
    result = run_fusion(project, "debug")
    assert result.code == 0, result.output
    assert "database: w" in result.output and "schema: main" in result.output


@pytest.mark.parametrize(("outputs", "expected"), [
    # dbt-postgres: `dbname` is `database`
    ("      type: postgres\n      host: h\n      user: u\n      password: p\n      port: 5433\n"
     "      dbname: warehouse\n      schema: analytics\n", ["warehouse", "analytics", "5433"]),
    # dbt-databricks: `catalog` is `database`; a cluster target without one is in hive_metastore
    ("      type: databricks\n      host: h.example.com\n      http_path: sql/protocolv1/o/1/c-1\n"
     "      token: t\n      schema: s\n", ["hive_metastore", "s", "443"]),
    ("      type: databricks\n      host: h.example.com\n      http_path: sql/protocolv1/o/1/c-1\n"
     "      token: t\n      schema: s\n      catalog: main\n", ["main", "s", "443"]),
])
def test_target_and_relations_carry_the_adapters_defaults(tmp_path, outputs, expected):
    """Parse only (no connection): ``target`` as a model's config sees it, and its relation."""
    model = "{{ config(tags=[target.database, target.schema, target.port | string]) }}select 1 as id\n"
    if "databricks" in outputs:
        outputs += "      port: 443\n"
    project = write_project(tmp_path, {"profiles.yml": _profile(outputs), "models/m.sql": model})
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = json.loads((project / "target/manifest.json").read_text())["nodes"]["model.proj.m"]
    assert node["tags"] == expected
    assert (node["database"], node["schema"]) == tuple(expected[:2])


def test_spark_database_must_be_the_schema(tmp_path):
    outputs = "      type: spark\n      method: connect\n      host: 127.0.0.1\n      schema: s\n"
    same = write_project(tmp_path / "same", {"profiles.yml": _profile(outputs + "      database: s\n"),
                                             "models/m.sql": "select 1 as id\n"})
    assert run_fusion(same, "parse").code == 0
    node = json.loads((same / "target/manifest.json").read_text())["nodes"]["model.proj.m"]
    assert node["relation_name"] == "`s`.`m`"  # dbt-spark: two-part names, `database` is no catalog
    other = write_project(tmp_path / "other", {"profiles.yml": _profile(outputs + "      database: d\n"),
                                               "models/m.sql": "select 1 as id\n"})
    result = run_fusion(other, "parse")
    assert result.code != 0 and "Error:" in result.output and "profiles.yml" in result.output
    assert "differs from its `schema: s`" in result.output


@pytest.mark.parametrize(("path", "database"), [
    (":memory:", "memory"), ("dev.duckdb", "dev"), ("/x/my.db.duckdb", "my"), ("/x/.hidden.duckdb", "hidden"),
    ("md:analytics", "analytics"), ("md:", "my_db"),
])
def test_duckdb_database_named_from_the_path_before_any_adapter_exists(path, database):
    from fusion_duckdb import DuckDBAdapter

    defaults = DuckDBAdapter.target_defaults({"path": path})
    assert (defaults["database"], defaults["schema"]) == (database, "main")
