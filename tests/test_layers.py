"""One direction of flow: the import-linter layers contract in pyproject.toml holds for fusion-core,
breaks on an import that points up (a lazy one inside a function included), and names every module."""

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
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_pointing_up_breaks_the_contract(tmp_path):
    """The manifest reaching into execution from inside a function, as artifacts.py once did."""
    shutil.copytree(PACKAGE, tmp_path / "fusion", ignore=shutil.ignore_patterns("__pycache__"))
    nodes = tmp_path / "fusion" / "manifest" / "nodes.py"
    nodes.write_text(nodes.read_text() + "\n\ndef _late():\n    from fusion.execution.results import NodeResult\n"
                     "    return NodeResult\n")
    result = _lint(tmp_path, pythonpath=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fusion.manifest is not allowed to import fusion.execution" in result.stdout
    assert "fusion.manifest.nodes -> fusion.execution.results" in result.stdout


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
