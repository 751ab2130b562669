"""What a Python model's ``dbt`` object resolves to in one run, and the ``compiled_code`` that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fusion.errors import CompilationError
from fusion.parse.python_models import inspect_python_model
from fusion.relation import Relation


@dataclass
class PythonJob:
    """What ``dbt.ref``/``dbt.source``/``dbt.this``/``dbt.config.get`` resolve to for one run."""

    refs: dict[str, Relation]
    sources: dict[str, Relation]
    this: Relation
    config: dict[str, Any]
    meta: dict[str, Any]
    reads_this: bool


def python_job(node, namespace) -> PythonJob:
    """Resolve a Python model's declared inputs through the node's render namespace."""
    path = node.original_file_path
    model = inspect_python_model(node.raw_code, path)
    refs = {}
    for call in node.refs:
        key = ".".join(p for p in (call.package, call.name) if p)
        if call.version is not None:
            key += f".v{call.version}"
        args = (call.package, call.name) if call.package else (call.name,)
        relation = namespace["ref"](*args, **({"v": call.version} if call.version is not None else {}))
        if relation.type == "cte":
            raise CompilationError(f"dbt.ref({call.name!r}) is an ephemeral model, which a Python model cannot read",
                                   path=path, hint=f"materialize {call.name} as a view or table")
        refs[key] = relation
    sources = {f"{s}.{t}": namespace["source"](s, t) for s, t in node.sources}
    config = {k: node.config.get(k, default) for k, default in model.config_keys.items()}
    meta = {k: (node.config.get("meta") or {}).get(k, default) for k, default in model.meta_keys.items()}
    return PythonJob(refs, sources, namespace["this"], config, meta, model.reads_this)


def compiled_python(node, job: PythonJob) -> str:
    """The model's code with, after it, what its ``dbt`` object resolves to (``compiled_code``)."""
    lines = ["", "", "# --- Fusion: what dbt.ref / dbt.source / dbt.this resolve to in this run (generated) ---"]
    lines += [f"# dbt.ref({', '.join(map(repr, k.split('.')))}) -> {r}" for k, r in job.refs.items()]
    lines += [f"# dbt.source({', '.join(map(repr, k.split('.', 1)))}) -> {r}" for k, r in job.sources.items()]
    lines += [f"# dbt.this -> {job.this}"]
    lines += [f"# dbt.config.get({k!r}) -> {v!r}" for k, v in job.config.items()]
    return node.raw_code + "\n".join(lines) + "\n"
