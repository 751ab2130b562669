"""Writing dbt's artifacts after a command's work: manifest.json (v12), run_results.json (v6), sources.json (v3)."""

from __future__ import annotations

import dataclasses
import json
import mmap
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from fusion import __version__, collector
from fusion.execution.results import NodeResult
from fusion.fileio import write_atomic, write_json_atomic
from fusion.manifest.manifest import Manifest
from fusion.manifest.semantic import KINDS, node_relation, semantic_manifest
from fusion.timestamps import now_iso

if TYPE_CHECKING:
    from fusion.execution.freshness import FreshnessResult
    from fusion.invocation import Invocation

SCHEMAS = "https://schemas.getdbt.com/dbt"


def _metadata(kind: str, version: int, invocation: Invocation) -> dict[str, Any]:
    return {
        "dbt_schema_version": f"{SCHEMAS}/{kind}/v{version}.json",
        "dbt_version": __version__,
        "generated_at": now_iso(),
        "invocation_id": invocation.invocation_id,
        "invocation_started_at": invocation.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "env": {k[len("DBT_ENV_CUSTOM_ENV_"):]: v for k, v in os.environ.items()
                if k.startswith("DBT_ENV_CUSTOM_ENV_")},
    }


def manifest_json(manifest: Manifest, invocation: Invocation) -> Iterator[bytes]:
    """manifest.json in pieces, node by node: the bytes orjson writes for the whole document, without
    the whole document (or its text) ever in memory."""
    yield b'{"metadata":' + _dumps(_manifest_metadata(manifest.root_package, invocation)) + b',"nodes":{'
    separator = b""
    for unique_id, node in manifest.nodes.items():
        yield separator + _dumps(unique_id) + b":" + _dumps(node.to_dict())
        separator = b","
    yield b"}," + _dumps(_sections_after_nodes(manifest, invocation))[1:]


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str)


def _sections_after_nodes(manifest: Manifest, invocation: Invocation) -> dict[str, Any]:
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
    return {
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


def _manifest_metadata(project_name: str, invocation: Invocation) -> dict[str, Any]:
    metadata = _metadata("manifest", 12, invocation)
    metadata.update(project_name=project_name, adapter_type=invocation.adapter_spec.name,
                    quoting={**dataclasses.asdict(invocation.adapter.relation_quoting), "column": None},
                    run_started_at=metadata["invocation_started_at"])
    return metadata


def patch_manifest_nodes(path: Path, invocation: Invocation, edits: dict[str, Any]) -> bool:
    """Rewrite manifest.json with new metadata and each edited node's text, checksum and
    creation time (``edits``: unique id -> fusion.parse.edits.BodyEdit), decoding only those
    entries; False (and nothing written) when the file is not laid out as ``write_manifest``
    wrote it."""
    try:
        return _patch_nodes(path, invocation, edits)
    except (OSError, ValueError):  # not the file write_manifest wrote: write it again
        return False


def _patch_nodes(path: Path, invocation: Invocation, edits: dict[str, Any]) -> bool:
    with open(path, "rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data:
        head = b'{"metadata":'
        if data[:len(head)] != head:
            return False
        _, done = _json_object_at(data, len(head))
        parts: list[bytes | tuple[int, int]] = [head, orjson.dumps(_manifest_metadata(invocation.project.name,
                                                                                       invocation))]
        if data[done:done + 10] != b',"nodes":{':
            return False
        keys = {unique_id: orjson.dumps(unique_id) + b":" for unique_id in edits}
        for unique_id in sorted(edits, key=lambda uid: data.find(keys[uid], done)):
            start = data.find(keys[unique_id], done)
            if start < 0:
                return False
            start += len(keys[unique_id])
            node, stop = _json_object_at(data, start)
            if not isinstance(node, dict) or node.get("unique_id") != unique_id:
                return False
            edit = edits[unique_id]
            node.update(raw_code=edit.raw_code, checksum={"name": "sha256", "checksum": edit.checksum},
                        created_at=edit.created_at)
            parts += [(done, start), orjson.dumps(node, option=orjson.OPT_NON_STR_KEYS, default=str)]
            done = stop
        parts.append((done, len(data)))

        def write(handle) -> None:  # the unchanged spans are copied file to file, not through Python
            for part in parts:
                if isinstance(part, bytes):
                    handle.write(part)
                else:
                    handle.flush()
                    _copy_span(source.fileno(), handle, data, *part)

        write_atomic(path, write)
    return True


def _copy_span(source_fd: int, handle, data: mmap.mmap, start: int, stop: int) -> None:
    """Append bytes ``start:stop`` of the source file to ``handle`` (flushed): in the kernel
    where it can (``copy_file_range``), else from the memory map."""
    while start < stop:
        try:
            copied = os.copy_file_range(source_fd, handle.fileno(), stop - start, start)
        except (AttributeError, OSError):  # not Linux, or not between these file systems
            copied = 0
        if copied <= 0:
            handle.write(data[start:stop])
            return
        start += copied


def _json_object_at(data: bytes, start: int) -> tuple[Any, int]:
    """The JSON value starting at byte ``start`` of ``data`` and the byte offset after it,
    decoding a growing window rather than the whole file."""
    decoder, window = json.JSONDecoder(), 1 << 16
    while True:
        chunk = data[start:start + window].decode("utf-8", errors="ignore")  # a cut character at the end
        try:
            value, end = decoder.raw_decode(chunk)
        except json.JSONDecodeError:
            if start + window >= len(data):
                raise
            window *= 4
            continue
        return value, start + len(chunk[:end].encode("utf-8"))


def write_manifest(manifest: Manifest, invocation: Invocation) -> Path:
    path = invocation.target_path / "manifest.json"
    with collector.paused():
        write_atomic(path, manifest_json(manifest, invocation))
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


def write_run_results(results: list[NodeResult], elapsed: float, invocation: Invocation) -> Path:
    path = invocation.target_path / "run_results.json"
    write_json_atomic(path, {
        "metadata": _metadata("run-results", 6, invocation),
        "results": [r.to_dict() for r in results],
        "elapsed_time": elapsed,
        "args": invocation.flags.as_args(),
    })
    return path


def write_sources(results: list[FreshnessResult], elapsed: float, invocation: Invocation, path: Path) -> Path:
    """sources.json (v3): the freshness results; dbt leaves out the sources that failed to run."""
    write_json_atomic(path, {
        "metadata": _metadata("sources", 3, invocation),
        "results": [r.to_dict() for r in results if r.status != "runtime error"],
        "elapsed_time": elapsed,
    })
    return path


def write_catalog(nodes: dict, sources: dict, errors: list[str], invocation: Invocation) -> Path:
    """catalog.json (v1); ``errors`` null when there were none, as dbt writes it."""
    path = invocation.target_path / "catalog.json"
    write_json_atomic(path, {"metadata": _metadata("catalog", 1, invocation), "nodes": nodes,
                             "sources": sources, "errors": errors or None})
    return path
