"""Parsed resources, and their shape in dbt's ``manifest.json`` (schema v12)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from fusion.config import manifest_config
from fusion.manifest.columns import column_entries

REFABLE = frozenset({"model", "seed", "snapshot"})
EXECUTABLE = frozenset({"model", "seed", "snapshot", "test", "analysis", "operation"})


@dataclass(frozen=True)
class RefCall:
    name: str
    package: str | None = None
    version: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "package": self.package,
                "version": None if self.version is None else str(self.version)}


@dataclass(eq=False)
class Node:
    """An executable resource: model, seed, test, analysis, snapshot or hook operation."""

    unique_id: str
    resource_type: str
    package_name: str
    name: str
    path: str
    original_file_path: str
    fqn: list[str]
    raw_code: str  # the file's text, stripped as dbt does
    checksum: str
    checksum_name: str = "sha256"  # dbt's FileHash name: "path" for a seed too large to hash
    language: str = "sql"
    config: dict[str, Any] = field(default_factory=dict)
    unrendered_config: dict[str, Any] = field(default_factory=dict)
    config_call_dict: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    patch_path: str | None = None
    refs: list[RefCall] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)
    depends_on_nodes: list[str] = field(default_factory=list)
    depends_on_macros: list[str] = field(default_factory=list)
    database: str | None = None
    schema: str = ""
    alias: str = ""
    relation_name: str | None = None
    test_metadata: dict[str, Any] | None = None
    column_name: str | None = None
    file_key_name: str | None = None
    attached_node: str | None = None
    version: str | int | None = None
    latest_version: str | int | None = None
    time_spine: dict[str, Any] | None = None
    root_path: str = ""  # absolute folder of the package, for reading files
    raw_code_line: int = 1  # the file line raw_code starts on
    created_at: float = field(default_factory=time.time)
    # filled at compile time
    compiled_code: str | None = None
    compiled_path: str | None = None
    extra_ctes: list[dict[str, str]] = field(default_factory=list)
    index: int | None = None  # hooks: position in on-run-start/on-run-end
    inferred_columns: dict[str, str | None] = field(default_factory=dict)  # static analysis: name -> type
    schema_origin: str | None = None  # a Python model's columns: yaml | last_run | unknown

    @property
    def template_code(self) -> str:
        """``raw_code`` to render: a leading comment spanning the stripped lines keeps the
        template's line numbers the file's."""
        skipped = self.raw_code_line - 1
        return f"{{#{chr(10) * skipped}#}}{self.raw_code}" if skipped else self.raw_code

    @property
    def materialized(self) -> str:
        return self.config.get("materialized", "view")

    @property
    def is_ephemeral(self) -> bool:
        return self.resource_type == "model" and self.materialized == "ephemeral"

    @property
    def tags(self) -> list[str]:
        return list(self.config.get("tags", []))

    def _columns_with_inferred(self) -> dict[str, dict[str, Any]]:
        """YAML-declared columns (a missing data_type filled in), then the other inferred ones."""
        if not self.inferred_columns:
            return self.columns
        inferred = {name.lower(): (name, data_type) for name, data_type in self.inferred_columns.items()}
        out = {}
        for key, column in self.columns.items():
            found = inferred.pop(key.lower(), None)
            out[key] = {**column, "data_type": column.get("data_type") or (found[1] if found else None)}
        extra = [{"name": name, "data_type": data_type} for name, data_type in inferred.values()]
        out = {**out, **column_entries(extra)}
        if self.schema_origin:  # where static analysis got a Python model's columns
            out = {key: {**column, "schema_origin": self.schema_origin} for key, column in out.items()}
        return out

    def _contract_checksum(self) -> str:
        """What an enforced contract promises: the declared columns, types and constraints."""
        state = "".join(f"|{c.get('name', k)}{c.get('data_type')}{c.get('constraints', [])}"
                        for k, c in sorted(self.columns.items(), key=lambda kv: kv[1].get("name", kv[0])))
        if self.materialized in ("table", "incremental"):  # these enforce constraints too
            state += self.materialized
        return hashlib.sha256(state.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The node as dbt writes it into manifest.json."""
        out: dict[str, Any] = {
            "database": self.database,
            "schema": self.schema,
            "name": self.name,
            "resource_type": self.resource_type,
            "package_name": self.package_name,
            "path": self.path,
            "original_file_path": self.original_file_path,
            "unique_id": self.unique_id,
            "fqn": self.fqn,
            "alias": self.alias,
            "checksum": {"name": self.checksum_name if self.checksum else "none", "checksum": self.checksum},
            "config": manifest_config(self.config),
            "tags": self.tags,
            "description": self.description,
            "columns": self._columns_with_inferred(),
            "meta": self.config.get("meta", {}),
            "group": self.config.get("group"),
            "docs": self.config.get("docs", {"show": True, "node_color": None}),
            "patch_path": self.patch_path,
            "build_path": None,
            "unrendered_config": self.unrendered_config,
            "created_at": self.created_at,
            "config_call_dict": self.config_call_dict,
            "unrendered_config_call_dict": {},
            "relation_name": self.relation_name,
            "raw_code": self.raw_code,
            "doc_blocks": [],
            "depends_on": {"macros": self.depends_on_macros, "nodes": self.depends_on_nodes},
        }
        enforced = bool(self.config.get("contract", {}).get("enforced", False))
        if self.resource_type == "seed":
            out["root_path"] = self.root_path
            out["depends_on"] = {"macros": self.depends_on_macros}
            return out
        out.update({
            "language": self.language,
            "refs": [r.to_dict() for r in self.refs],
            "sources": self.sources,
            "metrics": [],
            "functions": [],
            "compiled_path": self.compiled_path,
            "contract": {"enforced": enforced, "alias_types": True,
                         "checksum": self._contract_checksum() if enforced else None},
        })
        if self.compiled_code is not None:
            out.update({"compiled": True, "compiled_code": self.compiled_code,
                        "extra_ctes_injected": True, "extra_ctes": self.extra_ctes})
        if self.resource_type == "model":
            out.update({"access": self.config.get("access", "protected"), "constraints": [],
                        "version": self.version, "latest_version": self.latest_version,
                        "deprecation_date": None, "primary_key": [], "time_spine": self.time_spine})
        elif self.resource_type == "test" and self.test_metadata is not None:
            out.update({"column_name": self.column_name, "file_key_name": self.file_key_name,
                        "attached_node": self.attached_node, "test_metadata": self.test_metadata})
        elif self.resource_type == "operation":
            out["index"] = self.index
        return out


