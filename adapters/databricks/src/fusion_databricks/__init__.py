"""Databricks and Apache Spark adapters for Fusion: only what differs from the core's defaults.

Both talk to Spark through the signed Spark Connect ADBC driver (``spark``). ``databricks``
reads dbt-databricks targets (Delta tables and ``merge`` by default), ``spark`` reads dbt-spark
targets (Parquet and ``append`` by default); see profile.py for the mapping. Deltas from the base
adapter: backtick quoting and backslash-escaped strings, no transactional DDL (views and tables
are replaced in place, ``create or replace`` where the table format allows it), one statement
per request, relations and columns read with ``SHOW``/``DESCRIBE`` (there is no
information_schema in Spark), seeds loaded with batched INSERTs (the driver has no bulk ingest).
All connections of a run share one Spark session, so session state (temporary views, settings)
is the same on every thread.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fusion.adapter import Adapter, AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.errors import DatabaseError, ProjectError
from fusion.hookspecs import hookimpl
from fusion.relation import Column, Relation

from .profile import SESSION, connection_options

MACROS = Path(__file__).parent / "macros"


@dataclass(frozen=True)
class SparkColumn(Column):
    """A column as Spark SQL names it (backticks) and writes its literals (``cast``)."""

    @property
    def quoted(self) -> str:
        return "`" + self.name.replace("`", "``") + "`"

    @property
    def data_type(self) -> str:
        """As ``DESCRIBE`` spells it: dbt-spark does not rewrite Spark's types."""
        return self.dtype

    def literal(self, value) -> str:
        return f"cast({value} as {self.data_type})"


class SparkAdapter(Adapter):
    type_name = "spark"
    #: Spark reads backslash escapes in literals, and 'a''b' is two adjacent literals ("ab")
    string_escapes = (("\\", "\\\\"), ("'", "\\'"))
    transactional_ddl = False
    replace_view_in_place = True
    replace_table_in_place = True
    rename_qualified = True
    supports_bulk_ingest = False
    insert_batch_rows = 1000  # 10k-row seed on Sail: 6-10 s at 100..10000 rows per INSERT (see README)
    quote_character = "`"
    incremental_strategies = ("append", "insert_overwrite", "merge", "delete+insert", "microbatch")
    Column = SparkColumn
    drop_cascade = frozenset()  # Spark has no `cascade` for tables or views
    grantee_column, privilege_column = "principal", "actiontype"
    ignored_privileges = frozenset({"OWN"})
    one_statement_per_call = True
    run_without_rows = "read"
    error_rewrites = ((r"\A(?:[A-Z_]+: )?(?:\[Spark\] )?", ""),
                      (r"\.?\s*Vendor code: -?\d+\s*\Z", ""),
                      # Spark's own message (its first line); what follows is the analysed plan
                      (r"\A([^\n]*SQLSTATE: [^\n]*?);*(?:\n.*)?\Z", r"\1"),
                      (r"\n\s*(?:at |\.\.\. \d+ more|Caused by:|JVM stacktrace:).*\Z", ""))
    #: dbt-spark's seed types
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "bigint", "number": "double", "date": "date",
        "datetime": "timestamp", "boolean": "boolean", "text": "string",
    }

    # --- profile -> Spark Connect ------------------------------------------------------------
    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        schema = str(target.get("schema") or "").strip()
        if not schema:
            raise ProjectError(f"the {self.type_name} target needs `schema`", path=self.profile_path)
        catalog = self.catalog(target, schema)
        options = connection_options({"type": self.type_name, **target}, self.profile_path)
        # one session for every connection of this run (see the module docstring)
        options[SESSION] = str(uuid.uuid4())
        return {"options": options, "catalog": catalog, "schema": schema}

    def catalog(self, target: dict[str, Any], schema: str) -> str:
        """The catalog of three-part names ('' for two). dbt-spark has none: its `database`, if
        given, must be the schema; ``catalog`` is Fusion's own key for Spark Connect catalogs."""
        database = target.get("database")
        if database not in (None, "") and str(database).strip() != schema:
            raise ProjectError(f"the spark target's `database: {database}` differs from its `schema: {schema}`",
                               path=self.profile_path, hint="on Spark, database and schema are one: "
                                                            "leave `database` out (or set it to the schema)")
        return str(target.get("catalog") or "").strip()

    def driver_options(self) -> dict[str, str]:
        return dict(self.credentials["options"])

    @property
    def default_database(self) -> str:
        return self.credentials["catalog"]

    @property
    def default_schema(self) -> str:
        return self.credentials["schema"]

    # --- relations and catalog -------------------------------------------------------------------
    def _namespace(self, database: str | None, schema: str) -> str:
        return ".".join(self.quote(part) for part in (database, schema) if part)

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        """Relations of a schema from ``SHOW TABLES`` (tables and views) and ``SHOW VIEWS``."""
        namespace = self._namespace(database, schema)
        tables = self._catalog_rows(f"show tables in {namespace}")
        if tables is None:
            return []
        _, views = self.execute(f"show views in {namespace}", fetch=True)
        # Spark calls the column viewName, Sail tableName
        view_names = {(row.get("viewName") or row.get("tableName")).lower()
                      for row in views.to_pylist() if not row.get("isTemporary")}
        return [(row["tableName"], "view" if row["tableName"].lower() in view_names else "table")
                for row in tables.to_pylist() if not row.get("isTemporary")]

    def is_not_found(self, error: DatabaseError) -> bool:
        return bool(re.search(r"not.found|SCHEMA_NOT_FOUND|NAMESPACE", str(error), re.I))

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        """Columns from ``DESCRIBE TABLE`` (its rows stop at the first blank or ``#`` section)."""
        _, table = self.execute(f"describe table {relation.render()}", fetch=True)
        columns = []
        for name, data_type in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
            if not name or name.startswith("#"):
                break
            columns.append(self.Column.from_description(name, data_type))
        return columns


