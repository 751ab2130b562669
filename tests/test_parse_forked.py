"""A cold parse on two cores (fusion.parse.forked): children render and build, the parent merges in
file order, and whatever a child could not do quietly is done by the parent as a sequential parse."""

from __future__ import annotations

import json
import os

from conftest import write_project
from fusion import events
from fusion.api import FusionRunner
from fusion.parse import forked


def _work(item):
    if item == "raise":
        raise ValueError("boom")
    if item == "warn":
        events.emit("Something", "a warning", level="warn")
    if item == "unpicklable":
        return lambda: None
    return (item, os.getpid())


def test_two_children_split_the_items_and_leave_out_what_failed_or_spoke(monkeypatch):
    monkeypatch.setattr(forked, "MIN_ITEMS", 2)
    items = [(i, f"x{i}") for i in range(6)] + [(6, "raise"), (7, "warn"), (8, "unpicklable")]
    done = forked.in_two(items, _work)
    assert sorted(done) == list(range(6))
    assert {done[i][0] for i in range(6)} == {f"x{i}" for i in range(6)}
    pids = {pid for _, pid in done.values()}
    assert len(pids) == 2 and os.getpid() not in pids  # the parent ran none of them


def test_few_items_are_left_to_the_caller():
    assert forked.in_two([(1, "x")], _work) == {}


def _models(n: int) -> dict[str, str]:
    files = {"models/m0.sql": "{{ config(materialized='table') }}\nselect 1 as id"}
    for i in range(1, n):
        files[f"models/m{i}.sql"] = f"select id from {{{{ ref('m{i - 1}') }}}}\n-- {'x' * (i % 3)}"
    files["models/schema.yml"] = "version: 2\nmodels:\n" + "".join(
        f"  - name: m{i}\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n"
        for i in range(n))
    return files


def _parse(project, monkeypatch, min_items: int, callbacks=()) -> tuple[object, dict]:
    monkeypatch.setattr(forked, "MIN_ITEMS", min_items)
    result = FusionRunner(callbacks=list(callbacks)).invoke(
        ["parse", "--project-dir", str(project), "--profiles-dir", str(project), "--no-partial-parse"])
    if not result.success:
        return result, {}
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    for key in ("generated_at", "invocation_id", "invocation_started_at", "run_started_at"):
        manifest["metadata"].pop(key)
    for section in ("nodes", "sources"):
        for node in manifest[section].values():
            node.pop("created_at", None)
    return result, manifest


def test_a_forked_parse_writes_the_sequential_manifest(tmp_path, monkeypatch):
    project = write_project(tmp_path, _models(12))
    _, sequential = _parse(project, monkeypatch, 10_000)
    _, parallel = _parse(project, monkeypatch, 2)
    assert len(parallel["nodes"]) == 36
    assert json.dumps(parallel) == json.dumps(sequential)  # same content, same order


def test_warnings_and_errors_of_a_forked_parse_come_out_once_and_in_order(tmp_path, monkeypatch):
    files = _models(12)
    files["models/m3.sql"] = "{{ log('from m3', info=True) }}select 1 as id"
    files["models/m7.sql"] = "{{ log('from m7', info=True) }}select 1 as id"
    project = write_project(tmp_path, files)
    seen: list = []
    result, _ = _parse(project, monkeypatch, 2, [seen.append])
    assert result.success
    assert [e.message for e in seen if e.message.startswith("from m")] == ["from m3", "from m7"]

    (project / "models" / "m5.sql").write_text("select {{ ref( }}")
    (project / "models" / "m9.sql").write_text("select {% if %}")
    errors = []
    for min_items in (10_000, 2):
        result, _ = _parse(project, monkeypatch, min_items)
        assert not result.success
        errors.append(str(result.exception))
    assert errors[0] == errors[1] and "m5.sql" in errors[0]


def test_a_bad_properties_file_fails_a_forked_parse_as_a_sequential_one(tmp_path, monkeypatch):
    files = _models(4)
    files["models/a_more.yml"] = "version: 2\nmodels:\n  - description: no name\n"
    files["models/z_more.yml"] = "version: 2\nmodels: [\n"
    project = write_project(tmp_path, files)
    errors = []
    for min_items in (10_000, 2):
        result, _ = _parse(project, monkeypatch, min_items)
        assert not result.success
        errors.append(str(result.exception))
    assert errors[0] == errors[1] and "a_more.yml" in errors[0] and "needs a `name`" in errors[0]
