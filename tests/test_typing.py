"""The plugin contract type-checks under ``mypy --strict`` (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

CONTRACT = ["core/src/fusion/hookspecs.py", "core/src/fusion/adapter.py",
            "core/src/fusion/materializations/__init__.py"]


def test_plugin_contract_passes_mypy_strict():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", *CONTRACT], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_fusion_core_is_marked_typed():
    assert (REPO / "core" / "src" / "fusion" / "py.typed").is_file()