class DatabricksAdapter(SparkAdapter):
    type_name = "databricks"  # its default incremental strategy (merge) is a macro: see macros/incremental.sql

    def catalog(self, target: dict[str, Any], schema: str) -> str:
        """`catalog` (or its alias `database`); a Databricks cluster's default is hive_metastore, as
        in dbt-databricks. A bare Spark Connect server (`method: connect`) keeps two-part names."""
        catalog = str(target.get("catalog") or target.get("database") or "").strip()
        if catalog or str(target.get("method") or "").lower() == "connect":
            return catalog
        return "hive_metastore"


@hookimpl
def fusion_register_adapters(register):
    driver = DriverRequirement("spark", ">=0.3")
    schema = ProfileField("schema", "the schema models are built in")
    threads = ProfileField("threads", "parallel connections", 1, int)
    register(AdapterSpec(name="spark", dialect="spark", adapter_class=SparkAdapter, driver=driver,
                         macro_paths=(MACROS,), profile_fields=(
                             ProfileField("method", "how to connect", "connect", ask=False),
                             ProfileField("host", "the Spark Connect server's host name", "localhost"),
                             ProfileField("port", "its port", 15002, int), schema, threads)))
    register(AdapterSpec(name="databricks", dialect="databricks", adapter_class=DatabricksAdapter, driver=driver,
                         macro_paths=(MACROS,), parents=("spark",), profile_fields=(
                             ProfileField("host", "the workspace's host, e.g. dbc-a1b2c3d4-e5f6.cloud.databricks.com"),
                             ProfileField("http_path", "an all-purpose cluster's HTTP path"),
                             ProfileField("token", "a personal access token", secret=True),
                             ProfileField("catalog", "the Unity Catalog catalog (blank: hive_metastore)", ""),
                             schema, threads)))
