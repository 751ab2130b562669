"""The Snowflake adapter: only what differs from the core's defaults.

- Names are not quoted by default (dbt-snowflake's quoting), so Snowflake stores them in upper
  case; catalog look-ups ask for the name as stored (upper case unless quoting is on).
- Tables and views are built in place with ``create or replace``; DDL commits at once, so a
  build runs without ``begin``/``commit`` (as dbt-snowflake does).
- The driver runs one statement per call: texts holding several are split; if one of them
  fails inside a ``begin`` they opened, that transaction is rolled back.
- ``query_tag`` (profile or model config) goes with every statement as the driver's statement
  option; ``snowflake_warehouse`` switches warehouses around a model.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from fusion.adapter import Adapter, AdapterResponse
from fusion.errors import DatabaseError
from fusion.relation import Column, QuotePolicy, Relation
from fusion.sqltext import split_statements

from fusion_snowflake import credentials

#: statement option of the Snowflake ADBC driver: the QUERY_TAG sent with a statement
QUERY_TAG = "adbc.snowflake.statement.query_tag"
#: Snowflake's error for an object that does not exist (or that the role may not see)
NOT_FOUND = {2003, 2043}
_DRIVER_PREFIX = re.compile(r"\A(?:[A-Z_]+: )?(?:\[Snowflake\] )?(?:\d{6} \([0-9A-Z]{5}\): )*")
_DRIVER_SUFFIX = re.compile(r"\.? Vendor code: -?\d+\.(?: SQLSTATE: [0-9A-Z]{5})?\s*\Z")
_SIZED = re.compile(r"\A\s*([A-Za-z_ ]+?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")
_TRANSACTION = re.compile(r"\A(begin|start\s+transaction|commit|rollback)\b", re.I)
_KINDS = {"VIEW": "view", "MATERIALIZED_VIEW": "materialized_view"}


def column_from_description(name: str, data_type: str) -> Column:
    """A column as ``describe table`` types it: ``VARCHAR(20)``, ``NUMBER(10,2)``, ``FLOAT``..."""
    match = _SIZED.match(data_type)
    if match is None:
        return Column(name, data_type)
    base, first, second = match.group(1).upper(), int(match.group(2)), match.group(3)
    if base in ("VARCHAR", "CHAR", "CHARACTER", "STRING", "TEXT", "BINARY", "VARBINARY"):
        return Column(name, data_type, char_size=first)
    if base in ("NUMBER", "NUMERIC", "DECIMAL"):
        return Column(name, data_type, numeric_precision=first, numeric_scale=int(second or 0))
    return Column(name, data_type)


class SnowflakeAdapter(Adapter):
    type_name = "snowflake"
    quote_policy = QuotePolicy(database=False, schema=False, identifier=False)
    quote_seed_columns = False  # dbt-snowflake's seed default
    replace_view_in_place = True
    replace_table_in_place = True
    clone_table_sql = "create or replace table {target} clone {source}"
    rename_qualified = True
    transactional_ddl = False
    supports_bulk_ingest = False  # seeds are loaded with INSERT (ingest stages Parquet files)
    incremental_strategies = ("append", "delete+insert", "merge", "microbatch")
    python_submission_methods = ("stored_procedure", "local")  # dbt-snowflake's one method, then Fusion's
    #: dbt-snowflake's seed types (SQLAdapter.convert_*_type)
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "integer", "number": "float8", "date": "date",
        "datetime": "timestamp without time zone", "boolean": "boolean", "text": "text",
    }

    def submit_python_model(self, method, node, job, relation, is_incremental):
        from fusion_snowflake.python_sproc import sproc_statements

        response = AdapterResponse("OK")
        for statement in sproc_statements(node, job, relation, is_incremental):
            response, _ = self.execute(statement)
        return response

    # --- profile -> driver options ----------------------------------------------------------
    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        return credentials.parse(target, self.profile_path)

    def driver_options(self) -> dict[str, str]:
        options = dict(self.credentials["options"])
        if self.credentials["private_key"] is not None:
            options[credentials.PRIVATE_KEY] = credentials.private_key_pem(self.credentials["private_key"],
                                                                           self.profile_path)
        return options

    @property
    def default_database(self) -> str:
        return self.credentials["database"]

    @property
    def default_schema(self) -> str:
        return self.credentials["schema"]

    @staticmethod
    def string_literal(value: str) -> str:
        # a backslash starts an escape sequence in Snowflake's string literals
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    # --- per model: query tag and warehouse ---------------------------------------------------
    def pre_model_hook(self, config: dict[str, Any]) -> Any:
        previous_tag = getattr(self._local, "query_tag", None)
        self._local.query_tag = config.get("query_tag") or None
        warehouse, default = config.get("snowflake_warehouse"), self.credentials["warehouse"]
        if not warehouse or warehouse == default:
            return previous_tag, None
        if default is None:
            _, table = self.execute("select current_warehouse()", fetch=True)
            default = table.column(0)[0].as_py()
        self.execute(f"use warehouse {warehouse}")
        return previous_tag, default

    def post_model_hook(self, config: dict[str, Any], context: Any) -> None:
        previous_tag, warehouse = context
        self._local.query_tag = previous_tag
        if warehouse:
            self.execute(f"use warehouse {warehouse}")

    def _query_tag(self) -> str | None:
        return getattr(self._local, "query_tag", None) or self.credentials["query_tag"]

    # --- statements ---------------------------------------------------------------------------
    def execute(self, sql: str, fetch: bool = False):
        """Run ``sql`` statement by statement; the last one's rows (``fetch``) and row count."""
        statements = split_statements(sql)
        response, table, in_transaction = AdapterResponse("OK"), None, False
        for index, statement in enumerate(statements):
            try:
                response, table = self._run(statement, fetch and index == len(statements) - 1)
            except DatabaseError:
                if in_transaction:
                    self._rollback_quietly()
                raise
            keyword = _TRANSACTION.match(statement)
            if keyword:
                in_transaction = keyword.group(1).lower() not in ("commit", "rollback")
        if fetch and table is None:
            import pyarrow as pa

            table = pa.table({})
        return response, table

    def _rollback_quietly(self) -> None:
        try:
            with self._unwinding():
                self._run("rollback", False)
        except DatabaseError:
            pass  # the statement's own error is the one to report

    def _run(self, statement: str, fetch: bool):
        with self.cursor() as cur:
            try:
                tag = self._query_tag()
                if tag:
                    cur.adbc_statement.set_options(**{QUERY_TAG: tag})
                if fetch:
                    cur.execute(statement)
                    table = cur.fetch_arrow_table()
                    rows = table.num_rows
                else:
                    cur.adbc_statement.set_sql_query(statement)
                    rows, table = cur.adbc_statement.execute_update(), None
            except Exception as exc:  # noqa: BLE001 - driver errors become DatabaseError
                error = DatabaseError(self.describe_error(exc))
                error.vendor_code = getattr(exc, "vendor_code", None)
                raise error from exc
        return AdapterResponse("OK", rows_affected=rows if rows is not None and rows >= 0 else None), table

    def describe_error(self, exc: Exception) -> str:
        """Snowflake's message, then its error number and SQLSTATE."""
        text = _DRIVER_SUFFIX.sub("", _DRIVER_PREFIX.sub("", str(exc).strip(), count=1)).strip()
        code, sqlstate = getattr(exc, "vendor_code", None), getattr(exc, "sqlstate", None)
        details = [f"Snowflake error {code:06d}" if isinstance(code, int) and code > 0 else "",
                   f"SQLSTATE {sqlstate}" if sqlstate and sqlstate != "00000" else ""]
        details = [d for d in details if d]
        return text + (f" ({', '.join(details)})" if details else "")

    @staticmethod
    def _not_found(exc: DatabaseError) -> bool:
        return getattr(exc, "vendor_code", None) in NOT_FOUND

    # --- relations and catalog ----------------------------------------------------------------
    def stored(self, name: str, part: str) -> str:
        """``name`` as Snowflake stores it: unquoted names are kept in upper case."""
        return name if getattr(self.relation_quoting, part) else name.upper()

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        where = f"{self.quote(self.stored(database, 'database'))}.{self.quote(self.stored(schema, 'schema'))}"
        try:
            _, table = self.execute(f"show objects in schema {where}", fetch=True)
        except DatabaseError as exc:
            if self._not_found(exc):  # the schema does not exist yet
                return []
            raise
        found = []
        for row in table.select(["name", "kind", "is_dynamic"]).to_pylist():
            kind = _KINDS.get(row["kind"], "table")
            found.append((row["name"], "dynamic_table" if kind == "table" and row["is_dynamic"] == "Y" else kind))
        return found

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        try:
            _, table = self.execute(f"describe table {relation.render()}", fetch=True)
        except DatabaseError as exc:
            if self._not_found(exc):
                return []
            raise
        return [column_from_description(row["name"], row["type"])
                for row in table.select(["name", "type", "kind"]).to_pylist() if row["kind"] == "COLUMN"]

    def standardize_grants_dict(self, grants_table) -> dict[str, list[str]]:
        """SHOW GRANTS rows: role grants by (privilege, grantee_name); ownership is not a grant."""
        names = [str(n).lower() for n in grants_table.column_names]
        grants: dict[str, list[str]] = {}
        for row in grants_table:
            values = dict(zip(names, row, strict=True))
            if str(values["granted_to"]).upper() == "ROLE" and str(values["privilege"]).upper() != "OWNERSHIP":
                grants.setdefault(str(values["privilege"]).lower(), []).append(str(values["grantee_name"]))
        return grants

    @staticmethod
    def ddl_kind(relation: Relation) -> str:
        return {"dynamic_table": "dynamic table"}.get(relation.type or "") or Adapter.ddl_kind(relation)

    def drop_relation(self, relation: Relation) -> None:
        kind = self.ddl_kind(relation)
        cascade = " cascade" if kind == "table" else ""  # Snowflake drops views without CASCADE
        self.execute(f"drop {kind} if exists {relation.render()}{cascade}")
        self.cache_dropped(relation)
