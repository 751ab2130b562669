"""One direction of flow: the import-linter contracts in pyproject.toml hold for fusion-core and break
on an import that points up or closes a cycle (lazy ones inside functions included); every module
has a layer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import fusion

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"
PACKAGE = Path(fusion.__file__).resolve().parent


def _lint(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", str(CONFIG), "--no-cache"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_fusion_core_keeps_the_layers_contract(tmp_path):
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _lint_with_late_import(tmp_path: Path, module: str, imported: str) -> subprocess.CompletedProcess:
    """Lint a copy of fusion-core in which ``module`` imports ``imported`` inside a function."""
    shutil.copytree(PACKAGE, tmp_path / "fusion", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n\ndef _late():\n    import {imported}\n\n    return {imported}\n")
    return _lint(tmp_path, pythonpath=tmp_path)


def test_an_import_pointing_up_breaks_the_contract(tmp_path):
    """The manifest reaching into execution, as manifest/artifacts.py once did."""
    result = _lint_with_late_import(tmp_path, "fusion.manifest.nodes", "fusion.execution.results")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fusion.manifest is not allowed to import fusion.execution" in result.stdout
    assert "fusion.manifest.nodes -> fusion.execution.results" in result.stdout


def test_a_cycle_inside_one_layer_breaks_the_contract(tmp_path):
    """execution.runner imports execution.results; the way back closes a cycle."""
    result = _lint_with_late_import(tmp_path, "fusion.execution.results", "fusion.execution.runner")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 kept, 1 broken" in result.stdout
    assert "No cycles are allowed in fusion.execution" in result.stdout


def _layer_modules() -> set[str]:
    layers = tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    return {name.strip() for layer in layers for name in layer.split("|")}


def _modules_in(folder: Path, prefix: str) -> set[str]:
    return {f"{prefix}.{path.stem}" for path in folder.iterdir()
            if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()}


def test_every_module_of_fusion_core_has_a_layer():
    """A new module must say where it sits; fusion.jinja holds two layers, so its modules are named."""
    named = _layer_modules()
    modules = (_modules_in(PACKAGE, "fusion") - {"fusion.jinja"}) | _modules_in(PACKAGE / "jinja", "fusion.jinja")
    assert sorted(modules - named) == []
    assert sorted(named - modules) == []
