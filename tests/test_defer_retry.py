"""--defer / --favor-state (refs read the --state run's relations) and `fusion retry`."""

from __future__ import annotations

import json
import os
import re
import shutil

from conftest import run_fusion
from warehouses import warehouse  # noqa: F401 - the fixture

FILES = {
    "models/raw.sql": "{{ config(materialized='table') }}\nselect 1 as id union all select 2 as id",
    "models/stg.sql": "select id from {{ ref('raw') }}",
    "models/mart.sql": "{{ config(materialized='table') }}\nselect id from {{ ref('stg') }}",
    "models/schema.yml": "version: 2\nmodels:\n  - name: mart\n    columns: [{name: id, data_tests: [unique]}]\n",
}


def _with_ci_target(profile: str) -> str:
    """The profile plus a ``ci`` output: the same warehouse, schema ``ci``."""
    dev = profile.split("    dev:\n", 1)[1]
    return profile + "    ci:\n" + re.sub(r'schema: "?main"?', "schema: ci", dev)


def _prod(warehouse, tmp_path):  # noqa: F811
    project = warehouse.project(tmp_path / "p", FILES)
    (project / "profiles.yml").write_text(_with_ci_target(warehouse.profile))
    assert run_fusion(project, "build").code == 0
    shutil.copytree(project / "target", project / "prod")
    return project


def _compiled(project, name):
    return (project / "target" / "compiled" / "proj" / "models" / f"{name}.sql").read_text()


def test_defer_reads_unbuilt_parents_from_state(warehouse, tmp_path):  # noqa: F811
    project = _prod(warehouse, tmp_path)
    (project / "models/mart.sql").write_text("{{ config(materialized='table') }}\n"
                                             "select id * 10 as id from {{ ref('stg') }}")
    result = run_fusion(project, "build", "-s", "state:modified+", "--defer", "--state", "prod", "--target", "ci")
    assert result.code == 0, result.output
    assert sorted(warehouse.query("select id from ci.mart")) == [(10,), (20,)]
    assert '"main"."stg"' in _compiled(project, "mart")
    # without --defer the same selection cannot find stg in the ci schema
    assert run_fusion(project, "build", "-s", "mart", "--target", "ci").code == 1


def test_defer_prefers_the_current_relation_unless_favor_state(warehouse, tmp_path):  # noqa: F811
    project = _prod(warehouse, tmp_path)
    assert run_fusion(project, "run", "-s", "raw", "stg", "--target", "ci").code == 0
    assert run_fusion(project, "run", "-s", "mart", "--defer", "--state", "prod", "--target", "ci").code == 0
    assert '"ci"."stg"' in _compiled(project, "mart")
    env = {**os.environ, "DBT_DEFER": "1", "DBT_STATE": "prod", "DBT_FAVOR_STATE": "true"}
    assert run_fusion(project, "run", "-s", "mart", "--target", "ci", env=env).code == 0
    assert '"main"."stg"' in _compiled(project, "mart")


def test_retry_reruns_errors_and_skips_with_the_same_flags(warehouse, tmp_path):  # noqa: F811
    project = _prod(warehouse, tmp_path)
    mart = project / "models/mart.sql"
    good = mart.read_text()
    mart.write_text("select id from nowhere_at_all")
    failed = run_fusion(project, "build", "-s", "mart+", "--defer", "--state", "prod", "--target", "ci")
    assert failed.code == 1
    mart.write_text(good)
    retried = run_fusion(project, "retry")
    assert retried.code == 0, retried.output
    results = json.loads((project / "target" / "run_results.json").read_text())
    assert sorted((r["unique_id"].rsplit(".", 1)[0] if r["unique_id"].startswith("test.") else r["unique_id"],
                   r["status"]) for r in results["results"]) == [
        ("model.proj.mart", "success"), ("test.proj.unique_mart_id", "pass")]
    assert results["args"]["target"] == "ci" and results["args"]["which"] == "build"
    assert sorted(warehouse.query("select id from ci.mart")) == [(1,), (2,)]
    again = run_fusion(project, "retry")
    assert again.code == 0 and "Nothing to retry" in again.output
    assert json.loads((project / "target" / "run_results.json").read_text())["results"] == []


def test_retry_without_a_previous_run_is_a_clear_error(tmp_path):
    from conftest import write_project

    project = write_project(tmp_path / "p", {"models/m.sql": "select 1 as id"})
    result = run_fusion(project, "retry")
    assert result.code == 2
    assert "Error: could not find a previous run" in result.output and "Traceback" not in result.output


def test_defer_without_state_is_a_clear_error(tmp_path):
    from conftest import write_project

    project = write_project(tmp_path / "p", {"models/m.sql": "select 1 as id"})
    result = run_fusion(project, "run", "--defer")
    assert result.code == 2 and "Error: --defer needs" in result.output


def test_clone_makes_views_over_the_state_relations(warehouse, tmp_path):  # noqa: F811
    project = _prod(warehouse, tmp_path)
    assert run_fusion(project, "run", "-s", "raw", "--target", "ci").code == 0
    warehouse.query("insert into ci.raw values (3)")
    result = run_fusion(project, "clone", "--state", "prod", "--target", "ci")
    assert result.code == 0, result.output
    assert "already exists" in result.output  # ci.raw is kept: no --full-refresh
    assert sorted(warehouse.query("select id from ci.mart")) == [(1,), (2,)]
    assert sorted(warehouse.query("select id from ci.raw")) == [(1,), (2,), (3,)]
    warehouse.query("insert into main.mart values (7)")
    assert (7,) in warehouse.query("select id from ci.mart")  # a view over prod's table, not a copy
    assert run_fusion(project, "clone", "--state", "prod", "--target", "ci", "-s", "raw", "--full-refresh").code == 0
    assert sorted(warehouse.query("select id from ci.raw")) == [(1,), (2,)]
    results = json.loads((project / "target" / "run_results.json").read_text())
    assert [(r["unique_id"], r["status"]) for r in results["results"]] == [("model.proj.raw", "success")]


def test_clone_without_state_is_a_clear_error(tmp_path):
    from conftest import write_project

    project = write_project(tmp_path / "p", {"models/m.sql": "select 1 as id"})
    result = run_fusion(project, "clone")
    assert result.code == 2 and "Error: clone needs" in result.output and "Traceback" not in result.output
