"""Source schemas read from the warehouse when the user allows it (``--warehouse-schemas``).

Only sources whose YAML does not give every column a type are looked up; answers are kept in
``target/warehouse_schemas.json`` (delete it, or ``fusion clean``, to read them again).
"""

from __future__ import annotations

import orjson

from fusion import events
from fusion.analysis.catalog import Catalog, TableSchema
from fusion.errors import FusionError
from fusion.fileio import write_json_atomic

FILE = "warehouse_schemas.json"


class WarehouseSchemas:
    def __init__(self, invocation):
        self.invocation = invocation
        self.path = invocation.target_path / FILE
        self.dirty = False
        self.failed = False
        try:
            self.columns: dict[str, list[list[str]]] = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            self.columns = {}

    def schema(self, source, catalog: Catalog) -> TableSchema | None:
        found = self.columns.get(source.relation_name)
        if found is None and not self.failed:
            found = self._read(source)
        if not found:
            return None
        return TableSchema({catalog.column_name(n): catalog.type_sql(t) for n, t in found}, True)

    def _read(self, source) -> list[list[str]] | None:
        adapter = self.invocation.adapter
        try:
            columns = adapter.get_columns_in_relation(
                adapter.relation(source.database, source.schema, source.identifier))
        except FusionError as exc:
            self.failed = True  # one warning; the rest of the sources stay unknown
            events.emit("StaticAnalysisCatalog", f"Warning: could not read source schemas from the warehouse: {exc}",
                        level="warn")
            return None
        if not columns:
            return None
        self.columns[source.relation_name] = [[c.name, c.dtype] for c in columns]
        self.dirty = True
        return self.columns[source.relation_name]

    def save(self) -> None:
        if self.dirty:
            write_json_atomic(self.path, self.columns)
