"""Schema YAML files (``models:``, ``seeds:``, ``sources:``, ``exposures:``...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fusion import events
from fusion.config import normalize_config
from fusion.errors import ProjectError
from fusion.parse.files import SourceFile
from fusion.yamlio import load_yaml_text

PATCHABLE = {"models": "model", "seeds": "seed", "analyses": "analysis", "snapshots": "snapshot"}
KNOWN_TOP_LEVEL = {"version", "models", "seeds", "sources", "exposures", "macros", "analyses",
                   "snapshots", "metrics", "semantic_models", "saved_queries", "groups",
                   "unit_tests", "data_tests", "functions"}


@dataclass
class Patch:
    """What YAML says about a model/seed/analysis defined in a SQL or CSV file."""

    resource_type: str
    name: str
    file: SourceFile
    description: str = ""
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    latest_version: Any = None
    time_spine: dict[str, Any] | None = None  # a model's MetricFlow time spine


@dataclass
class TestSpec:
    """One entry of a ``tests:``/``data_tests:`` list, with what it is attached to."""

    definition: Any
    file: SourceFile
    target_type: str  # model | seed | source | snapshot
    target_name: str  # node name, or table name for sources
    source_name: str | None = None
    column_name: str | None = None
    version: Any = None


@dataclass
class Properties:
    patches: dict[tuple[str, str], Patch] = field(default_factory=dict)
    sources: list[tuple[SourceFile, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    exposures: list[tuple[SourceFile, dict[str, Any]]] = field(default_factory=list)
    tests: list[TestSpec] = field(default_factory=list)
    snapshots: list[tuple[SourceFile, dict[str, Any]]] = field(default_factory=list)  # YAML-defined
    unit_tests: list[tuple[SourceFile, dict[str, Any]]] = field(default_factory=list)
    #: ``semantic_models``/``metrics``/``saved_queries`` -> (file, entry)
    semantic: dict[str, list[tuple[SourceFile, dict[str, Any]]]] = field(default_factory=dict)
    #: file stem -> (model patch, its ``versions:`` entry): the SQL files of versioned models
    versions: dict[str, tuple[Patch, dict[str, Any]]] = field(default_factory=dict)


def column_entries(raw_columns: Any, file: SourceFile) -> dict[str, dict[str, Any]]:
    if raw_columns is None:
        return {}
    if not isinstance(raw_columns, list):
        raise ProjectError("`columns` must be a list", path=file.original_file_path)
    out = {}
    for col in raw_columns:
        if not isinstance(col, dict) or not isinstance(col.get("name"), str):
            raise ProjectError("each column needs a `name`", path=file.original_file_path)
        config = col.get("config") or {}
        out[col["name"]] = {
            "name": col["name"],
            "description": col.get("description") or "",
            "meta": col.get("meta") or config.get("meta") or {},
            "data_type": col.get("data_type"),
            "constraints": col.get("constraints") or [],
            "quote": col.get("quote"),
            "config": {"meta": config.get("meta") or {}, "tags": config.get("tags") or []},
            "tags": col.get("tags") or [],
            "granularity": col.get("granularity"),
            "doc_blocks": [],
        }
    return out


def _tests_of(entry: dict[str, Any]) -> list[Any]:
    tests = entry.get("data_tests")
    if tests is None:
        tests = entry.get("tests")
    return list(tests or [])


def _add_tests(props: Properties, entry: dict[str, Any], file: SourceFile, target_type: str,
               target_name: str, source_name: str | None = None, version: Any = None) -> None:
    for definition in _tests_of(entry):
        props.tests.append(TestSpec(definition, file, target_type, target_name, source_name, None, version))
    for col in entry.get("columns") or []:
        if isinstance(col, dict):
            for definition in _tests_of(col):
                props.tests.append(TestSpec(definition, file, target_type, target_name, source_name,
                                            col.get("name"), version))


def read_properties(files: list[SourceFile], memo=None,
                    render: Callable[[SourceFile, dict], dict] = lambda _file, entry: entry) -> Properties:
    """All properties files; ``memo`` (a parse cache's RenderMemo) reuses unchanged files' YAML;
    ``render`` renders the templated values of one entry (a model, a source...)."""
    props = Properties()
    for file in files:
        def load(file=file):
            return load_yaml_text(file.text, file.original_file_path)

        doc = load() if memo is None else memo.capture(("yaml", file.text), load)
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ProjectError("a properties file must be a mapping (version:, models:, ...)",
                               path=file.original_file_path)
        for key in doc:
            if key not in KNOWN_TOP_LEVEL:  # e.g. a holder of YAML anchors: dbt warns and goes on
                events.emit("UnknownYamlKey", f"Warning: {file.original_file_path}: ignoring unknown top-level "
                            f"key {key!r} (known: {', '.join(sorted(KNOWN_TOP_LEVEL))})", level="warn")
        for section, resource_type in PATCHABLE.items():
            for entry in _entries(doc, section, file, render):
                if resource_type == "snapshot" and "relation" in entry:
                    props.snapshots.append((file, entry))
                _read_patch(props, entry, file, resource_type)
        for entry in _entries(doc, "sources", file, render):
            for table in entry.get("tables") or []:
                if not isinstance(table, dict) or not isinstance(table.get("name"), str):
                    raise ProjectError(f"each table of source {entry['name']!r} needs a `name`",
                                       path=file.original_file_path)
                props.sources.append((file, entry, table))
                _add_tests(props, table, file, "source", table["name"], entry["name"])
        for entry in _entries(doc, "exposures", file, render):
            props.exposures.append((file, entry))
        for entry in _entries(doc, "unit_tests", file, render):
            props.unit_tests.append((file, entry))
        for kind in ("semantic_models", "metrics", "saved_queries"):
            props.semantic.setdefault(kind, []).extend((file, entry) for entry in _entries(doc, kind, file, render))
    return props


def _entries(doc: dict[str, Any], section: str, file: SourceFile, render) -> list[dict[str, Any]]:
    entries = doc.get(section) or []
    if not isinstance(entries, list):
        raise ProjectError(f"`{section}` must be a list of entries", path=file.original_file_path)
    rendered = []
    for entry in entries:
        entry = render(file, entry) if isinstance(entry, dict) else entry
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ProjectError(f"each entry under `{section}` needs a `name`", path=file.original_file_path)
        rendered.append(entry)
    return rendered


def _read_patch(props: Properties, entry: dict[str, Any], file: SourceFile, resource_type: str) -> None:
    key = (resource_type, entry["name"])
    if key in props.patches:
        other = props.patches[key].file.original_file_path
        raise ProjectError(f"{resource_type} {entry['name']!r} is described twice (also in {other})",
                           path=file.original_file_path, hint="keep one properties entry per resource")
    config = dict(entry.get("config") or {})
    for legacy in ("tags", "meta", "docs"):
        if legacy in entry and legacy not in config:
            config[legacy] = entry[legacy]
    patch = props.patches[key] = Patch(
        resource_type, entry["name"], file, entry.get("description") or "",
        column_entries(entry.get("columns"), file), normalize_config(config),
        list(entry.get("versions") or []), entry.get("latest_version"), _time_spine(entry.get("time_spine")))
    for version in patch.versions:
        if not isinstance(version, dict) or version.get("v") is None:
            raise ProjectError(f"each version of {entry['name']!r} needs a `v`", path=file.original_file_path)
        props.versions[str(version.get("defined_in") or f"{entry['name']}_v{version['v']}")] = (patch, version)
    _add_tests(props, entry, file, resource_type, entry["name"])


def _time_spine(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    return {"standard_granularity_column": raw.get("standard_granularity_column"),
            "custom_granularities": list(raw.get("custom_granularities") or [])}
