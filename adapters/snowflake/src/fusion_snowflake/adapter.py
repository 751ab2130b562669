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

from typing import Any

from fusion.adapter import Adapter, AdapterResponse
from fusion.errors import DatabaseError
from fusion.relation import Column, QuotePolicy, Relation

from fusion_snowflake import credentials

#: statement option of the Snowflake ADBC driver: the QUERY_TAG sent with a statement
QUERY_TAG = "adbc.snowflake.statement.query_tag"
#: Snowflake's error for an object that does not exist (or that the role may not see)
NOT_FOUND = {2003, 2043}
_KINDS = {"VIEW": "view", "MATERIALIZED_VIEW": "materialized_view"}


class SnowflakeAdapter(Adapter):
    type_name = "snowflake"
    #: a backslash starts an escape sequence in Snowflake's string literals
    string_escapes = (("\\", "\\\\"), ("'", "''"))
    quote_policy = QuotePolicy(database=False, schema=False, identifier=False)
    quote_seed_columns = False  # dbt-snowflake's seed default
    replace_view_in_place = True
    replace_table_in_place = True
    clone_table_sql = "create or replace table {target} clone {source}"
    rename_qualified = True
    transactional_ddl = False
    supports_bulk_ingest = False  # seeds are loaded with INSERT (ingest stages Parquet files)
    python_submission_methods = ("stored_procedure", "local")  # dbt-snowflake's one method, then Fusion's
    drop_cascade = frozenset({"table"})  # Snowflake drops views without CASCADE
    unsupported_constraints = frozenset({"check"})
    grantee_column, privilege_column = "grantee_name", "privilege"
    ignored_privileges = frozenset({"OWNERSHIP"})
    grants_row_filter = ("granted_to", "ROLE")
    one_statement_per_call = True
    run_without_rows = "update"
    error_rewrites = ((r"\A(?:[A-Z_]+: )?(?:\[Snowflake\] )?(?:\d{6} \([0-9A-Z]{5}\): )*", ""),
                      (r"\.? Vendor code: -?\d+\.(?: SQLSTATE: [0-9A-Z]{5})?\s*\Z", ""))
    error_details = (("vendor_code", "Snowflake error {:06d}"), ("sqlstate", "SQLSTATE {}"))

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

    def options_for(self, statement: str) -> dict[str, str]:
        tag = getattr(self._local, "query_tag", None) or self.credentials["query_tag"]
        return {**super().options_for(statement), **({QUERY_TAG: tag} if tag else {})}

    def is_not_found(self, error: DatabaseError) -> bool:
        return getattr(error, "vendor_code", None) in NOT_FOUND

    # --- relations and catalog ----------------------------------------------------------------
    def stored(self, name: str, part: str) -> str:
        """``name`` as Snowflake stores it: unquoted names are kept in upper case."""
        return name if getattr(self.relation_quoting, part) else name.upper()

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        where = f"{self.quote(self.stored(database, 'database'))}.{self.quote(self.stored(schema, 'schema'))}"
        table = self._catalog_rows(f"show objects in schema {where}")
        found = []
        for row in [] if table is None else table.select(["name", "kind", "is_dynamic"]).to_pylist():
            kind = _KINDS.get(row["kind"], "table")
            found.append((row["name"], "dynamic_table" if kind == "table" and row["is_dynamic"] == "Y" else kind))
        return found

    def get_columns_in_relation(self, relation: Relation) -> list[Column]:
        table = self._catalog_rows(f"describe table {relation.render()}")
        rows = [] if table is None else table.select(["name", "type", "kind"]).to_pylist()
        return [self.Column.from_description(row["name"], row["type"]) for row in rows if row["kind"] == "COLUMN"]

    @staticmethod
    def ddl_kind(relation: Relation) -> str:
        return {"dynamic_table": "dynamic table"}.get(relation.type or "") or Adapter.ddl_kind(relation)
