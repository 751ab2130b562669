"""The schemas analysis knows: relation -> columns and types, and whether that list is complete.

A schema is *complete* when every column is known (inferred from a model's SQL, read from a
seed's CSV, a source whose YAML gives every column a ``data_type``, or the warehouse). Only
complete schemas can prove a column missing; anything else is *open* and never yields an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.schema import MappingSchema

Key = tuple[str, ...]


@dataclass
class TableSchema:
    columns: dict[str, str | None] = field(default_factory=dict)  # normalised name -> type (dialect SQL)
    complete: bool = False

    def to_json(self) -> dict:
        return {"columns": [[n, t] for n, t in self.columns.items()], "complete": self.complete}

    @classmethod
    def from_json(cls, data: dict) -> TableSchema:
        return cls({n: t for n, t in data["columns"]}, data["complete"])


UNKNOWN = TableSchema()


@dataclass
class Entry:
    uid: str | None  # the node or source it belongs to (None: a table Fusion does not manage)
    name: str  # how people call it: the model/seed name, or source_name.table
    schema: TableSchema


class Catalog:
    """Relations by normalised (catalog, db, name), as queries name them after qualification."""

    def __init__(self, dialect: str, database: str, schema: str):
        self.dialect_name = dialect
        self.dialect = Dialect.get_or_raise(dialect)
        self.database = database
        self.schema = schema
        self.entries: dict[Key, Entry] = {}
        self._names: dict[tuple[str, bool], str] = {}
        #: the defaults that qualify unqualified tables, spelled as the schema keys are
        self.qualify_db = self.column_name(schema) if schema else None
        self.qualify_catalog = self.column_name(database) if database else None

    def key(self, table: exp.Table) -> Key:
        """(catalog, db, name) as the warehouse resolves them; missing parts are the target's."""
        db = self._part(table.args.get("db")) or self._normalize(self.schema, False)
        catalog = self._part(table.args.get("catalog")) or (self._normalize(self.database, False) if db else "")
        return tuple(p for p in (catalog, db, self._part(table.this)) if p)

    def _part(self, node: exp.Expr | None) -> str:
        if isinstance(node, exp.Identifier):
            return self._normalize(node.this, node.quoted)
        return node.name if node is not None else ""

    def _normalize(self, name: str, quoted: bool) -> str:
        found = self._names.get((name, quoted))
        if found is None:
            found = self._names[(name, quoted)] = self.dialect.normalize_identifier(
                exp.Identifier(this=name, quoted=quoted)).name if name else ""
        return found

    def key_of(self, relation_name: str) -> Key | None:
        try:
            return self.key(exp.to_table(relation_name, dialect=self.dialect))
        except SqlglotError:
            return None

    def default_table(self, name: str) -> exp.Table:
        """An unqualified name, as the query resolves it (in the target's database and schema)."""
        return exp.table_(exp.to_identifier(name), db=self.schema or None, catalog=self.database or None)

    def add(self, relation: str | exp.Table, uid: str | None, name: str, schema: TableSchema) -> None:
        key = self.key(relation) if isinstance(relation, exp.Table) else self.key_of(relation)
        if key is not None:
            self.entries[key] = Entry(uid, name, schema)

    def lookup(self, table: exp.Table) -> Entry | None:
        return self.entries.get(self.key(table))

    def column_name(self, name: str) -> str:
        """A column name as the dialect resolves an unquoted identifier."""
        return self.dialect.normalize_identifier(exp.to_identifier(name)).name

    def type_sql(self, text: str | None) -> str | None:
        """A declared type in the dialect's own spelling, or None when it cannot be parsed."""
        if not text:
            return None
        try:
            return exp.DataType.build(text, dialect=self.dialect, udt=True).sql(self.dialect)
        except SqlglotError:
            return None

    def mapping_schema(self, keys: list[Key]) -> MappingSchema:
        """sqlglot's view of the complete schemas among ``keys`` (open ones stay unknown to it)."""
        nested: dict = {}
        for key in keys:
            entry = self.entries.get(key)
            if entry is None or not entry.schema.complete or len(key) != 3:
                continue
            nested.setdefault(key[0], {}).setdefault(key[1], {})[key[2]] = {
                n: (t or "UNKNOWN") for n, t in entry.schema.columns.items()}
        return MappingSchema(nested, dialect=self.dialect, normalize=False)
