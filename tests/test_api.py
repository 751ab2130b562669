"""fusion.api.FusionRunner: in-process commands, their events, results and manifest reuse."""

from __future__ import annotations

import click
from conftest import query, write_project
from fusion.api import FusionRunner
from fusion.errors import FusionError
from fusion.manifest.manifest import Manifest


def _project(root, models):
    """A project whose DuckDB file is inside it (these tests run from any working directory)."""
    return write_project(root, models, profile_path=str(root / "db.duckdb"))


MODELS = {"models/a.sql": "select 1 as id\n", "models/b.sql": "select id + 1 as id from {{ ref('a') }}\n"}


def test_callbacks_receive_each_event_of_a_build(tmp_path):
    project = _project(tmp_path, MODELS)
    seen = []
    res = FusionRunner(callbacks=[seen.append]).invoke(["build", "--project-dir", str(project)])
    assert res.success and res.exception is None
    assert [(r.unique_id, r.status) for r in res.result] == [("model.proj.a", "success"), ("model.proj.b", "success")]
    assert seen[0].name == "MainReportVersion" and seen[-1].name == "CommandCompleted"
    assert seen[-1].data["success"] is True and seen[-1].data["command"] == "build"
    (run_started,) = [e.data for e in seen if e.name == "ConcurrencyLine"]
    assert run_started == {"num_threads": 2, "target_name": "dev", "node_count": 2}
    started = [e.data["node_info"]["unique_id"] for e in seen if e.name == "NodeStart"]
    finished = [e.data for e in seen if e.name == "NodeFinished"]
    assert started == [f["node_info"]["unique_id"] for f in finished] == ["model.proj.a", "model.proj.b"]
    assert all(f["node_info"]["node_status"] == f["run_result"]["status"] == "success" for f in finished)


def test_a_parsed_manifest_is_reused_without_parsing_again(tmp_path):
    project = _project(tmp_path, MODELS)
    args = ["--project-dir", str(project), "--no-partial-parse"]
    parsed = FusionRunner().invoke(["parse", *args])
    assert parsed.success and isinstance(parsed.result, Manifest)
    (project / "models" / "b.sql").unlink()  # a parse from now on no longer knows b
    (project / "models" / "a.sql").write_text("this is not {{ valid")
    res = FusionRunner(manifest=parsed.result).invoke(["build", *args])
    assert res.success, res.exception
    assert [r.unique_id for r in res.result] == ["model.proj.a", "model.proj.b"]
    assert query(project / "db.duckdb", "select id from main.b") == [(2,)]
    reparsed = FusionRunner().invoke(["build", *args])
    assert not reparsed.success and "models/a.sql:1" in str(reparsed.exception)


def test_two_runners_one_after_the_other_keep_their_own_events_and_projects(tmp_path):
    first = _project(tmp_path / "one", MODELS)
    second = _project(tmp_path / "two", {"models/c.sql": "select 3 as id\n"})
    seen_first, seen_second = [], []
    one = FusionRunner(callbacks=[seen_first.append]).invoke(["run", "--project-dir", str(first)])
    two = FusionRunner(callbacks=[seen_second.append]).invoke(["run", "--project-dir", str(second), "-q"])
    assert one.success and two.success
    assert [r.unique_id for r in one.result] == ["model.proj.a", "model.proj.b"]
    assert [r.unique_id for r in two.result] == ["model.proj.c"]
    assert {e.data["node_info"]["unique_id"] for e in seen_second if e.name == "NodeFinished"} == {"model.proj.c"}
    assert len([e for e in seen_first if e.name == "CommandCompleted"]) == 1
    assert query(second / "db.duckdb", "select id from main.c") == [(3,)]


def test_a_failing_build_reports_its_node_results(tmp_path):
    project = _project(tmp_path, {**MODELS, "models/a.sql": "select nope from nowhere\n"})
    res = FusionRunner().invoke(["build", "--project-dir", str(project)])
    assert res.success is False and res.exception is None
    assert [(r.unique_id, r.status) for r in res.result] == [("model.proj.a", "error"), ("model.proj.b", "skipped")]


def test_an_invalid_command_or_project_gives_the_exception(tmp_path):
    unknown = FusionRunner().invoke(["bogus"])
    assert unknown.success is False and isinstance(unknown.exception, click.UsageError)
    bad_option = FusionRunner().invoke(["run", "--no-such-option"])
    assert isinstance(bad_option.exception, click.UsageError)
    missing = FusionRunner().invoke(["run", "--project-dir", str(tmp_path)])
    assert missing.success is False and isinstance(missing.exception, FusionError)
    assert "dbt_project.yml" in str(missing.exception)
