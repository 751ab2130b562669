"""catalog.json (dbt's catalog v1): what the warehouse says about each model, seed, snapshot and source.

The adapter answers one query per database for all the schemas the project uses
(``Adapter.catalog_sql``); its rows are grouped into tables, and each table is matched to the
nodes and sources whose (database, schema, identifier) it is, case-insensitively, as dbt does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fusion.errors import DatabaseError

#: node types that live in the warehouse as a relation of their own (ephemeral models do not)
CATALOGED = ("model", "seed", "snapshot")
_TABLE_FIELDS = ("type", "schema", "name", "database", "comment", "owner")
_COLUMN_FIELDS = ("type", "index", "name", "comment")


def _key(database: str | None, schema: str | None, name: str | None) -> tuple[str, str, str]:
    return ((database or "").lower(), (schema or "").lower(), (name or "").lower())


def catalog_objects(manifest) -> dict[str, Any]:
    """Nodes and sources that have a relation in the warehouse, by unique id."""
    nodes = {uid: n for uid, n in manifest.nodes.items()
             if n.resource_type in CATALOGED and not n.is_ephemeral}
    return {**nodes, **manifest.sources}


def used_schemas(objects: Iterable[Any]) -> dict[str, list[str]]:
    """The schemas to read, by database (each spelled as the first object naming it spells it)."""
    schemas: dict[str, dict[str, str]] = {}
    for obj in objects:
        schemas.setdefault(obj.database or "", {}).setdefault((obj.schema or "").lower(), obj.schema or "")
    return {database: sorted(names.values()) for database, names in schemas.items()}


#: what dbt reports for a relation its adapter gives no statistics of (DuckDB, PostgreSQL)
NO_STATS = {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": False, "include": False,
                          "description": "Indicates whether there are statistics for this table"}}


def tables_from_rows(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """One catalog table per relation from the adapter's rows (one row per column)."""
    tables: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        row = {name.lower(): value for name, value in row.items()}  # Snowflake names them in upper case
        key = _key(row["table_database"], row["table_schema"], row["table_name"])
        table = tables.get(key)
        if table is None:
            table = tables[key] = {
                "metadata": {f: row.get(f"table_{f}") for f in _TABLE_FIELDS} | {
                    "schema": str(row["table_schema"]), "name": str(row["table_name"]),
                    "database": None if row["table_database"] is None else str(row["table_database"])},
                "columns": {}, "stats": NO_STATS, "unique_id": None}
        column = {f: row.get(f"column_{f}") for f in _COLUMN_FIELDS}
        column["index"] = int(column["index"])
        table["columns"][str(column["name"])] = column
    return tables


def read_catalog(adapter, objects: dict[str, Any], match: dict[str, Any] | None = None) -> tuple[dict, dict, list[str]]:
    """(nodes, sources, errors) as catalog.json holds them: the relations of the schemas of
    ``objects`` (unique id -> node/source), each given to the node or source of ``match``
    (default: ``objects``) that names it. dbt matches every node of the manifest when it does
    not compile first, so an ephemeral model whose relation is left from before is listed too.

    A database whose catalog cannot be read becomes an entry of ``errors``; the others are kept.
    """
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for database, schemas in used_schemas(objects.values()).items():
        try:
            _, table = adapter.execute(adapter.catalog_sql(database, schemas), fetch=True)
        except DatabaseError as exc:
            errors.append(f"could not read the catalog of {database or 'the database'} "
                          f"(schemas {', '.join(schemas)}): {exc}")
            continue
        rows.extend(table.to_pylist())
    tables = tables_from_rows(rows)
    nodes: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    for uid, obj in (objects if match is None else match).items():
        is_source = uid.startswith("source.")
        found = tables.get(_key(obj.database, obj.schema, obj.identifier if is_source else obj.alias))
        if found is not None:
            (sources if is_source else nodes)[uid] = {**found, "unique_id": uid}
    return nodes, sources, errors

