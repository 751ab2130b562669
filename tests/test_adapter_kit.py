"""The conformance kit's own command line: a target it cannot use stops the run with one clear line."""

from __future__ import annotations

from fusion_adapter_tests import run_conformance


def test_unknown_target_is_a_usage_error(tmp_path):
    (tmp_path / "profiles.yml").write_text("p:\n  target: dev\n  outputs:\n    dev: {type: duckdb, schema: main}\n")
    result = run_conformance(tmp_path, "prod", cwd=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage-error code: nothing ran
    assert f"ERROR: profile 'p' in {tmp_path / 'profiles.yml'} has no target 'prod' with a `schema`" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
