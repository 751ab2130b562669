"""fusion source freshness on DuckDB and PostgreSQL, compared with dbt Core (tests/expected/freshness)."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from conftest import REPO, SCHEMAS, run_fusion, write_project
from warehouses import warehouse  # noqa: F401 - the fixture

FIXTURE = REPO / "tests" / "fixtures" / "freshness"
EXPECTED = json.loads((REPO / "tests" / "expected" / "freshness" / "expected.json").read_text())
KEYS = ("freshness", "loaded_at_field", "loaded_at_query")


def _project(warehouse, tmp_path):  # noqa: F811
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    warehouse.project(root, {"dbt_project.yml": (FIXTURE / "dbt_project.yml").read_text()})
    if warehouse.name == "postgres":
        warehouse.query("create schema if not exists main")
    for statement in (FIXTURE / "setup.sql").read_text().split(";"):
        if statement.strip():
            warehouse.query(statement)
    return root


def test_statuses_exit_code_and_sources_json_match_dbt(warehouse, tmp_path):  # noqa: F811
    project = _project(warehouse, tmp_path)
    result = run_fusion(project, "source", "freshness")
    assert result.code == EXPECTED["exit_code"] == 1, result.output
    document = json.loads((project / "target" / "sources.json").read_text())
    jsonschema.Draft202012Validator(json.loads((SCHEMAS / "sources" / "v3.json").read_text())).validate(document)
    assert {r["unique_id"]: r["status"] for r in document["results"]} == EXPECTED["statuses"]
    assert "ERROR STALE freshness of raw.stale_err" in result.output
    assert "no 'loaded_at_field' provided" in result.output  # raw.nofield: a runtime error, left out of the file
    assert "Traceback" not in result.output
    stale = next(r for r in document["results"] if r["unique_id"] == "source.proj.raw.stale_err")
    assert 3 * 86400 - 600 < stale["max_loaded_at_time_ago_in_s"] < 3 * 86400 + 600
    empty = next(r for r in document["results"] if r["unique_id"] == "source.proj.raw.empty")
    assert empty["max_loaded_at"].startswith("0001-01-01")  # no rows: infinitely old, as in dbt


def test_selection_output_path_and_warn_exit_code(warehouse, tmp_path):  # noqa: F811
    project = _project(warehouse, tmp_path)
    result = run_fusion(project, "source", "freshness", "-s", "source:raw.stale_warn", "source:raw.fresh",
                        "-o", "out/fresh.json")
    assert result.code == 0, result.output  # a warning is no failure
    document = json.loads((project / "out" / "fresh.json").read_text())
    assert sorted(r["unique_id"] for r in document["results"]) == ["source.proj.raw.fresh",
                                                                  "source.proj.raw.stale_warn"]
    assert not (project / "target" / "sources.json").exists()


def test_manifest_freshness_precedence_matches_dbt(tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(FIXTURE, project)
    write_project(project, {"dbt_project.yml": (FIXTURE / "dbt_project.yml").read_text()})
    assert run_fusion(project, "parse").code == 0
    sources = json.loads((project / "target" / "manifest.json").read_text())["sources"]
    got = {uid: {**{k: s[k] for k in KEYS}, "config": {k: s["config"].get(k) for k in KEYS}}
           for uid, s in sources.items()}
    assert got == EXPECTED["sources"]


@pytest.mark.parametrize(("yaml", "what"), [
    ("freshness: {warn_after: {count: 1, period: week}}", "period"),
    ("freshness: {warn_after: {count: soon, period: day}}", "count"),
    ("freshness: 12", "freshness"),
    ("loaded_at_field: a\n        loaded_at_query: select 1", "both loaded_at_field and loaded_at_query"),
])
def test_bad_freshness_config_names_the_file(tmp_path, yaml, what):
    project = write_project(tmp_path, {"models/s.yml": f"sources:\n  - name: s\n    tables:\n      - name: t\n"
                                                      f"        {yaml}\n"})
    result = run_fusion(project, "source", "freshness")
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert "models/s.yml" in result.output and what in result.output, result.output


FRESHER = {
    "models/s.yml": "sources:\n  - name: raw\n    schema: main\n    loaded_at_field: loaded_at\n"
                    "    freshness: {warn_after: {count: 1, period: day}}\n    tables:\n      - name: a\n      - name: b\n",
    "models/m_a.sql": "select * from {{ source('raw', 'a') }}",
    "models/m_b.sql": "select * from {{ source('raw', 'b') }}",
}


def test_source_status_fresher_selects_sources_with_newer_data_and_their_children(warehouse, tmp_path):  # noqa: F811
    project = warehouse.project(tmp_path / "proj", FRESHER)
    if warehouse.name == "postgres":
        warehouse.query("create schema if not exists main")
    for name in ("a", "b"):
        warehouse.query(f"create table main.{name} as select cast('2024-01-01 00:00:00' as timestamp) as loaded_at")
    assert run_fusion(project, "source", "freshness").code == 0  # both stale: warnings
    result = run_fusion(project, "ls", "-s", "source_status:fresher+")
    assert result.code == 2 and "--state" in result.output, result.output
    shutil.copytree(project / "target", project / "prev")
    warehouse.query("insert into main.a values (cast('2024-01-02 00:00:00' as timestamp))")
    run_fusion(project, "source", "freshness")
    result = run_fusion(project, "ls", "--output", "name", "-s", "source_status:fresher+", "--state", "prev")
    assert result.code == 0, result.output
    assert set(result.stdout.split()) == {"raw.a", "m_a"}  # a source's name is source.table, as in dbt
    result = run_fusion(project, "run", "-s", "source_status:fresher+", "--state", "prev")
    assert result.code == 0, result.output
    built = [r["unique_id"] for r in json.loads((project / "target" / "run_results.json").read_text())["results"]]
    assert built == ["model.proj.m_a"]
