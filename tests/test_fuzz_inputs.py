"""Random and mutated project inputs never crash `fusion parse`/`ls`: exit 0, or one clean `Error:`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import write_project
from fusion.cli import cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], database=None)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=6),
                    st.sampled_from(["proj", "a", "dev", "duckdb", "{{ var('x') }}", "+tag", "table", "*"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(
        ["proj", "a", "+materialized", "+tags", "name", "config", "columns", "meta"])), inner, max_size=3)),
    max_leaves=8)

PROJECT_KEYS = ["name", "profile", "version", "config-version", "model-paths", "seed-paths", "macro-paths",
                "target-path", "vars", "models", "seeds", "data_tests", "on-run-start", "dispatch", "quoting",
                "clean-targets", "require-dbt-version", "flags", "query-comment"]
SCHEMA_KEYS = ["name", "description", "config", "columns", "data_tests", "tests", "meta", "tags", "docs",
               "constraints", "versions", "latest_version", "access", "group", "unit_tests"]
MODEL = "select 1 as id\n"


def _mutated(base: dict, changes: list[tuple[str, object]]) -> dict:
    return {**base, **dict(changes)}


def _run(files: dict[str, str], *args: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fusion-fuzz-"))
    try:
        project = write_project(folder, {"models/a.sql": MODEL, **files})
        result = CliRunner().invoke(cli, [*args, "--project-dir", str(project), "--profiles-dir", str(project),
                                          "--no-partial-parse"], catch_exceptions=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args} crashed on {files!r}: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if result.exit_code != 0:
        assert "Error" in result.output, (files, args, result.output)


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PROJECT_KEYS), values), min_size=1, max_size=3))
def test_mutated_dbt_project_yml(changes):
    doc = _mutated({"name": "proj", "profile": "proj", "config-version": 2}, changes)
    _run({"dbt_project.yml": _dump(doc)}, "parse")


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(SCHEMA_KEYS), values), min_size=1, max_size=3),
       st.sampled_from(["models", "seeds", "sources", "macros", "snapshots", "exposures", "unit_tests"]))
def test_mutated_schema_yml(changes, section):
    entry = _mutated({"name": "a"}, changes)
    _run({"models/schema.yml": _dump({"version": 2, section: [entry]})}, "parse")


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["target", "outputs", "dev", "type", "threads", "path", "schema"]),
                          values), min_size=1, max_size=3))
def test_mutated_profiles_yml(changes):
    target = {"type": "duckdb", "path": "db.duckdb", "schema": "main"}
    profile = {"target": "dev", "outputs": {"dev": target}}
    for key, value in changes:
        if key in ("target", "outputs"):
            profile[key] = value
        elif key == "dev":
            profile["outputs"] = {"dev": value}
        else:
            target[key] = value
    _run({"profiles.yml": _dump({"proj": profile})}, "ls")


@SETTINGS
@given(st.one_of(st.text(max_size=20), values.map(_dump), st.sampled_from(["{a: [1, 2", "[1]", "a: b: c", "{"])))
def test_random_vars(text):
    _run({}, "parse", "--vars", text)


selector_words = st.text(alphabet="a+@*:.,/_-1 tagpthsource", min_size=1, max_size=12)


@SETTINGS
@given(st.lists(selector_words, min_size=1, max_size=3), st.booleans())
def test_random_select(words, exclude):
    _run({"models/b.sql": "select * from {{ ref('a') }}\n"}, "ls", "--exclude" if exclude else "--select", *words)


@SETTINGS
@given(st.text(max_size=80))
def test_random_yaml_text(text):
    _run({"models/schema.yml": text, "dbt_project.yml": "name: proj\nprofile: proj\nvars: " + text[:20] + "\n"},
         "parse")
