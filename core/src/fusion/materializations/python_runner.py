"""Running a Python model locally: its inputs read as Arrow through the adapter's connection,
``model(dbt, session)`` called in a child process (``python_child``) with a time limit, and its
result read back as Arrow IPC (data only: nothing from the child is unpickled or evaluated).

Running a model is an explicit act, as in dbt (the parse only reads the file with ``ast``); the
policy key ``allow_python_models = false`` (user or project level) turns it off.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from fusion import events
from fusion.errors import CompilationError, DatabaseError, FusionError, Interrupted
from fusion.materializations.python_job import python_job
from fusion.relation import Relation

#: seconds a model may run when its config sets no ``timeout``
DEFAULT_TIMEOUT = 3600
#: how often a running model checks its timeout and whether the run was interrupted
POLL_SECONDS = 0.2


def run_python_model(ctx, is_incremental: bool) -> pa.Table:
    """Run the model of ``ctx`` in a child process; return its result."""
    node, adapter = ctx.node, ctx.adapter
    path = node.original_file_path
    _check_allowed(adapter, path)
    job = python_job(node, ctx.namespace)
    timeout = _timeout(node.config.get("timeout"), path)
    with tempfile.TemporaryDirectory(prefix="fusion-python-") as tmp:
        folder = Path(tmp)
        inputs = {"refs": {}, "sources": {}}
        for kind, relations in (("refs", job.refs), ("sources", job.sources)):
            for key, relation in relations.items():
                inputs[kind][key] = _stage_input(adapter, relation, folder, f"{kind}-{len(inputs[kind])}.arrow")
        this = _describe(job.this)
        if is_incremental and job.reads_this:
            this = _stage_input(adapter, job.this, folder, "this.arrow")
        # the file's own line numbers: raw_code is stripped of leading blank lines
        (folder / "model.py").write_text("\n" * (node.raw_code_line - 1) + node.raw_code, encoding="utf-8")
        (folder / "job.json").write_text(json.dumps({
            "model_path": path, **inputs, "this": this, "is_incremental": is_incremental,
            "config": job.config, "meta": job.meta}, default=str), encoding="utf-8")
        _run_child(adapter, folder, path, timeout, Path(node.root_path or "."))
        if (folder / "error.json").is_file():
            raise _model_error(json.loads((folder / "error.json").read_text(encoding="utf-8")), path)
        with pa.memory_map(str(folder / "result.arrow")) as source:
            return ipc.open_file(source).read_all()


def _check_allowed(adapter, path: str) -> None:
    from fusion.drivers import driver_manager

    policy = (adapter.drivers or driver_manager()).policy
    if not policy.allow_python_models:
        origin = policy.origins.get("allow_python_models", "policy")
        raise CompilationError(f"Python models are turned off by policy (allow_python_models = false in {origin})",
                               path=path, hint="exclude the model (--exclude), or ask whoever set the policy")


def _timeout(value: Any, path: str) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise CompilationError(f"config timeout must be a positive number of seconds, not {value!r}", path=path)
    return float(value)


def _describe(relation: Relation) -> dict[str, Any]:
    return {"relation": str(relation), "database": relation.database, "schema": relation.schema,
            "identifier": relation.identifier}


def _stage_input(adapter, relation: Relation, folder: Path, name: str) -> dict[str, Any]:
    """Read ``relation`` through the adapter as Arrow into ``folder/name`` (Arrow IPC file)."""
    _, table = adapter.execute(f"select * from {relation}", fetch=True)
    with pa.OSFile(str(folder / name), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return {**_describe(relation), "file": name}


def _run_child(adapter, folder: Path, path: str, timeout: float, cwd: Path) -> None:
    """Run the child; stop it at its timeout, or when the run is interrupted (SIGINT/SIGTERM)."""
    command = [sys.executable, "-P", "-m", "fusion.materializations.python_child", str(folder)]
    deadline = time.monotonic() + timeout
    with subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if adapter.cancelled or time.monotonic() > deadline:
                    proc.kill()
                    proc.communicate()
                    if adapter.cancelled:
                        raise Interrupted("the run was interrupted: the Python model was stopped",
                                          path=path) from None
                    raise DatabaseError(f"the Python model ran longer than its timeout ({timeout:g} s) and was "
                                        "stopped", path=path, hint="raise config(timeout=...) or make the model "
                                        "faster") from None
    for line in (stdout + stderr).splitlines():
        events.emit("PythonModelOutput", line, level="debug", path=path)
    if proc.returncode != 0 and not (folder / "error.json").is_file():
        raise DatabaseError(f"the Python model's process ended with exit code {proc.returncode}: "
                            f"{(stderr.strip().splitlines() or ['no output'])[-1]}", path=path)


def _model_error(error: dict[str, Any], path: str) -> FusionError:
    hint = None
    if error["type"] in ("ModuleNotFoundError", "ImportError"):
        hint = f"install the package in the Python environment that runs Fusion ({sys.executable})"
    return DatabaseError(f"Python model failed: {error['type']}: {error['message']}", path=path,
                         line=error["line"], hint=hint)
