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

from fusion.adapter import Adapter, AdapterResponse, AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.errors import DatabaseError, ProjectError
from fusion.hookspecs import hookimpl
from fusion.relation import Column, Relation

from .profile import SESSION, connection_options
from .statements import split_statements

MACROS = Path(__file__).parent / "macros"

#: driver and server wrapping around the server's own message
_NOISE = re.compile(r"\A(?:[A-Z_]+: )?(?:\[Spark\] )?")
_VENDOR_CODE = re.compile(r"\.?\s*Vendor code: -?\d+\s*\Z")
_JVM_TRACE = re.compile(r"\n\s*(?:at |\.\.\. \d+ more|Caused by:|JVM stacktrace:).*\Z", re.S)
#: ``decimal(10,2)``, ``varchar(20)``: a type name and its size arguments
_SIZED = re.compile(r"\A\s*(\w+)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")


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


def column(name: str, data_type: str) -> SparkColumn:
    """A column from ``DESCRIBE`` output, with the size of ``decimal(p,s)``/``varchar(n)`` read out."""
    sized = _SIZED.match(data_type)
    if sized is None:
        return SparkColumn(name, data_type)
    kind, first, second = sized[1].lower(), int(sized[2]), sized[3]
    if kind in ("decimal", "numeric", "dec"):
        return SparkColumn(name, data_type, None, first, int(second or 0))
    return SparkColumn(name, data_type, first if kind in ("varchar", "char") else None)


class SparkAdapter(Adapter):
    type_name = "spark"
    transactional_ddl = False
    replace_view_in_place = True
    replace_table_in_place = True
    rename_qualified = True
    supports_bulk_ingest = False
    insert_batch_rows = 1000  # 10k-row seed on Sail: 6-10 s at 100..10000 rows per INSERT (see README)
    quote_character = "`"
    incremental_strategies = ("append", "insert_overwrite", "merge", "delete+insert", "microbatch")
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

    # --- statements ----------------------------------------------------------------------------
    def execute(self, sql: str, fetch: bool = False):
        """Run each statement of ``sql`` in turn; the last one's rows when ``fetch``."""
        statements = split_statements(sql) or [sql]
        response, table = AdapterResponse("OK"), None
        for statement in statements:
            response, table = self._execute_one(statement, fetch and statement is statements[-1])
        return response, table

    def _execute_one(self, sql: str, fetch: bool):
        with self.cursor() as cur:
            try:
                cur.execute(sql)
                table = cur.fetch_arrow_table()  # a command runs as its results are read
            except Exception as exc:  # noqa: BLE001 - every driver error becomes a user-facing one
                raise DatabaseError(self.describe_error(exc)) from exc
        return AdapterResponse("OK"), table if fetch else None

    def describe_error(self, exc: Exception) -> str:
        """The server's message without the driver's status prefix, vendor code or JVM trace."""
        text = _VENDOR_CODE.sub("", _NOISE.sub("", str(exc).strip(), count=1))
        first, _, _rest = text.partition("\n")
        if "SQLSTATE: " in first:  # Spark's own message; what follows is the analysed plan
            text = first.rstrip(";")
        return _JVM_TRACE.sub("", text).strip()

    @staticmethod
    def string_literal(value: str) -> str:
        # Spark reads backslash escapes in literals, and 'a''b' is two adjacent literals ("ab")
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    # --- relations and catalog -------------------------------------------------------------------
    def _namespace(self, database: str | None, schema: str) -> str:
        return ".".join(self.quote(part) for part in (database, schema) if part)

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        """Relations of a schema from ``SHOW TABLES`` (tables and views) and ``SHOW VIEWS``."""
        namespace = self._namespace(database, schema)
        try:
            _, tables = self.execute(f"show tables in {namespace}", fetch=True)
        except DatabaseError as exc:
            if re.search(r"not.found|SCHEMA_NOT_FOUND|NAMESPACE", str(exc), re.I):
                return []  # the schema does not exist yet
            raise
        _, views = self.execute(f"show views in {namespace}", fetch=True)
        # Spark calls the column viewName, Sail tableName
        view_names = {(row.get("viewName") or row.get("tableName")).lower()
                      for row in views.to_pylist() if not row.get("isTemporary")}
        return [(row["tableName"], "view" if row["tableName"].lower() in view_names else "table")
                for row in tables.to_pylist() if not row.get("isTemporary")]

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        """Columns from ``DESCRIBE TABLE`` (its rows stop at the first blank or ``#`` section)."""
        _, table = self.execute(f"describe table {relation.render()}", fetch=True)
        columns = []
        for name, data_type in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
            if not name or name.startswith("#"):
                break
            columns.append(column(name, data_type))
        return columns

    def standardize_grants_dict(self, grants_table) -> dict[str, list[str]]:
        """SHOW GRANTS rows: (principal, actiontype, ...); ownership is not a grant."""
        names = [str(n).lower() for n in grants_table.column_names]
        grants: dict[str, list[str]] = {}
        for row in grants_table:
            values = dict(zip(names, row, strict=True))
            if str(values["actiontype"]).upper() != "OWN":
                grants.setdefault(str(values["actiontype"]).lower(), []).append(str(values["principal"]))
        return grants

    def drop_relation(self, relation: Relation) -> None:
        kind = "view" if relation.type == "view" else "table"  # Spark has no `cascade` for either
        self.execute(f"drop {kind} if exists {relation.render()}")
        self.cache_dropped(relation)


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
