"""Writing dbt's artifacts: manifest.json (v12), run_results.json (v6), compiled SQL files."""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
from pathlib import Path
from typing import Any

import orjson

from fusion import __version__
from fusion.errors import FusionError
from fusion.execution.results import NodeResult, now_iso
from fusion.fileio import write_atomic
from fusion.manifest.manifest import Manifest
from fusion.manifest.semantic import KINDS, node_relation, semantic_manifest

SCHEMAS = "https://schemas.getdbt.com/dbt"


def _metadata(kind: str, version: int, invocation) -> dict[str, Any]:
    return {
        "dbt_schema_version": f"{SCHEMAS}/{kind}/v{version}.json",
        "dbt_version": __version__,
        "generated_at": now_iso(),
        "invocation_id": invocation.invocation_id,
        "invocation_started_at": invocation.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "env": {k[len("DBT_ENV_CUSTOM_ENV_"):]: v for k, v in os.environ.items()
                if k.startswith("DBT_ENV_CUSTOM_ENV_")},
    }


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str))


def manifest_dict(manifest: Manifest, invocation) -> dict[str, Any]:
    macros = {}
    for package, by_name in manifest.macros.by_package.items():
        for name, macro in by_name.items():
            macros[macro.unique_id] = {
                "name": name, "resource_type": "macro", "package_name": package,
                "path": macro.file.path, "original_file_path": macro.file.path,
                "unique_id": macro.unique_id, "macro_sql": macro.sql, "depends_on": {"macros": []},
                "description": "", "meta": {}, "docs": {"show": True, "node_color": None},
                "patch_path": None, "arguments": [], "created_at": 0.0, "supported_languages": None,
            }
    metadata = _metadata("manifest", 12, invocation)
    metadata.update(project_name=manifest.root_package, adapter_type=invocation.adapter_spec.name,
                    quoting={**dataclasses.asdict(invocation.adapter.relation_quoting), "column": None},
                    run_started_at=metadata["invocation_started_at"])
    return {
        "metadata": metadata,
        "nodes": {uid: node.to_dict() for uid, node in manifest.nodes.items()},
        "sources": {uid: src.to_dict() for uid, src in manifest.sources.items()},
        "macros": macros,
        "docs": {uid: doc.to_dict() for uid, doc in manifest.docs.items()},
        "exposures": {uid: exp.to_dict() for uid, exp in manifest.exposures.items()},
        **{kind: {uid: r.to_dict() for uid, r in manifest.semantic.get(kind, {}).items()} for kind in KINDS},
        "groups": {}, "selectors": invocation.selectors.manifest_form(),
        "disabled": {uid: [n.to_dict() for n in nodes] for uid, nodes in manifest.disabled.items()},
        # dbt's maps leave unit tests out; the graph keeps them for selection and scheduling
        "parent_map": {k: v for k, v in invocation.graph.parents.items() if not k.startswith("unit_test.")},
        "child_map": {k: [c for c in v if not c.startswith("unit_test.")]
                      for k, v in invocation.graph.children.items() if not k.startswith("unit_test.")},
        "group_map": {},
        "unit_tests": {uid: u.to_dict() for uid, u in manifest.unit_tests.items()},
    }


def write_manifest(manifest: Manifest, invocation) -> Path:
    path = invocation.target_path / "manifest.json"
    write_json_atomic(path, manifest_dict(manifest, invocation))
    write_json_atomic(invocation.target_path / "semantic_manifest.json",
                      semantic_manifest(manifest.semantic, _time_spines(manifest), _legacy_time_spines(manifest)))
    return path


def _legacy_time_spines(manifest: Manifest) -> list[dict[str, Any]]:
    """A model named ``metricflow_time_spine`` is MetricFlow's daily time spine (``date_day``)."""
    return [{"location": node.relation_name, "column_name": "date_day", "grain": "day"}
            for node in manifest.nodes.values()
            if node.resource_type == "model" and node.name == "metricflow_time_spine" and node.relation_name]


def _time_spines(manifest: Manifest) -> list[dict[str, Any]]:
    """Models declaring ``time_spine:``, as semantic_manifest.json lists them."""
    spines = []
    for node in manifest.nodes.values():
        if node.resource_type == "model" and node.time_spine:
            column = node.time_spine.get("standard_granularity_column")
            spines.append({"node_relation": node_relation(node),
                           "primary_column": {"name": column,
                                              "time_granularity": (node.columns.get(column) or {}).get("granularity")},
                           "custom_granularities": node.time_spine.get("custom_granularities") or []})
    return spines


def write_run_results(results: list[NodeResult], elapsed: float, invocation) -> Path:
    path = invocation.target_path / "run_results.json"
    write_json_atomic(path, {
        "metadata": _metadata("run-results", 6, invocation),
        "results": [r.to_dict() for r in results],
        "elapsed_time": elapsed,
        "args": invocation.flags.as_args(),
    })
    return path


def write_sources(results, elapsed: float, invocation, path: Path) -> Path:
    """sources.json (v3): the freshness results; dbt leaves out the sources that failed to run."""
    write_json_atomic(path, {
        "metadata": _metadata("sources", 3, invocation),
        "results": [r.to_dict() for r in results if r.status != "runtime error"],
        "elapsed_time": elapsed,
    })
    return path


def write_catalog(nodes: dict, sources: dict, errors: list[str], invocation) -> Path:
    """catalog.json (v1); ``errors`` null when there were none, as dbt writes it."""
    path = invocation.target_path / "catalog.json"
    write_json_atomic(path, {"metadata": _metadata("catalog", 1, invocation), "nodes": nodes,
                             "sources": sources, "errors": errors or None})
    return path


def compiled_file_path(node, folder: str) -> str:
    """``<folder>/<package>/<original path>[/<test file>]`` as dbt lays out compiled/ and run/."""
    if node.resource_type == "test" and node.test_metadata is not None:
        return f"{folder}/{node.package_name}/{node.original_file_path}/{node.path}"
    return f"{folder}/{node.package_name}/{node.original_file_path}"


class SqlWriter:
    """Writes compiled SQL files on a background thread, so rendering never waits on the disk."""

    def __init__(self, root: Path):
        self.root = root
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: FusionError | None = None

    def write(self, relative: str, sql: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="fusion-sql-writer", daemon=True)
            self._thread.start()
        self._queue.put((relative, sql))

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                write_atomic(self.root / item[0], item[1].encode("utf-8"))
            except FusionError as exc:
                self._error = self._error or exc

    def close(self) -> None:
        """Wait for every queued file; raise the first write error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