@dataclass(eq=False)
class Source:
    unique_id: str
    package_name: str
    source_name: str
    name: str
    identifier: str
    database: str | None
    schema: str
    path: str
    original_file_path: str
    fqn: list[str]
    description: str = ""
    source_description: str = ""
    loader: str = ""
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    source_meta: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    quoting: dict[str, Any] = field(default_factory=dict)
    loaded_at_field: str | None = None
    loaded_at_query: str | None = None
    freshness: dict[str, Any] | None = None
    relation_name: str | None = None
    created_at: float = field(default_factory=time.time)

    resource_type = "source"

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database, "schema": self.schema, "name": self.name,
            "resource_type": "source", "package_name": self.package_name, "path": self.path,
            "original_file_path": self.original_file_path, "unique_id": self.unique_id,
            "fqn": self.fqn, "source_name": self.source_name,
            "source_description": self.source_description, "loader": self.loader,
            "identifier": self.identifier, "quoting": self.quoting,
            "loaded_at_field": self.loaded_at_field, "loaded_at_query": self.loaded_at_query,
            "freshness": self.freshness, "external": None, "description": self.description,
            "columns": self.columns, "meta": self.meta, "source_meta": self.source_meta,
            "tags": self.tags, "config": self.config, "patch_path": None,
            "unrendered_config": {}, "relation_name": self.relation_name,
            "created_at": self.created_at, "unrendered_database": None,
            "unrendered_schema": None, "doc_blocks": [],
        }


@dataclass(eq=False)
class Exposure:
    unique_id: str
    package_name: str
    name: str
    path: str
    original_file_path: str
    fqn: list[str]
    type: str
    owner: dict[str, Any]
    description: str = ""
    label: str | None = None
    maturity: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=lambda: {"enabled": True})
    refs: list[RefCall] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)
    depends_on_nodes: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)

    resource_type = "exposure"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "resource_type": "exposure", "package_name": self.package_name,
            "path": self.path, "original_file_path": self.original_file_path,
            "unique_id": self.unique_id, "fqn": self.fqn, "type": self.type, "owner": self.owner,
            "description": self.description, "label": self.label, "maturity": self.maturity,
            "meta": self.meta, "tags": self.tags, "config": self.config,
            "unrendered_config": {}, "url": self.url,
            "depends_on": {"macros": [], "nodes": self.depends_on_nodes},
            "refs": [r.to_dict() for r in self.refs], "sources": self.sources, "metrics": [],
            "created_at": self.created_at,
        }


@dataclass(eq=False)
class DocBlock:
    unique_id: str
    package_name: str
    name: str
    path: str
    original_file_path: str
    block_contents: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "resource_type": "doc", "package_name": self.package_name,
                "path": self.path, "original_file_path": self.original_file_path,
                "unique_id": self.unique_id, "block_contents": self.block_contents}


@dataclass(eq=False)
class UnitTest:
    """A ``unit_tests:`` entry: fixed inputs for a model's refs/sources, and the rows to expect."""

    unique_id: str
    package_name: str
    name: str
    model: str  # the tested model's name
    path: str
    original_file_path: str
    fqn: list[str]
    given: list[dict[str, Any]]
    expect: dict[str, Any]
    overrides: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    config: dict[str, Any] = field(default_factory=lambda: {"tags": [], "meta": {}, "enabled": True})
    depends_on_nodes: list[str] = field(default_factory=list)  # [the tested model]
    created_at: float = field(default_factory=time.time)

    resource_type = "unit_test"

    @property
    def tags(self) -> list[str]:
        return list(self.config.get("tags", []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "given": self.given, "expect": self.expect, "name": self.name,
            "resource_type": "unit_test", "package_name": self.package_name, "path": self.path,
            "original_file_path": self.original_file_path, "unique_id": self.unique_id, "fqn": self.fqn,
            "description": self.description, "overrides": self.overrides or None,
            "depends_on": {"macros": [], "nodes": self.depends_on_nodes}, "config": self.config,
            "checksum": None, "schema": None, "created_at": self.created_at, "versions": None, "version": None,
        }
