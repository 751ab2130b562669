"""Schema YAML files (``models:``, ``seeds:``, ``sources:``, ``exposures:``...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fusion import events
from fusion.config import check_config, normalize_config
from fusion.errors import ProjectError
from fusion.manifest.columns import column_entries
from fusion.parse.files import SourceFile
from fusion.shapes import Shapes
from fusion.yamlio import key_lines, load_yaml_text

PATCHABLE = {"models": "model", "seeds": "seed", "analyses": "analysis", "snapshots": "snapshot"}
KNOWN_TOP_LEVEL = {"version", "models", "seeds", "sources", "exposures", "macros", "analyses",
                   "snapshots", "metrics", "semantic_models", "saved_queries", "groups",
                   "unit_tests", "data_tests", "functions"}

_TEXT, _MAP, _LIST, _MAPS = ("a string",), ("a mapping",), ("a list",), ("a list of mappings",)
_TAGS = ("a string", "a list of strings")
_COMMON = {"name": _TEXT, "description": _TEXT, "config": _MAP, "meta": _MAP, "tags": _TAGS, "docs": _MAP,
           "columns": _MAPS, "data_tests": _LIST, "tests": _LIST}
#: the shapes of the keys dbt documents for each kind of properties entry
ENTRY_SHAPES = {
    "resource": {**_COMMON, "constraints": _MAPS, "versions": _MAPS, "latest_version": ("a string", "a number"),
                 "access": _TEXT, "group": _TEXT, "relation": _TEXT},
    "column": {**_COMMON, "data_type": _TEXT, "constraints": _MAPS, "quote": ("true or false",)},
    "source": {**_COMMON, "tables": _MAPS, "database": _TEXT, "schema": _TEXT, "loader": _TEXT,
               "loaded_at_field": _TEXT, "freshness": _MAP, "quoting": _MAP},
    "table": {**_COMMON, "identifier": _TEXT, "loaded_at_field": _TEXT, "freshness": _MAP, "quoting": _MAP,
              "external": _MAP},
    "exposure": {**_COMMON, "type": _TEXT, "owner": _MAP, "depends_on": ("a list of strings",), "label": _TEXT,
                  "maturity": _TEXT, "url": _TEXT},
    "unit_test": {**_COMMON, "model": _TEXT, "given": _MAPS, "expect": _MAP, "overrides": _MAP,
                   "versions": _MAP},
    "macro": {**_COMMON, "arguments": _MAPS},
}
SECTION_KINDS = {**dict.fromkeys(PATCHABLE, "resource"), "sources": "source", "exposures": "exposure",
                 "unit_tests": "unit_test", "macros": "macro"}


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
                    render: Callable[[SourceFile, dict], dict] = lambda _file, entry: entry,
                    loaded: dict[str, Any] | None = None) -> Properties:
    """All properties files; ``memo`` (a parse cache's RenderMemo) reuses unchanged files' YAML;
    ``render`` renders the templated values of one entry (a model, a source...); ``loaded``:
    documents already read by ``load_document``, by file path."""
    props = Properties()
    loaded = loaded or {}
    for file in files:
        if file.original_file_path in loaded:
            doc = loaded[file.original_file_path]
        elif memo is None:
            doc = load_document(file)
        else:  # an unchanged file's shapes were checked
            doc = memo.capture(("yaml", file.text), lambda file=file: load_document(file))
        if doc is None:
            continue
        for key in doc:
            if key not in KNOWN_TOP_LEVEL:  # e.g. a holder of YAML anchors: dbt warns and goes on
                events.warn_or_error("UnknownYamlKey", f"Warning: {file.original_file_path}: ignoring unknown "
                                     f"top-level key {key!r} (known: {', '.join(sorted(KNOWN_TOP_LEVEL))})")
        for section, resource_type in PATCHABLE.items():
            for entry in _entries(doc, section, file, render):
                if resource_type == "snapshot" and "relation" in entry:
                    props.snapshots.append((file, entry))
                _read_patch(props, entry, file, resource_type)
        for entry in _entries(doc, "sources", file, render):
            for table in entry.get("tables") or []:
                props.sources.append((file, entry, table))
                _add_tests(props, table, file, "source", table["name"], entry["name"])
        for entry in _entries(doc, "exposures", file, render):
            props.exposures.append((file, entry))
        for entry in _entries(doc, "unit_tests", file, render):
            props.unit_tests.append((file, entry))
        for kind in ("semantic_models", "metrics", "saved_queries"):
            props.semantic.setdefault(kind, []).extend((file, entry) for entry in _entries(doc, kind, file, render))
    return props


def load_document(file: SourceFile) -> dict[str, Any] | None:
    """A properties file's YAML, checked to be a mapping of entries of dbt's shapes."""
    doc = load_yaml_text(file.text, file.original_file_path)
    if doc is not None and not isinstance(doc, dict):
        raise ProjectError("a properties file must be a mapping (version:, models:, ...)",
                           path=file.original_file_path)
    if doc is not None:
        _check_shapes(doc, file)
    return doc


def _entries(doc: dict[str, Any], section: str, file: SourceFile, render) -> list[dict[str, Any]]:
    """The entries of ``section`` (their shapes checked by ``_check_shapes``), templated values rendered."""
    return [render(file, entry) for entry in doc.get(section) or []]


def _check_shapes(doc: dict[str, Any], file: SourceFile) -> None:
    """Every entry of every section (and its columns, tables) has a name and keys of dbt's shapes."""
    shapes = Shapes(file.original_file_path, lambda: key_lines(file.text, file.original_file_path))

    def entry(value: Any, keys: tuple[str | int, ...], kind: str, what: str) -> None:
        shapes.check_keys(value, ENTRY_SHAPES[kind], keys)
        for key, config in (value.get("config") or {}).items():
            check_config(shapes, key, config, (*keys, "config", key))
        if not value.get("name"):
            raise ProjectError(f"each {what} needs a `name`", path=file.original_file_path,
                               line=shapes.line(keys), hint="add `name:` to this entry")
        for index, column in enumerate(value.get("columns") or []):
            entry(column, (*keys, "columns", index), "column", "column")

    for section in sorted(KNOWN_TOP_LEVEL - {"version"}):
        for index, value in enumerate(shapes.check(doc.get(section), (section,), *_MAPS) or []):
            if section not in SECTION_KINDS:
                continue
            entry(value, (section, index), SECTION_KINDS[section], f"entry under `{section}`")
            if section == "sources":
                for number, table in enumerate(value.get("tables") or []):
                    entry(table, (section, index, "tables", number), "table",
                          f"table of source {value['name']!r}")


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
        column_entries(entry.get("columns")), normalize_config(config, file.original_file_path),
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
