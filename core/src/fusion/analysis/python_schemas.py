"""The output schema of a Python model, which no SQL describes.

In order: its YAML columns when every one has a ``data_type`` (``yaml``); else the columns its
last run left in the warehouse (``last_run``: read after the model ran in this ``run``/``build``,
and kept in ``target/python_model_schemas.json`` for commands that do not touch the warehouse);
else ``unknown``. Models downstream are analysed
against it, and the manifest says which it was (each column's ``schema_origin``).
"""

from __future__ import annotations

import orjson

from fusion.analysis.catalog import UNKNOWN, Catalog, TableSchema
from fusion.errors import FusionError
from fusion.fileio import write_json_atomic

FILE = "python_model_schemas.json"


class PythonSchemas:
    def __init__(self, invocation):
        self.invocation = invocation
        self.path = invocation.target_path / FILE
        self.live = invocation.flags.which in ("run", "build")  # the model ran (or failed) before its children
        self.dirty = False
        try:
            self.columns: dict[str, list[list[str]]] = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            self.columns = {}

    def schema(self, node, catalog: Catalog) -> tuple[TableSchema, str]:
        declared = list(node.columns.values())
        if declared and all(c.get("data_type") for c in declared):
            return TableSchema({catalog.column_name(c["name"]): catalog.type_sql(c["data_type"])
                                for c in declared}, True), "yaml"
        found = (self._read(node) if self.live else None) or self.columns.get(node.relation_name or "")
        if not found:
            return UNKNOWN, "unknown"
        return TableSchema({catalog.column_name(n): catalog.type_sql(t) for n, t in found}, True), "last_run"

    def _read(self, node) -> list[list[str]] | None:
        adapter = self.invocation.adapter
        try:
            columns = adapter.get_columns_in_relation(adapter.relation(node.database, node.schema, node.alias))
        except FusionError:
            return None
        if not columns:
            return None
        self.columns[node.relation_name] = [[c.name, c.dtype] for c in columns]
        self.dirty = True
        return self.columns[node.relation_name]

    def save(self) -> None:
        if self.dirty:
            write_json_atomic(self.path, self.columns)
