"""selectors.yml and --selector, compared with dbt Core's `ls` on examples/shop (tests/expected/selectors)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import EXAMPLES, REPO, run_fusion, write_project

EXPECTED = REPO / "tests" / "expected" / "selectors"
CASES = json.loads((EXPECTED / "cases.json").read_text())


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("selectors") / "shop"
    shutil.copytree(EXAMPLES / "shop", root, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    shutil.copy(REPO / "tests" / "fixtures" / "selectors" / "selectors.yml", root)
    return root


@pytest.fixture(scope="module")
def expected():
    return json.loads((EXPECTED / "expected.json").read_text())


def _ids(result) -> list[str]:
    assert result.code == 0, result.output
    ids = [json.loads(line)["unique_id"] for line in result.stdout.splitlines() if line.startswith("{")]
    return sorted(i for i in ids if not i.startswith("analysis."))


@pytest.mark.parametrize("case", sorted(CASES))
def test_ls_selects_what_dbt_selects(project, expected, case):
    assert _ids(run_fusion(project, "ls", "-q", "--output", "json", *CASES[case])) == expected["ls"][case]


def test_manifest_lists_the_selectors_as_dbt_does(project, expected):
    assert run_fusion(project, "parse").code == 0
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert manifest["selectors"] == expected["manifest_selectors"]


SMALL = {
    "models/a.sql": "select 1 as id",
    "models/b.sql": "select * from {{ ref('a') }}",
    "models/c.sql": "{{ config(tags=['nightly']) }} select * from {{ ref('a') }}",
}


def test_default_selector_decides_what_a_plain_build_builds(tmp_path):
    project = write_project(tmp_path, {**SMALL, "selectors.yml":
                                       "selectors:\n  - name: n\n    default: true\n    definition: '+tag:nightly'\n"})
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    built = {r["unique_id"] for r in json.loads((project / "target" / "run_results.json").read_text())["results"]}
    assert built == {"model.proj.a", "model.proj.c"}
    result = run_fusion(project, "run", "-s", "b")  # an explicit selection replaces the default
    assert result.code == 0, result.output
    built = {r["unique_id"] for r in json.loads((project / "target" / "run_results.json").read_text())["results"]}
    assert built == {"model.proj.b"}


@pytest.mark.parametrize("command", ["seed", "snapshot", "compile", "test", "run"])
def test_every_selecting_command_takes_selector(tmp_path, command):
    project = write_project(tmp_path, {**SMALL, "selectors.yml":
                                       "selectors:\n  - name: n\n    definition: {method: fqn, value: a}\n"})
    result = run_fusion(project, command, "--selector", "n")
    assert result.code == 0, result.output
    if command == "run":
        results = json.loads((project / "target" / "run_results.json").read_text())["results"]
        assert [r["unique_id"] for r in results] == ["model.proj.a"]


BAD = [
    ("selectors:\n  - name: ok\n    definition: a\n  - name: bad\n    definition:\n      method: colour\n"
     "      value: red\n", ["--selector", "ok"], "selectors.yml:4:", "colour"),
    ("selectors:\n  - name: one\n    definition: {method: selector, value: two}\n"
     "  - name: two\n    definition: {union: [a, {method: selector, value: one}]}\n",
     ["--selector", "one"], "selectors.yml:", "cycle"),
    ("selectors:\n  - name: one\n    definition: a\n", ["--selector", "nope"], "selectors.yml", "'nope'"),
    ("selectors:\n  - name: one\n    definition: a\n", ["-s", "selector:nope"], "selectors.yml", "'nope'"),
    ("selectors:\n  - name: x\n    definition: {union: a}\n", [], "selectors.yml:2:", "must be a list"),
    ("selectors:\n  - name: x\n    default: true\n    definition: a\n  - name: y\n    default: true\n"
     "    definition: b\n", [], "selectors.yml", "default: true"),
    ("selectors:\n  - name: x\n    definition: [a\n", [], "selectors.yml:", "invalid YAML"),
    ("selectors:\n  - name: x\n    definition: \"{{ var('missing') }}\"\n", [], "selectors.yml", "missing"),
]


@pytest.mark.parametrize(("text", "args", "where", "what"), BAD)
def test_bad_selectors_give_a_clear_error(tmp_path, text, args, where, what):
    project = write_project(tmp_path, {**SMALL, "selectors.yml": text})
    result = run_fusion(project, "ls", *args)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert where in result.output and what in result.output, result.output


def test_an_edited_selectors_file_reaches_the_manifest(tmp_path):
    project = write_project(tmp_path, {**SMALL, "selectors.yml":
                                       "selectors:\n  - name: one\n    definition: \"{{ env_var('SEL', 'a') }}\"\n"})
    for text, env, want in [(None, "a", {"method": "fqn", "value": "a"}),
                            (None, "b", {"method": "fqn", "value": "b"}),
                            ("selectors:\n  - name: one\n    definition: c+\n", "b",
                             {"method": "fqn", "value": "c", "children": True})]:
        if text:
            (project / "selectors.yml").write_text(text)
        assert run_fusion(project, "parse", env={**os.environ, "SEL": env}).code == 0
        manifest = json.loads((project / "target" / "manifest.json").read_text())
        assert manifest["selectors"]["one"]["definition"] == want
