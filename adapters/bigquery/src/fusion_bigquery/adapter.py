"""The BigQuery adapter: only what differs from the core's defaults.

- Names are ``project.dataset.identifier``, each part quoted with backticks (dbt-bigquery's
  quoting); string literals escape with backslashes.
- Tables, views and materialized views are built in place with ``create or replace`` (atomic in
  BigQuery); DDL is not transactional, so builds run without ``begin``/``commit``.
- The profile's query settings (priority, maximum bytes billed, job timeout) go with every
  statement as the driver's statement options.
- The catalog is read as dbt-bigquery reads it, from BigQuery's API (the driver's metadata
  calls): relations of a dataset, and column types with nested ``STRUCT<...>``/``ARRAY<...>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from fusion.adapter import Adapter
from fusion.errors import DatabaseError
from fusion.relation import Column, QuotePolicy, Relation, quote_identifier

from fusion_bigquery import profile

_KINDS = {"VIEW": "view", "MATERIALIZED_VIEW": "materialized_view"}
_NOT_FOUND = re.compile(r"\bnot ?found\b", re.I)


class BigQueryColumn(Column):
    """A column as BigQuery types it (``INT64``, ``STRING``, ``STRUCT<a INT64>``, ``ARRAY<STRING>``)."""

    @property
    def quoted(self) -> str:
        return quote_identifier(self.name, "`")

    @property
    def data_type(self) -> str:
        return self.dtype  # BigQuery's strings are unbounded unless the type says otherwise

    def is_string(self) -> bool:
        return self.dtype.upper().startswith("STRING")

    def is_integer(self) -> bool:
        return self.dtype.upper() in ("INT64", "INTEGER", "INT", "SMALLINT", "BIGINT", "TINYINT", "BYTEINT")

    def is_float(self) -> bool:
        return self.dtype.upper() in ("FLOAT64", "FLOAT")

    def is_numeric(self) -> bool:
        return self.dtype.upper().startswith(("NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL"))

    def can_expand_to(self, other_column: Column) -> bool:
        return False

    def literal(self, value: Any) -> str:
        return f"cast({value} as {self.dtype})"

    @classmethod
    def string_type(cls, size: Any) -> str:
        return "STRING"

    @classmethod
    def from_field(cls, field: Any) -> BigQueryColumn:
        """A column of the driver's Arrow schema: its BigQuery type is in the field's metadata."""
        metadata = {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}
        size = int(metadata.get("MaxLength") or 0)
        return cls(field.name, metadata.get("BIGQUERY:type") or str(field.type), char_size=size or None)


class BigQueryAdapter(Adapter):
    type_name = "bigquery"
    #: a backslash starts an escape sequence in BigQuery's string literals
    string_escapes = (("\\", "\\\\"), ("'", "\\'"))
    Column = BigQueryColumn  # api.Column in templates
    quote_character = "`"
    quote_policy = QuotePolicy(database=True, schema=True, identifier=True)
    quote_seed_columns = True
    replace_view_in_place = True
    replace_table_in_place = True
    transactional_ddl = False
    supports_materialized_views = True
    supports_bulk_ingest = False  # seeds are loaded with INSERT statements
    clone_table_sql = "create or replace table {target} clone {source}"
    date_function = "current_timestamp()"
    unsupported_constraints = frozenset({"check", "unique"})
    incremental_strategies = ("merge", "insert_overwrite", "microbatch")
    drop_cascade = frozenset()  # BigQuery drops without CASCADE (views over a table stay, and fail when read)
    Column = BigQueryColumn
    #: dbt-bigquery's seed types
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "INT64", "number": "FLOAT64", "date": "DATE",
        "datetime": "DATETIME", "boolean": "BOOL", "text": "STRING",
    }

    # --- profile -> driver options ----------------------------------------------------------
    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        """dbt-bigquery's aliases (``project`` is the database, ``dataset`` the schema) and defaults."""
        return {**profile.DEFAULTS, "database": target.get("project"), "schema": target.get("dataset")}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        return profile.parse(target, self.profile_path)

    def driver_options(self) -> dict[str, str]:
        return dict(self.credentials["options"])

    @property
    def default_database(self) -> str:
        return self.credentials["database"]

    @property
    def default_schema(self) -> str:
        return self.credentials["schema"]

    # --- statements ---------------------------------------------------------------------------
    def options_for(self, statement: str) -> dict[str, str]:
        """Every statement carries the profile's query job settings (priority, bytes billed...)."""
        return {**super().options_for(statement), **self.credentials["query"]}

    # --- relations and catalog (BigQuery's API, through the driver's metadata calls) ----------
    def _metadata(self, call: Callable[[Any], Any]) -> Any:
        try:
            return call(self.connection())
        except Exception as exc:  # noqa: BLE001 - driver errors become DatabaseError
            raise DatabaseError(self.describe_error(exc)) from exc

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        """The dataset's tables and views, as dbt-bigquery lists them (an API call, not a query);
        none when the dataset does not exist yet. The driver's filters are LIKE patterns
        (``_`` matches any character), so names are compared exactly here."""
        objects = self._metadata(lambda conn: conn.adbc_get_objects(
            depth="tables", catalog_filter=database, db_schema_filter=schema).read_all())
        return [(table["table_name"], _KINDS.get(table["table_type"], "table"))
                for catalog in objects.to_pylist() if catalog["catalog_name"] == database
                for dataset in catalog["catalog_db_schemas"] or [] if dataset["db_schema_name"] == schema
                for table in dataset["db_schema_tables"] or []]

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        """The relation's columns with BigQuery's types (nested ``STRUCT<...>``/``ARRAY<...>`` in
        full) from its API schema, as dbt-bigquery reads them; none when it does not exist."""
        try:
            schema = self._metadata(lambda conn: conn.adbc_get_table_schema(
                relation.identifier or "", catalog_filter=relation.database, db_schema_filter=relation.schema))
        except DatabaseError as exc:
            if _NOT_FOUND.search(str(exc)):
                return []
            raise
        return [BigQueryColumn.from_field(field) for field in schema]
