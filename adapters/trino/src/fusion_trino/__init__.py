"""Trino (and Starburst) adapter for Fusion: only what differs from the core's defaults.

Connections go through the Trino ADBC driver (``trino``, drivers/trino) over Trino's client REST
protocol; profiles are dbt-trino's (see profile.py). Deltas from the base adapter: relations are
``catalog.schema.name`` (the profile's ``database``/``catalog`` is the catalog), DDL is not
transactional (dbt-trino runs in autocommit), one statement per request, views and materialized
views are replaced in place, a table model replaces an existing table as its ``on_table_exists``
says (``rename`` by default, ``drop``, ``replace``), nothing is dropped with ``cascade``, seeds are
loaded with batched INSERTs, columns are read from ``information_schema`` by macros (macros/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from fusion.adapter import Adapter, AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.errors import DatabaseError, ProjectError
from fusion.hookspecs import hookimpl
from fusion.relation import Column, Relation

from .profile import connection_options

MACROS = Path(__file__).parent / "macros"
ON_TABLE_EXISTS = ("rename", "drop", "replace", "skip")


@dataclass(frozen=True)
class TrinoColumn(Column):
    """A column as Trino's catalog spells its type: an unbounded ``varchar`` stays unbounded."""

    TYPE_LABELS: ClassVar[dict[str, str]] = {"STRING": "VARCHAR", "FLOAT": "DOUBLE"}

    @classmethod
    def string_type(cls, size) -> str:
        return f"varchar({size})"

    @property
    def data_type(self) -> str:
        if self.dtype.lower() == "varchar" and self.char_size is None:
            return self.dtype
        return super().data_type


@dataclass(frozen=True)
class TrinoRelation(Relation):
    """Microbatch windows are timestamp literals: Trino compares a timestamp with no varchar."""

    event_time_literal: ClassVar[str] = "timestamp '{}'"


class TrinoAdapter(Adapter):
    type_name = "trino"
    date_function = "current_timestamp"
    transactional_ddl = False
    replace_view_in_place = True
    supports_materialized_views = True
    supports_bulk_ingest = False
    insert_batch_rows = 1000  # dbt-trino's seed batch size
    rename_qualified = True  # an unqualified new name would land in the session's catalog and schema
    drop_cascade = frozenset()  # Trino drops tables and views without `cascade`
    unsupported_constraints = frozenset({"check", "unique", "primary_key", "foreign_key"})  # only not null
    one_statement_per_call = True
    run_without_rows = "read"  # a Trino query runs as its results are read (nextUri)
    Column = TrinoColumn
    Relation = TrinoRelation
    #: the driver's "[Trino] ERROR_NAME: message (query id). Vendor code: n": the name, message and query id
    error_rewrites = ((r"\A(?:[A-Z_]+: )?(?:\[Trino\] )?", ""), (r"\.?\s*Vendor code: -?\d+\s*\Z", ""))
    #: dbt-trino's seed types
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "integer", "number": "double", "date": "date",
        "datetime": "timestamp", "boolean": "boolean", "text": "varchar",
    }

    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        # dbt-trino's credentials' defaults; `catalog` is its alias of `database`
        catalog = target.get("database") or target.get("catalog")
        return {"method": "none", "http_scheme": "http", "session_properties": {},
                "prepared_statements_enabled": True, "retries": 3,
                **({"database": catalog} if catalog else {})}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        database, catalog = target.get("database"), target.get("catalog")
        if database and catalog and str(database) != str(catalog):
            raise ProjectError(f"the trino target's `database: {database}` differs from its `catalog: {catalog}`",
                               path=self.profile_path, hint="they are one setting: keep one of them")
        return {"options": connection_options(target, self.profile_path),
                "catalog": str(target.get("database") or "").strip(), "schema": str(target.get("schema")).strip()}

    def driver_options(self) -> dict[str, str]:
        return dict(self.credentials["options"])

    @property
    def default_database(self) -> str:
        return self.credentials["catalog"]

    @property
    def default_schema(self) -> str:
        return self.credentials["schema"]

    def table_replacement(self, config: dict[str, Any]) -> Literal["rename", "drop", "replace", "skip"]:
        """dbt-trino's ``on_table_exists``: ``skip`` only for table models (an incremental model's
        full refresh rebuilds); an unknown value falls back to ``rename``, as there."""
        mode = str(config.get("on_table_exists") or "rename").lower()
        if mode == "skip" and config.get("materialized") != "table":
            return "rename"
        return mode if mode in ON_TABLE_EXISTS else "rename"  # type: ignore[return-value]

    def is_not_found(self, error: DatabaseError) -> bool:
        return bool(re.search(r"does not exist|not found|SCHEMA_NOT_FOUND|TABLE_NOT_FOUND", str(error), re.I))

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        """Columns from the ``columns_sql`` macro's (name, type) rows, sizes read out of the type."""
        table = self._catalog_rows(self.catalog_macro_sql("columns_sql", relation))
        if table is None:
            return []
        return [self.Column.from_description(name, data_type) for name, data_type in
                zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True)]

    def drop_schema(self, database: str | None, schema: str) -> None:
        """Trino has no ``drop schema ... cascade`` for every connector: its relations go first."""
        for name, kind in self.list_relations(database or "", schema):
            self.drop_relation(self.relation(database, schema, name, kind))
        self.execute(f"drop schema if exists {self.relation(database, schema, None).without_identifier()}")
        self.forget_schema(database, schema)


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="trino",
        dialect="trino",
        adapter_class=TrinoAdapter,
        driver=DriverRequirement("trino", ">=0.1"),
        macro_paths=(MACROS,),
        profile_fields=(
            ProfileField("method", "none, ldap (user and password) or jwt", "none"),
            ProfileField("host", "the coordinator's host name"),
            ProfileField("port", "its port", 8080, int),
            ProfileField("http_scheme", "http or https", "http"),
            ProfileField("user", "the Trino user"),
            ProfileField("database", "the catalog models are built in"),
            ProfileField("schema", "the schema models are built in"),
            ProfileField("threads", "parallel connections", 1, int),
        ),
    ))
