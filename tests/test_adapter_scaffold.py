"""``fusion adapter new`` (fusion-adapter-tests): the scaffolded distribution installs, Fusion finds
it through its entry point, and it passes the conformance suite on DuckDB with no core edits.

It is installed the cheapest honest way: pip builds it from its own pyproject (offline, with the
test venv's setuptools) into a folder of its own, which the child processes get on PYTHONPATH;
the test venv itself is left as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import run_fusion


@pytest.mark.slow
def test_scaffolded_adapter_installs_and_passes_the_conformance_suite(tmp_path):
    made = run_fusion(tmp_path, "adapter", "new", "acme_db")
    assert made.code == 0, made.output
    root = tmp_path / "fusion-acme-db"
    site = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                          "--no-index", "--target", str(site), str(root)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}

    plugins = run_fusion(tmp_path, "plugins", "list", env=env)
    assert "adapter acme_db: driver duckdb" in plugins.output and "fusion-acme-db" in plugins.output, plugins.output

    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(root / "tests")],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert suite.returncode == 0, suite.stdout[-20000:] + suite.stderr
    summary = re.search(r"(\d+) passed(, (\d+) skipped)?", suite.stdout)  # the kit's, printed by the scaffold's test
    assert summary and int(summary[1]) >= 10 and "failed" not in suite.stdout, suite.stdout


def test_adapter_new_refuses_bad_names_and_existing_folders(tmp_path):
    bad = run_fusion(tmp_path, "adapter", "new", "Acme-DB")
    assert bad.code != 0 and "Error: 'Acme-DB' is not a valid adapter name" in bad.output, bad.output
    assert not any(tmp_path.iterdir())
    assert run_fusion(tmp_path, "adapter", "new", "acme").code == 0
    again = run_fusion(tmp_path, "adapter", "new", "acme")
    assert again.code != 0 and "already exists" in again.output and "Traceback" not in again.output, again.output
