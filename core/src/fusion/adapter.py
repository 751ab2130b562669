"""The adapter base class: everything a warehouse plugin inherits and may override.

An adapter declares (class constants, a credentials mapping, a few methods for catalog
queries); the behaviour lives here. Connections are opened lazily, one per thread, from a
database handle obtained through ``fusion.drivers`` — so parse and compile never connect.
Every statement runs through ``cursor()``, which registers it so that ``cancel()`` (called from
another thread, e.g. on Ctrl-C) can stop it. Templates reach only the ``@available`` methods
(``adapter.<name>``; see fusion.available).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from fusion.available import available
from fusion.drivers import DriverRequirement, open_database
from fusion.errors import DatabaseError, FusionError, Interrupted
from fusion.interrupt import own_driver_sigint
from fusion.relation import Column as BaseColumn
from fusion.relation import QuotePolicy
from fusion.relation import Relation as BaseRelation
from fusion.sqltext import split_statements

if TYPE_CHECKING:
    import adbc_driver_manager.dbapi as dbapi

    from fusion.drivers.manager import DriverManager


@dataclass(frozen=True)
class ProfileField:
    """One key of a new profile's target, as ``fusion init`` asks for it.

    ``default`` None means an answer is required; ``{project}`` in a text default becomes the
    project's name. ``ask=False`` writes the default without asking (``--field`` still sets it);
    ``secret`` answers are typed without echo.
    """

    name: str
    hint: str = ""
    default: str | int | None = None
    type: type[str] | type[int] = str
    secret: bool = False
    ask: bool = True


@dataclass(frozen=True)
class AdapterSpec:
    """What an adapter plugin registers through ``fusion_register_adapters``."""

    name: str
    dialect: str
    adapter_class: type[Adapter]
    driver: DriverRequirement
    macro_paths: tuple[Path, ...] = ()
    parents: tuple[str, ...] = ()  # adapter names whose macros this one inherits (dispatch order)
    #: the keys of a profiles.yml target that ``fusion init`` asks for (``type`` is added)
    profile_fields: tuple[ProfileField, ...] = ()


@dataclass
class AdapterResponse:
    message: str = "OK"
    code: str | None = None
    rows_affected: int | None = None
    query_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"_message": self.message}
        if self.code is not None:
            out["code"] = self.code
        if self.rows_affected is not None:
            out["rows_affected"] = self.rows_affected
        return out


class StatementError(DatabaseError):
    """A statement the warehouse rejected, with the driver's SQLSTATE and vendor code (if any)."""

    def __init__(self, message: str, sqlstate: str | None = None, vendor_code: int | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.vendor_code = vendor_code


#: a statement that opens or ends a transaction (see ``Adapter.execute``)
_TRANSACTION = re.compile(r"\A(begin|start\s+transaction|commit|rollback)\b", re.I)


@dataclass
class RelationCache:
    """Known relations per (database, schema), filled on first look and kept up to date."""

    schemas: dict[tuple[str, str], dict[str, BaseRelation]] = field(default_factory=dict)
    created_schemas: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    schema_lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def key(database: str | None, schema: str | None) -> tuple[str, str]:
        return ((database or "").lower(), (schema or "").lower())


class Adapter:
    """Base class for warehouse adapters. Subclasses override only what differs."""

    #: profiles.yml ``type``
    type_name: ClassVar[str] = ""
    #: relation types that ``create or replace view`` may replace in place
    replace_view_in_place: ClassVar[bool] = False
    #: a zero-copy table clone, ``{target}`` from ``{source}`` (None: clone makes views)
    clone_table_sql: ClassVar[str | None] = None
    #: whether DDL can be rolled back (then a failed build leaves nothing half-done). Where DDL
    #: commits at once (Snowflake, Spark), builds run without ``begin``/``commit`` and scratch
    #: tables are dropped instead of rolled back.
    transactional_ddl: ClassVar[bool] = True
    #: whether ``create or replace table`` swaps a table in atomically (then tables are built in
    #: place instead of beside the old one and renamed over it)
    replace_table_in_place: ClassVar[bool] = False
    #: whether ``materialized: materialized_view`` can be built
    supports_materialized_views: ClassVar[bool] = False
    #: whether the driver bulk-loads Arrow data (``adbc_ingest``); if not, seeds use batched INSERTs
    supports_bulk_ingest: ClassVar[bool] = True
    #: where a Python model runs unless its config sets ``submission_method``: ``local`` (a child
    #: process beside Fusion), or a method ``submit_python_model`` runs in the warehouse
    python_submission_methods: ClassVar[tuple[str, ...]] = ("local",)
    #: rows per INSERT statement when seeds are loaded without bulk ingest
    insert_batch_rows: ClassVar[int] = 500
    quote_character: ClassVar[str] = '"'
    #: whether ``alter ... rename to`` takes the full new name (else only the identifier: the
    #: relation stays in its schema); where an unqualified name means the session's current
    #: schema (Snowflake, Spark), the new name must be qualified
    rename_qualified: ClassVar[bool] = False
    #: which parts of a relation name are quoted unless dbt_project.yml's ``quoting:`` says otherwise
    quote_policy: ClassVar[QuotePolicy] = QuotePolicy()
    #: whether seed column names are quoted when a seed does not set ``quote_columns``
    quote_seed_columns: ClassVar[bool] = True
    #: SQL for "now" in this database (``sql_now`` in templates)
    date_function: ClassVar[str] = "now()"
    #: valid incremental strategies
    incremental_strategies: ClassVar[tuple[str, ...]] = ("append", "delete+insert", "merge", "microbatch")
    #: seed column types inferred from CSV text, by inferred kind (dbt SQLAdapter's convert_*_type)
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "integer", "number": "float8", "date": "date",
        "datetime": "timestamp without time zone", "boolean": "boolean", "text": "text",
    }
    #: the classes of this adapter's relations and columns (``api.Relation``/``api.Column``)
    Relation: ClassVar[type[BaseRelation]] = BaseRelation
    Column: ClassVar[type[BaseColumn]] = BaseColumn
    #: how a string literal escapes characters, in order (BigQuery and Spark read backslashes)
    string_escapes: ClassVar[tuple[tuple[str, str], ...]] = (("'", "''"),)
    #: relation kinds whose ``drop`` takes ``cascade`` (dropping what is built on them too)
    drop_cascade: ClassVar[frozenset[str]] = frozenset({"table", "view", "materialized view"})
    #: constraint types the warehouse refuses in DDL: contracts leave them out of ``create table``
    #: (dbt's ``not_supported``), e.g. ``check`` on Snowflake and Redshift
    unsupported_constraints: ClassVar[frozenset[str]] = frozenset()
    #: the columns of ``get_show_grant_sql``'s rows naming the grantee and the privilege
    grantee_column: ClassVar[str] = "grantee"
    privilege_column: ClassVar[str] = "privilege_type"
    #: privileges that are not grants (ownership), upper case
    ignored_privileges: ClassVar[frozenset[str]] = frozenset()
    #: (column, value): only rows with this value (any case) are grants, e.g. Snowflake's grants to roles
    grants_row_filter: ClassVar[tuple[str, str] | None] = None

    # --- the statement pipeline: what a driver needs declared -------------------------
    #: whether the driver runs one statement per call: a text is then split (with sqlglot's
    #: tokenizer for this dialect) and run statement by statement
    one_statement_per_call: ClassVar[bool] = False
    #: how a statement whose rows are not wanted runs: ``execute`` (the DB-API cursor's),
    #: ``update`` (ADBC's execute_update: no result set; where the driver allows, one text may
    #: hold several statements) or ``read`` (executed and its results read: the driver runs a
    #: command only as its results are read)
    run_without_rows: ClassVar[Literal["execute", "update", "read"]] = "execute"
    #: driver options of the statements matching a pattern (a regular expression, any case)
    statement_options: ClassVar[dict[str, dict[str, str]]] = {}
    #: functions applied in turn to every fetched Arrow table (e.g. decimals sent as text)
    result_converters: ClassVar[tuple[Callable[[Any], Any], ...]] = ()
    #: (pattern, replacement) applied in turn to a driver error's text, leaving the server's message
    error_rewrites: ClassVar[tuple[tuple[str, str], ...]] = (
        (r"\A(?:INTERNAL|INVALID_ARGUMENT|IO|UNKNOWN): ", ""),)
    #: (attribute of the driver's error, format) shown in parentheses after the message's first line
    error_details: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, spec: AdapterSpec, target: dict[str, Any], profile_path: str,
                 drivers: DriverManager | None = None,
                 quoting: dict[str, Any] | None = None):
        self.spec = spec
        #: the quote policy in force: the adapter's default, overridden by the project's ``quoting:``
        self.relation_quoting = replace(self.quote_policy, **{
            f.name: bool((quoting or {})[f.name]) for f in fields(QuotePolicy)
            if (quoting or {}).get(f.name) is not None})
        self.drivers = drivers  # fusion.drivers.manager.DriverManager (None: the process default)
        #: the profile's target with the dbt adapter's defaults for the keys it leaves out
        self.target = self.complete_target(target)
        self.profile_path = profile_path
        self.credentials = self.parse_credentials(self.target)
        self._database: Any = None  # an adbc_driver_manager.AdbcDatabase
        self._database_lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[Any] = []
        self._running: set[Any] = set()  # the AdbcStatements executing now, for cancel()
        self._running_lock = threading.Lock()
        self._cancelled = False
        self.cache = RelationCache()
        #: renders a macro of the project at execute time: ``render_macro(name, *args)`` (set by
        #: the invocation that opened the adapter; the catalog queries are macros)
        self.render_macro: Callable[..., Any] | None = None

    # --- declared by subclasses ---------------------------------------------------------
    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        """What the dbt adapter fills in for keys ``target`` leaves out (``target`` in Jinja shows it);
        a class method, so that ``target`` can be completed before an adapter exists."""
        return {}

    @classmethod
    def complete_target(cls, target: dict[str, Any]) -> dict[str, Any]:
        """The profile's target with the adapter's defaults for what it leaves out (or sets to null)."""
        return {**cls.target_defaults(target), **{k: v for k, v in target.items() if v is not None}}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        """Validate the profile target; return what ``driver_options`` needs."""
        return dict(target)

    def driver_options(self) -> dict[str, str]:
        """Options for the ADBC database (URI, path...)."""
        raise NotImplementedError

    def table_replacement(self, config: dict[str, Any]) -> Literal["rename", "drop", "replace", "skip"]:
        """How a table model takes an existing relation's place: built beside it and renamed over
        it (``rename``), after dropping it (``drop``), with ``create or replace`` (``replace``), or
        not at all: an existing relation is kept (``skip``)."""
        return "replace" if self.replace_table_in_place else "rename"

    @property
    def default_database(self) -> str:
        """The database name used for relations when a node does not set one."""
        return str(self.target.get("database") or "")

    @property
    def default_schema(self) -> str:
        return str(self.target.get("schema") or "")

    def list_relations(self, database: str, schema: str) -> list[tuple[str, str]]:
        """(name, type) of every relation in a schema, as the catalog spells the name (the rows
        of the ``list_relations_sql`` macro)."""
        table = self._catalog_rows(self.catalog_macro_sql("list_relations_sql", self.relation(database, schema, None)))
        return [] if table is None else list(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))

    def catalog_macro_sql(self, macro: str, *args: Any) -> str:
        """The SQL a catalog macro (``list_relations_sql``, ``columns_sql``...) renders, dispatched
        for this adapter (so adapters and projects override it as dbt's ``<adapter>__`` macros)."""
        if self.render_macro is None:
            raise FusionError(f"the {self.type_name} adapter reads its catalog through the project's macros, "
                              "and was opened without a project")
        return str(self.render_macro(macro, *args)).strip()

    def _catalog_rows(self, sql: str) -> Any:
        """The rows of a catalog query; None where the object it reads does not exist."""
        try:
            return self.execute(sql, fetch=True)[1]
        except DatabaseError as exc:
            if self.is_not_found(exc):
                return None
            raise

    def catalog_sql(self, database: str, schemas: list[str]) -> str:
        """SQL giving catalog.json's rows for every relation of ``schemas`` in ``database``, one row
        per column: table_database, table_schema, table_name, table_type, table_comment,
        column_name, column_index, column_type, column_comment, table_owner. One query for all
        the schemas."""
        names = ", ".join(self.string_literal(s.upper()) for s in schemas)
        return (
            "select t.table_catalog as table_database, t.table_schema, t.table_name, t.table_type, "
            "null as table_comment, c.column_name, c.ordinal_position as column_index, "
            "c.data_type as column_type, null as column_comment, null as table_owner "
            "from information_schema.tables t join information_schema.columns c "
            "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema "
            f"and c.table_name = t.table_name where upper(t.table_schema) in ({names})"
            + (f" and upper(t.table_catalog) = upper({self.string_literal(database)})" if database else "")
            + " order by t.table_schema, t.table_name, c.ordinal_position"
        )

    # --- relations and quoting ----------------------------------------------------------
    def relation(self, database: str | None, schema: str | None, identifier: str | None,
                 type: str | None = None) -> BaseRelation:
        return self.Relation(database, schema, identifier, type, self.relation_quoting, self.quote_character)

    @available
    def quote(self, identifier: str) -> str:
        q = self.quote_character
        return f"{q}{identifier.replace(q, q * 2)}{q}"

    @available
    def quote_as_configured(self, identifier: str, quote_key: str) -> str:
        """``identifier`` quoted if the quote policy in force quotes this part (``quote_key``)."""
        return self.quote(identifier) if getattr(self.relation_quoting, quote_key, True) else identifier

    @available
    def quote_string(self, value: Any) -> str:
        return self.string_literal(str(value))

    @available
    def quote_seed_column(self, column: str, quote_config: bool | None = None) -> str:
        """A seed column name as its DDL spells it (the seed's ``quote_columns``, else the default)."""
        quoted = self.quote_seed_columns if quote_config is None else bool(quote_config)
        return self.quote(column) if quoted else column

    @classmethod
    def string_literal(cls, value: str) -> str:
        for character, escaped in cls.string_escapes:
            value = value.replace(character, escaped)
        return f"'{value}'"

    # --- connections --------------------------------------------------------------------
    def _db(self) -> Any:
        with self._database_lock:
            if self._database is None:
                try:
                    self._database = open_database(self.spec.driver, self.driver_options(), self.drivers)
                except FusionError:
                    raise  # driver and profile problems already say what to do
                except Exception as exc:
                    raise DatabaseError(
                        f"could not open the {self.type_name} database: {self.describe_error(exc)}",
                        path=self.profile_path,
                        hint="check the target's connection settings in profiles.yml") from exc
            return self._database

    def connection(self) -> dbapi.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            import adbc_driver_manager
            import adbc_driver_manager.dbapi as dbapi

            own_driver_sigint(dbapi)
            try:
                raw = adbc_driver_manager.AdbcConnection(self._db())
            except adbc_driver_manager.Error as exc:  # e.g. too many connections
                raise DatabaseError(f"could not connect to {self.type_name}: {self.describe_error(exc)}",
                                    path=self.profile_path) from exc
            conn = dbapi.Connection(self._db(), raw, autocommit=True)
            try:
                self.on_connect(conn)
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            with self._database_lock:
                self._connections.append(conn)
        return conn

    def submit_python_model(self, method: str, node: Any, job: Any, relation: BaseRelation,
                            is_incremental: bool) -> AdapterResponse:
        """Run a Python model in the warehouse by ``method`` (one of ``python_submission_methods``
        other than ``local``), saving its result as ``relation``; ``job`` is what its ``dbt``
        object resolves to (``fusion.materializations.python_job.PythonJob``)."""
        raise NotImplementedError(f"{self.type_name} declares no Python submission method {method!r}")

    def pre_model_hook(self, config: dict[str, Any]) -> Any:
        """Called on the node's thread before its materialization runs (dbt's ``pre_model_hook``,
        e.g. to switch warehouses); what it returns is handed to ``post_model_hook``."""
        return None

    def post_model_hook(self, config: dict[str, Any], context: Any) -> None:
        """Called after the materialization, even when it failed; undoes ``pre_model_hook``."""

    def on_connect(self, conn: dbapi.Connection) -> None:
        """Prepare a newly opened connection before its first statement (e.g. ``set role``).

        Called once per connection, on the thread that opened it; an exception closes the
        connection and propagates. The default does nothing.
        """

    def close(self) -> None:
        with self._database_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing is best effort at shutdown
                    pass
            self._connections.clear()
            if self._database is not None:
                self._database.close()
                self._database = None
        self._local = threading.local()

    # --- execution ----------------------------------------------------------------------
    @contextlib.contextmanager
    def cursor(self) -> Iterator[dbapi.Cursor]:
        """A DB-API cursor of this thread's connection, for one statement, closed afterwards.

        While it is open ``cancel()`` can stop its statement; once ``cancel()`` was called no new
        statement starts (``Interrupted``), except those that unwind a transaction (``rollback``).
        """
        cur = self.connection().cursor()
        statement = cur.adbc_statement
        try:
            if not getattr(self._local, "unwinding", False):
                with self._running_lock:
                    if self._cancelled:
                        raise Interrupted("the run was interrupted: no further statement is started")
                    self._running.add(statement)
            yield cur
        finally:
            with self._running_lock:
                self._running.discard(statement)
            cur.close()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel()`` was called: work outside the driver (a Python model) stops too."""
        return self._cancelled

    def cancel(self) -> list[str]:
        """Stop every running statement (from any thread) and refuse new ones; return the
        driver's errors for statements it could not cancel."""
        errors = []
        with self._running_lock:  # held: no statement is closed while it is being cancelled
            self._cancelled = True
            for statement in self._running:
                try:
                    statement.cancel()
                except Exception as exc:  # noqa: BLE001 - a driver without cancel: the statement runs out
                    errors.append(self.describe_error(exc))
        return errors

    @contextlib.contextmanager
    def _unwinding(self) -> Iterator[None]:
        """Statements run inside are not refused (nor cancelled) after ``cancel()``."""
        previous = getattr(self._local, "unwinding", False)
        self._local.unwinding = True
        try:
            yield
        finally:
            self._local.unwinding = previous

    def execute(self, sql: str, fetch: bool = False) -> tuple[AdapterResponse, Any]:
        """Run ``sql``; return (AdapterResponse, pyarrow.Table of its rows if ``fetch``, else None).

        Where the driver runs one statement per call, the statements of the text run in turn
        (the rows are the last one's); one failing inside a ``begin`` the text opened rolls it back.
        """
        if not self.one_statement_per_call:
            return self._run(sql, fetch)
        statements = split_statements(sql, self.spec.dialect)
        response, table, in_transaction = AdapterResponse(), None, False
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
            import pyarrow as pa  # type: ignore[import-untyped]

            table = pa.table({})
        return response, table

    def _run(self, statement: str, fetch: bool) -> tuple[AdapterResponse, Any]:
        """One statement, as ``run_without_rows`` and ``statement_options`` declare."""
        table = None
        with self.cursor() as cur:
            try:
                options = self.options_for(statement)
                if options:
                    cur.adbc_statement.set_options(**options)
                if fetch or self.run_without_rows == "read":
                    cur.execute(statement)
                    table = cur.fetch_arrow_table()
                    # drivers that tell updates apart report no row count for a query: count its rows
                    rows = table.num_rows if self.run_without_rows == "update" else cur.rowcount
                    table = self._converted(table) if fetch else None
                elif self.run_without_rows == "update":
                    cur.adbc_statement.set_sql_query(statement)
                    rows = cur.adbc_statement.execute_update()
                else:
                    cur.execute(statement)
                    rows = cur.rowcount
            except Exception as exc:  # noqa: BLE001 - every driver error becomes a user-facing one
                raise self.statement_error(exc, statement) from exc
        return AdapterResponse("OK", rows_affected=rows if rows is not None and rows >= 0 else None), table

    def _converted(self, table: Any) -> Any:
        for convert in self.result_converters:
            table = convert(table)
        return table

    def _rollback_quietly(self) -> None:
        try:
            with self._unwinding():
                self._run("rollback", False)
        except DatabaseError:
            pass  # the statement's own error is the one to report

    def options_for(self, statement: str) -> dict[str, str]:
        """The driver options ``statement`` runs with (by default the declared ``statement_options``)."""
        options: dict[str, str] = {}
        for pattern, values in self.statement_options.items():
            if re.match(pattern, statement, re.I | re.S):
                options.update(values)
        return options

    def statement_error(self, exc: Exception, sql: str | None = None) -> StatementError:
        return StatementError(self.describe_error(exc, sql), getattr(exc, "sqlstate", None),
                              getattr(exc, "vendor_code", None))

    def describe_error(self, exc: BaseException, sql: str | None = None) -> str:
        """The server's message: the driver's text without the statement it quotes, rewritten by
        the declared ``error_rewrites``, then the declared ``error_details`` after its first line."""
        text = str(exc).strip()
        if sql:
            text = text.replace(f" '{sql}'", "", 1)
        for pattern, replacement in self.error_rewrites:
            text = re.sub(pattern, replacement, text, count=1, flags=re.S)
        first, _, rest = text.strip().partition("\n")
        details = [form.format(value) for attribute, form in self.error_details
                   if (value := getattr(exc, attribute, None)) not in (None, "", "00000")
                   and not (isinstance(value, int) and value <= 0)]
        if details:
            first += f" ({', '.join(details)})"
        return first + ("\n" + rest.rstrip() if rest.strip() else "")

    def is_not_found(self, error: DatabaseError) -> bool:
        """Whether ``error`` says the object (or its schema) does not exist; catalog reads then
        find nothing instead of failing."""
        return False

    def begin(self) -> None:
        if self.transactional_ddl:
            self.execute("begin")
            self._local.journal = []

    def commit(self) -> None:
        self._local.journal = None
        if self.transactional_ddl:
            try:
                self.execute("commit")
            except Interrupted:
                self.rollback()  # nothing is committed once the run was interrupted
                raise

    def rollback(self) -> None:
        """Roll back, and undo what this transaction told the relation cache."""
        if not self.transactional_ddl:
            return  # nothing was held back: what ran stays done, and the cache says so
        journal = getattr(self._local, "journal", None) or []
        self._local.journal = None
        with self.cache.lock:
            for rels, name, previous in reversed(journal):
                if previous is None:
                    rels.pop(name, None)
                else:
                    rels[name] = previous
        try:
            with self._unwinding():
                self.execute("rollback")
        except DatabaseError:
            pass  # no transaction was open

    def transaction(self) -> _Transaction:
        return _Transaction(self)

    @contextlib.contextmanager
    def scratch(self, relation: BaseRelation) -> Iterator[BaseRelation]:
        """A transaction that is always rolled back, for a throwaway ``relation`` created inside it;
        where DDL cannot be rolled back the relation is dropped instead."""
        self.begin()
        try:
            yield relation
        finally:
            self.rollback()
            if not self.transactional_ddl:
                with self._unwinding():
                    self.execute(f"drop table if exists {relation}")

    def ingest(self, relation: BaseRelation, table: Any,
               mode: Literal["append", "create", "replace", "create_append"] = "append") -> int:
        """Bulk-load an Arrow table (``mode``: append to, or create, the relation)."""
        with self.cursor() as cur:
            try:
                return cur.adbc_ingest(relation.identifier or "", table, mode=mode,
                                       db_schema_name=relation.schema) or 0
            except Exception as exc:
                raise self.statement_error(exc) from exc

    def insert_values(self, relation: BaseRelation, columns: list[str], sql_types: list[str],
                      table: Any) -> int:
        """Load an Arrow table with batched ``insert ... values`` (drivers without bulk ingest).

        ``columns`` are the column names as the DDL spelled them (quoted or not). Every value is
        sent as a string literal cast to its column's type, which every dialect reads the same
        way; a batch is one statement of ``insert_batch_rows`` rows.
        """
        column_list = ", ".join(columns)
        casts = [f"cast({{}} as {t})" for t in sql_types]
        rows = [self._literal_row(values, casts) for values in zip(*table.to_pydict().values(), strict=True)]
        for start in range(0, len(rows), self.insert_batch_rows):
            batch = ",\n".join(rows[start:start + self.insert_batch_rows])
            self.execute(f"insert into {relation} ({column_list}) values\n{batch}")
        return len(rows)

    def _literal_row(self, values: tuple[Any, ...], casts: list[str]) -> str:
        cells = []
        for value, cast in zip(values, casts, strict=True):
            if value is None:
                cells.append(cast.format("null"))
            else:
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                cells.append(cast.format(self.string_literal(text)))
        return "(" + ", ".join(cells) + ")"

    # --- catalog (cached) ---------------------------------------------------------------
    def _schema_relations(self, database: str | None, schema: str | None) -> dict[str, BaseRelation]:
        key = RelationCache.key(database, schema)
        with self.cache.lock:
            known = self.cache.schemas.get(key)
        if known is not None:
            return known
        found = {name.lower(): self.relation(database, schema, name, kind)
                 for name, kind in self.list_relations(database or "", schema or "")}
        with self.cache.lock:
            return self.cache.schemas.setdefault(key, found)

    @available(parsing=None)
    def get_relation(self, database: str | None, schema: str | None, identifier: str | None) -> BaseRelation | None:
        return self._schema_relations(database, schema).get((identifier or "").lower())

    @available(parsing=False)
    def already_exists(self, schema: str | None, name: str | None) -> bool:
        return self.get_relation(self.default_database, schema, name) is not None

    def _cache_set(self, relation: BaseRelation, value: BaseRelation | None) -> None:
        rels = self._schema_relations(relation.database, relation.schema)
        name = (relation.identifier or "").lower()
        with self.cache.lock:
            journal = getattr(self._local, "journal", None)
            if journal is not None:
                journal.append((rels, name, rels.get(name)))
            if value is None:
                rels.pop(name, None)
            else:
                rels[name] = value

    @available(parsing=None)
    def cache_added(self, relation: BaseRelation) -> None:
        self._cache_set(relation, relation)

    @available(parsing=None)
    def cache_dropped(self, relation: BaseRelation) -> None:
        self._cache_set(relation, None)

    def forget_schema(self, database: str | None, schema: str | None) -> None:
        key = RelationCache.key(database, schema)
        with self.cache.lock:
            self.cache.schemas.pop(key, None)
            self.cache.created_schemas.discard(key)

    @available
    def standardize_grants_dict(self, grants_table: Any) -> dict[str, list[str]]:
        """What ``get_show_grant_sql`` returned, as {privilege: [grantee, ...]}, read from the
        declared ``grantee_column``/``privilege_column`` (ignored privileges and rows left out)."""
        if grants_table is None:
            return {}
        names = [str(n).lower() for n in grants_table.column_names]
        grants: dict[str, list[str]] = {}
        for row in grants_table:
            values = dict(zip(names, row, strict=True))
            privilege = str(values[self.privilege_column])
            if self.grants_row_filter is not None:
                column, wanted = self.grants_row_filter
                if str(values[column]).upper() != wanted.upper():
                    continue
            if privilege.upper() not in self.ignored_privileges:
                grants.setdefault(privilege.lower(), []).append(str(values[self.grantee_column]))
        return grants

    @available(parsing=[])
    def get_columns_in_relation(self, relation: BaseRelation) -> list[BaseColumn]:
        """The relation's columns (none if it does not exist), from the ``columns_sql`` macro's
        rows: (name, type, character length, numeric precision, numeric scale)."""
        table = self._catalog_rows(self.catalog_macro_sql("columns_sql", relation))
        if table is None:
            return []
        return [self.Column(*row) for row in zip(*(c.to_pylist() for c in table.columns), strict=True)]

    @available(parsing=[])
    def get_columns_in_table(self, schema: str | None, identifier: str | None) -> list[BaseColumn]:
        return self.get_columns_in_relation(self.relation(self.default_database, schema, identifier))

    @available(parsing=[])
    def get_missing_columns(self, from_relation: BaseRelation, to_relation: BaseRelation) -> list[BaseColumn]:
        """The columns of ``from_relation`` that ``to_relation`` lacks (by name, any case)."""
        have = {c.name.lower() for c in self.get_columns_in_relation(to_relation)}
        return [c for c in self.get_columns_in_relation(from_relation) if c.name.lower() not in have]

    @available(parsing="")
    def expand_target_column_types(self, from_relation: BaseRelation, to_relation: BaseRelation) -> str:
        """Widen ``to_relation``'s string columns that are shorter than ``from_relation``'s."""
        wider = {c.name.lower(): c for c in self.get_columns_in_relation(from_relation)}
        for column in self.get_columns_in_relation(to_relation):
            source = wider.get(column.name.lower())
            if (source is not None and column.is_string() and column.char_size and
                    (source.char_size is None or source.char_size > column.char_size)):
                self.alter_column_type(to_relation, column.name, source.char_size)
        return ""

    def alter_column_type(self, relation: BaseRelation, column: str, char_size: int | None) -> None:
        """Make a string column ``varchar(char_size)`` (unbounded for None)."""
        new_type = "varchar" if char_size is None else f"varchar({char_size})"
        self.execute(f"alter table {relation} alter column {self.quote(column)} type {new_type}")

    @available
    def get_hard_deletes_behavior(self, config: Any) -> str:
        """A snapshot's ``hard_deletes`` (``invalidate_hard_deletes: true`` is ``invalidate``)."""
        hard_deletes = config.get("hard_deletes") if hasattr(config, "get") else None
        if hard_deletes:
            return str(hard_deletes)
        return "invalidate" if config.get("invalidate_hard_deletes") else "ignore"

    def columns_of_query(self, sql: str, near: BaseRelation, columns_ddl: str | None = None,
                         header: str | None = None) -> list[BaseColumn]:
        """Names and database types of a query's columns (or of a column list when ``columns_ddl``
        is given), read back from a probe table next to ``near`` that is always rolled back
        (dropped where DDL cannot be rolled back). ``header`` (a node's ``sql_header``) runs
        first, in the same transaction."""
        probe = self.relation(near.database, near.schema, f"{near.identifier}__dbt_probe", "table")
        self.create_schema(near.database, near.schema)
        with self.scratch(probe):
            if header and header.strip():
                self.execute(header)
            if columns_ddl is not None:
                self.execute(f"create table {probe} ({columns_ddl})")
            else:
                self.execute(f"create table {probe} as (select * from (\n{sql}\n) as fusion_probe limit 0)")
            return self.get_columns_in_relation(probe)

    # --- DDL helpers used by materializations ------------------------------------------
    def create_schema(self, database: str | None, schema: str | None) -> None:
        """Create the schema once per invocation (serialised: concurrent DDL on it conflicts)."""
        key = RelationCache.key(database, schema)
        with self.cache.schema_lock:
            if key in self.cache.created_schemas:
                return
            rel = self.relation(database, schema, None)
            self.execute(f"create schema if not exists {rel.without_identifier()}")
            self.cache.created_schemas.add(key)

    def drop_schema(self, database: str | None, schema: str) -> None:
        """Drop the schema and everything in it; forget what the cache knew of it."""
        self.execute(f"drop schema if exists {self.relation(database, schema, None).without_identifier()} cascade")
        self.forget_schema(database, schema)

    @staticmethod
    def ddl_kind(relation: BaseRelation) -> str:
        """How DDL names this kind of relation."""
        return {"view": "view", "materialized_view": "materialized view"}.get(relation.type or "", "table")

    @available(parsing="")
    def drop_relation(self, relation: BaseRelation) -> None:
        """Drop the relation (with ``cascade`` where declared: then the cache also forgets the
        views the ``dependents_sql`` macro says go with it, so that their rebuild creates them afresh)."""
        kind = self.ddl_kind(relation)
        dependents = []
        if kind in self.drop_cascade:
            sql = self.catalog_macro_sql("dependents_sql", relation)
            table = self.execute(sql, fetch=True)[1] if sql else None
            dependents = [] if table is None else list(zip(*(c.to_pylist() for c in table.columns), strict=True))
        cascade = " cascade" if kind in self.drop_cascade else ""
        self.execute(f"drop {kind} if exists {relation.render()}{cascade}")
        self.cache_dropped(relation)
        for schema, name in dependents:
            self.cache_dropped(self.relation(relation.database, schema, name))

    def rename_relation(self, relation: BaseRelation, new_name: str) -> BaseRelation:
        kind = self.ddl_kind(relation)
        renamed = self.relation(relation.database, relation.schema, new_name, relation.type)
        to = renamed.render() if self.rename_qualified else renamed.include(database=False, schema=False)
        self.execute(f"alter {kind} {relation.render()} rename to {to}")
        self.cache_dropped(relation)
        self.cache_added(renamed)
        return renamed

    # --- dbt's signatures of the DDL helpers, for templates --------------------------------
    @available(parsing="", name="create_schema")
    def create_schema_of(self, relation: BaseRelation) -> None:
        self.create_schema(relation.database, relation.schema)

    @available(parsing="", name="drop_schema")
    def drop_schema_of(self, relation: BaseRelation) -> None:
        self.drop_schema(relation.database, relation.schema or "")

    @available(parsing="", name="rename_relation")
    def rename_relation_to(self, from_relation: BaseRelation, to_relation: BaseRelation) -> None:
        self.rename_relation(from_relation, to_relation.identifier or "")


class _Transaction:
    """``with adapter.transaction():`` — commit on success, roll back on any error."""

    def __init__(self, adapter: Adapter):
        self.adapter = adapter

    def __enter__(self) -> _Transaction:
        self.adapter.begin()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc_type is None:
            self.adapter.commit()
        else:
            self.adapter.rollback()
        return False
