"""The BigQuery adapter: only what differs from the core's defaults.

- Names are ``project.dataset.identifier``, each part quoted with backticks (dbt-bigquery's
  quoting); string literals escape with backslashes.
- Tables, views and materialized views are built in place with ``create or replace`` (atomic in
  BigQuery); DDL is not transactional, so builds run without ``begin``/``commit``.
- The profile's query settings (priority, maximum bytes billed, job timeout) go with every
  statement as the driver's statement options.
- The catalog is read from the dataset's ``INFORMATION_SCHEMA`` (column types spell nested
  ``STRUCT<...>``/``ARRAY<...>`` in full).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from fusion.adapter import Adapter
from fusion.errors import DatabaseError
from fusion.relation import Column, QuotePolicy, Relation, quote_identifier

from fusion_bigquery import profile

_KINDS = {"VIEW": "view", "MATERIALIZED VIEW": "materialized_view"}
_NOT_FOUND = re.compile(r"\bNot found: Dataset\b", re.I)
_PARAMETERS = re.compile(r"\A\s*(\w+)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*\Z")


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
    def from_catalog(cls, name: str, data_type: str) -> BigQueryColumn:
        """``STRING(10)`` and ``NUMERIC(10, 2)`` keep their parameters as sizes too."""
        match = _PARAMETERS.match(data_type)
        if match is None:
            return cls(name, data_type)
        base, first, second = match.group(1).upper(), int(match.group(2)), match.group(3)
        if base in ("STRING", "BYTES"):
            return cls(name, data_type, char_size=first)
        return cls(name, data_type, numeric_precision=first, numeric_scale=int(second or 0))


class BigQueryAdapter(Adapter):
    type_name = "bigquery"
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
    incremental_strategies = ("merge", "insert_overwrite", "microbatch")
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

    @staticmethod
    def string_literal(value: str) -> str:
        # a backslash starts an escape sequence in BigQuery's string literals
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    # --- statements ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def cursor(self) -> Iterator[Any]:
        """The base's cursor, its statement carrying the profile's query job settings."""
        with super().cursor() as cur:
            cur.adbc_statement.set_options(**self.credentials["query"])
            yield cur

    # --- relations and catalog ----------------------------------------------------------------
    def _information_schema(self, database: str | None, schema: str | None, view: str) -> str:
        dataset = self.relation(database, schema, None).without_identifier()
        return f"{dataset}.INFORMATION_SCHEMA.{view}"

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        sql = f"select table_name, table_type from {self._information_schema(database, schema, 'TABLES')}"
        try:
            _, table = self.execute(sql, fetch=True)
        except DatabaseError as exc:
            if _NOT_FOUND.search(str(exc)):  # the dataset does not exist yet
                return []
            raise
        return [(name, _KINDS.get(kind, "table"))
                for name, kind in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True)]

    def columns_sql(self, relation: Relation) -> str:
        return (f"select column_name, data_type "
                f"from {self._information_schema(relation.database, relation.schema, 'COLUMNS')} "
                f"where table_name = {self.string_literal(relation.identifier or '')} order by ordinal_position")

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        try:
            _, table = self.execute(self.columns_sql(relation), fetch=True)
        except DatabaseError as exc:
            if _NOT_FOUND.search(str(exc)):
                return []
            raise
        return [BigQueryColumn.from_catalog(name, data_type)
                for name, data_type in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True)]

    def drop_relation(self, relation: Relation) -> None:
        # BigQuery drops tables and views without CASCADE (views over them stay, and fail when read)
        self.execute(f"drop {self.ddl_kind(relation)} if exists {relation.render()}")
        self.cache_dropped(relation)
