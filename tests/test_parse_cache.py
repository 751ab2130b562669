"""The parse cache: a cached or partly cached parse writes the same manifest as a cold parse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CliResult, run_fusion

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_project.py"
VOLATILE = {"created_at", "generated_at", "invocation_id", "invocation_started_at", "run_started_at"}
PROFILE = ("synthetic:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: db.duckdb\n"
           "      schema: main\n      threads: 2\n")


def _stable(value):
    """A manifest without the fields that differ between any two runs (times, invocation id)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _manifest_text(project: Path, target: str) -> str:
    data = json.loads((project / target / "manifest.json").read_text())
    return json.dumps(_stable(data), indent=1)  # keeps key order: node order must match too


def _cached_parse(project: Path, *args: str) -> CliResult:
    """A parse in a child process (``env`` given), as the next command runs: all it knows of
    earlier parses is what the cache files hold."""
    return run_fusion(project, "parse", *args, env=dict(os.environ))


def _parse_both(project: Path, *args: str) -> str:
    """Parse with the cache, then cold (in this process) into another folder; return the cached
    run's output."""
    cached = _cached_parse(project, *args)
    assert cached.code == 0, cached.output
    cold = run_fusion(project, "parse", "--no-partial-parse", "--target-path", "cold", *args)
    assert cold.code == 0, cold.output
    assert _manifest_text(project, "target") == _manifest_text(project, "cold")
    return cached.stdout


@pytest.fixture
def generated(tmp_path) -> Path:
    if not GENERATOR.exists():
        pytest.skip(f"the benchmark generator is not at {GENERATOR}")
    project = tmp_path / "gen"
    subprocess.run([sys.executable, str(GENERATOR), "25", str(project)], check=True, capture_output=True)
    (project / "profiles.yml").write_text(PROFILE)
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_cached_parses_equal_cold_parses_through_a_sequence_of_edits(generated, monkeypatch):
    project = generated
    monkeypatch.setenv("SYNTH_SUFFIX", "a")
    first = _parse_both(project)
    assert "nothing changed" not in first
    again = _cached_parse(project)
    assert "nothing changed" in again.stdout, again.output

    models = sorted((project / "models").rglob("*.sql"))
    staging = next(p for p in models if p.name.startswith("stg_"))
    mart = next(p for p in models if p.name.startswith(("fct_", "dim_")))
    yml = next((project / "models").rglob("_*models.yml"))

    # a model's text: only that file is re-rendered, the manifest is still a cold parse's
    _edit(staging, "select", "select 1 as added_column,\n    ")
    assert "nothing changed" not in _parse_both(project)
    # a new ref in a model changes the DAG
    _edit(mart, "select * from final", f"select * from final cross join {{{{ ref('{staging.stem}') }}}}")
    _parse_both(project)
    # a new model, then its removal
    (project / "models" / "extra_model.sql").write_text(f"select * from {{{{ ref('{staging.stem}') }}}}\n")
    _parse_both(project)
    (project / "models" / "extra_model.sql").unlink()
    _parse_both(project)
    # a macro used by staging models
    _edit(project / "macros" / "cents_to_dollars.sql", "/ 100", "/ 100.0")
    _parse_both(project)
    # properties YAML: a new generic test
    _edit(yml, "        description: Amount in dollars.\n",
          "        description: Amount in dollars.\n        data_tests: [not_null]\n")
    _parse_both(project)
    # a project var read by configs, then --vars on the command line
    _edit(project / "dbt_project.yml", "synthetic_all_views: false", "synthetic_all_views: true")
    _parse_both(project)
    _parse_both(project, "--vars", "{synthetic_all_views: false}")
    # an environment variable read by a model at parse time
    (project / "models" / "from_env.sql").write_text(
        "{{ config(alias='from_env_' ~ env_var('SYNTH_SUFFIX')) }}\nselect 1 as id\n")
    _parse_both(project)
    monkeypatch.setenv("SYNTH_SUFFIX", "b")
    changed = _parse_both(project)
    assert "nothing changed" not in changed
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert manifest["nodes"]["model.synthetic.from_env"]["alias"] == "from_env_b"


def test_nothing_changed_keeps_the_manifest_and_a_damaged_cache_is_ignored(generated):
    project = generated
    assert _cached_parse(project).code == 0
    manifest = project / "target" / "manifest.json"
    before = manifest.stat().st_mtime_ns
    result = _cached_parse(project)
    assert "nothing changed" in result.stdout and manifest.stat().st_mtime_ns == before
    manifest.write_text(manifest.read_text())  # someone else rewrote it: parse writes it again
    assert "nothing changed" not in _cached_parse(project).stdout
    damaged = sorted((project / "target").glob("fusion_*"))
    assert {p.name for p in damaged} >= {"fusion_parse_state.json", "fusion_template_code.marshal"}
    for cache_file in damaged:
        cache_file.write_bytes(b"\x80garbage")
    result = _cached_parse(project)
    assert result.code == 0, result.output
    assert "nothing changed" not in result.stdout
    assert run_fusion(project, "parse", "--no-partial-parse", "--target-path", "cold").code == 0
    assert _manifest_text(project, "target") == _manifest_text(project, "cold")


def test_a_cycle_is_reported_again_on_the_next_parse(tmp_path):
    from conftest import write_project

    project = write_project(tmp_path, {"models/a.sql": "select * from {{ ref('b') }}",
                                       "models/b.sql": "select * from {{ ref('a') }}"})
    for _ in range(2):
        result = run_fusion(project, "parse")
        assert result.code != 0 and "cycle" in result.output.lower(), result.output
