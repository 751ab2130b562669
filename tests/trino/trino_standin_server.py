"""A Trino-protocol stand-in server for the tests: Trino's client REST protocol over embedded DuckDB.

No Trino server runs on these machines, so this speaks the documented client protocol
(https://trino.io/docs/current/develop/client-protocol.html) on 127.0.0.1 and runs the SQL on
DuckDB after sqlglot transpiles it from Trino's dialect. Each catalog is a DuckDB database file.

What it verifies (for the driver and the adapter):
- ``POST /v1/statement`` with ``X-Trino-User``/``-Catalog``/``-Schema``/``-Session``; a first
  response without data (state QUEUED), then pages of ``data`` followed through ``nextUri``;
  ``columns`` with Trino type names and ``typeSignature``; values as Trino's JSON encodes them
  (decimals as strings, varbinary base64, dates/times/timestamps as text, maps as objects, rows
  as arrays); ``updateType``/``updateCount``; ``error`` objects (errorName, errorCode, errorType,
  message, errorLocation); ``DELETE`` on a ``nextUri`` cancels; ``X-Trino-Set-Catalog``/
  ``-Set-Schema``/``-Set-Session``/``-Clear-Session`` for USE, SET SESSION and RESET SESSION;
  HTTP basic auth and HS256 JWT bearer tokens (401 otherwise); TLS with a self-signed cert.
- Hostile modes for the driver's tests (``behaviour``, server-wide or per ``Script``):
  truncated JSON, a body that is not JSON, an endless ``nextUri`` chain, a huge body, a
  ``nextUri`` on another host; ``slow_pages``; ``body_filter`` damages every page; ``scripts``
  answer one exact SQL text with canned columns and pages (wrong types, every type).
- Rewrites for the adapter's SQL: ``USE``, ``SET``/``RESET SESSION``, ``SHOW CATALOGS|SCHEMAS|
  TABLES|COLUMNS``, ``catalog.information_schema.*`` (restricted to that catalog, with Trino's
  type names in ``columns.data_type``); sqlglot drops ``WITH (...)`` table properties and
  unqualifies ``RENAME TO`` targets as DuckDB needs; materialized views become plain views.

What it does not verify: Trino's semantics (it is DuckDB, with sqlglot's translation and the few
rewrites above: e.g. date + interval gives a timestamp here), Trino's error codes beyond the
handful mapped here, transactions, prepared statements, spooled results, retries on 502/503/504,
the query states between QUEUED and FINISHED, and real Trino's exact type signatures and JSON
encodings for rarely used types (time with time zone, intervals). Those are verified only
against the documentation.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import hmac
import http.client
import http.server
import json
import logging
import math
import re
import socketserver
import ssl
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

logging.getLogger("sqlglot").setLevel(logging.ERROR)

RESERVED_CATALOGS = {"system", "temp"}


class QueryError(Exception):
    """A Trino error object: name, code, type and optional 1-based line/column."""

    def __init__(self, name: str, code: int, message: str, line: int | None = None, column: int | None = None,
                 kind: str = "USER_ERROR"):
        super().__init__(message)
        self.name, self.code, self.kind, self.line, self.column = name, code, kind, line, column

    def as_json(self) -> dict:
        error = {"message": str(self), "errorCode": self.code, "errorName": self.name, "errorType": self.kind,
                 "failureInfo": {"type": "io.trino.spi.TrinoException", "message": str(self)}}
        if self.line is not None:
            error["errorLocation"] = {"lineNumber": self.line, "columnNumber": self.column or 1}
        return error


# --- Trino types and JSON values from Arrow's (DuckDB returns Arrow) -------------------------------

def _long(value: int) -> dict:
    return {"kind": "LONG", "value": value}


def _typed(signature: dict) -> dict:
    return {"kind": "TYPE", "value": signature}


def trino_type(arrow: pa.DataType) -> tuple[str, dict]:
    """Trino's type name and typeSignature for an Arrow type."""
    simple = [(pa.types.is_boolean, "boolean"), (pa.types.is_int8, "tinyint"), (pa.types.is_int16, "smallint"),
              (pa.types.is_int32, "integer"), (pa.types.is_integer, "bigint"), (pa.types.is_float32, "real"),
              (pa.types.is_floating, "double"), (pa.types.is_date, "date"), (pa.types.is_binary, "varbinary"),
              (pa.types.is_large_binary, "varbinary"), (pa.types.is_interval, "interval day to second"),
              (pa.types.is_duration, "interval day to second"), (pa.types.is_null, "unknown")]
    for test, name in simple:
        if test(arrow):
            return name, {"rawType": name, "arguments": []}
    if pa.types.is_decimal(arrow):
        return (f"decimal({arrow.precision},{arrow.scale})",
                {"rawType": "decimal", "arguments": [_long(arrow.precision), _long(arrow.scale)]})
    if pa.types.is_time(arrow):
        return "time(6)", {"rawType": "time", "arguments": [_long(6)]}
    if pa.types.is_timestamp(arrow):
        raw = "timestamp with time zone" if arrow.tz else "timestamp"
        name = "timestamp(6) with time zone" if arrow.tz else "timestamp(6)"
        return name, {"rawType": raw, "arguments": [_long(6)]}
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        name, sig = trino_type(arrow.value_type)
        return f"array({name})", {"rawType": "array", "arguments": [_typed(sig)]}
    if pa.types.is_map(arrow):
        (kname, ksig), (vname, vsig) = trino_type(arrow.key_type), trino_type(arrow.item_type)
        return f"map({kname}, {vname})", {"rawType": "map", "arguments": [_typed(ksig), _typed(vsig)]}
    if pa.types.is_struct(arrow):
        fields = [(f.name, *trino_type(f.type)) for f in arrow]
        return ("row(" + ", ".join(f'"{n}" {t}' for n, t, _ in fields) + ")",
                {"rawType": "row", "arguments": [
                    {"kind": "NAMED_TYPE", "value": {"fieldName": {"name": n}, "typeSignature": s}}
                    for n, _, s in fields]})
    return "varchar", {"rawType": "varchar", "arguments": [_long(2147483647)]}


def trino_value(value):
    """A Python value (from Arrow's ``to_pylist``) as Trino's JSON encodes it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"{text} UTC" if value.tzinfo else text
    if isinstance(value, dt.date | dt.time):
        return value.isoformat() if isinstance(value, dt.date) else value.strftime("%H:%M:%S.%f")
    if isinstance(value, dict):
        return [trino_value(v) for v in value.values()]  # a row: positional
    if isinstance(value, list):
        if value and isinstance(value[0], tuple):  # a map: Arrow gives [(key, value), ...]
            return {str(trino_value(k)): trino_value(v) for k, v in value}
        return [trino_value(v) for v in value]
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
        days, rest = divmod(abs(seconds), 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        sign = "-" if seconds < 0 else ""
        return f"{sign}{int(days)} {int(hours):02}:{int(minutes):02}:{secs:06.3f}"
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


_DUCKDB_NAMES = {"integer": "integer", "bigint": "bigint", "smallint": "smallint", "tinyint": "tinyint",
                 "boolean": "boolean", "varchar": "varchar", "double": "double", "float": "real", "date": "date",
                 "time": "time(6)", "timestamp": "timestamp(6)",
                 "timestamp with time zone": "timestamp(6) with time zone",
                 "blob": "varbinary", "hugeint": "decimal(38,0)", "uuid": "uuid", "json": "json",
                 "interval": "interval day to second", "timestamp_ns": "timestamp(9)", "timestamp_ms": "timestamp(3)",
                 "timestamp_s": "timestamp(0)"}


def trino_type_name(duckdb_type: str) -> str:
    """Trino's name for a DuckDB type (information_schema.columns.data_type, SHOW COLUMNS)."""
    kind = duckdb.sqltype(duckdb_type)
    children = kind.children if kind.id in {"decimal", "list", "struct", "map"} else []
    if kind.id == "decimal":
        return f"decimal({children[0][1]},{children[1][1]})"
    if kind.id == "list":
        return f"array({trino_type_name(str(children[0][1]))})"
    if kind.id == "map":
        return f"map({trino_type_name(str(children[0][1]))}, {trino_type_name(str(children[1][1]))})"
    if kind.id == "struct":
        return "row(" + ", ".join(f'"{n}" {trino_type_name(str(t))}' for n, t in children) + ")"
    return _DUCKDB_NAMES.get(kind.id, "varchar")


# --- Trino SQL to DuckDB ----------------------------------------------------------------------------

_USE = re.compile(r"^\s*use\s+(?:(\"?[\w$]+\"?)\.)?(\"?[\w$]+\"?)\s*;?\s*$", re.I)
_SET_SESSION = re.compile(r"^\s*set\s+session\s+([\w.]+)\s*=\s*(.+?)\s*;?\s*$", re.I | re.S)
_RESET_SESSION = re.compile(r"^\s*reset\s+session\s+([\w.]+)\s*;?\s*$", re.I)
_SHOW = re.compile(r"^\s*show\s+(catalogs|schemas|tables|columns)(?:\s+(?:from|in)\s+([\w.\"]+))?\s*;?\s*$", re.I)


def _unquote(name: str) -> str:
    return name.strip('"').lower() if not name.startswith('"') else name.strip('"')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _show(kind: str, target: str | None, catalog: str | None, schema: str | None) -> str:
    parts = [_unquote(p) for p in target.split(".")] if target else []
    kind = kind.lower()
    if kind == "catalogs":
        return ("select database_name as \"Catalog\" from duckdb_databases() "
                "where not internal order by 1")
    if kind == "schemas":
        cat = parts[0] if parts else catalog
        return (f"select schema_name as \"Schema\" from information_schema.schemata "
                f"where catalog_name = {_literal(cat or '')} order by 1")
    if kind == "tables":
        cat, sch = (parts if len(parts) == 2 else [catalog, parts[0] if parts else schema])
        return (f"select table_name as \"Table\" from information_schema.tables where table_catalog = "
                f"{_literal(cat or '')} and table_schema = {_literal(sch or '')} order by 1")
    names = [catalog, schema][: 3 - len(parts)] + parts
    cat, sch, table = names[-3:]
    return (f"select column_name as \"Column\", trino_type_name(data_type) as \"Type\", '' as \"Extra\", "
            f"'' as \"Comment\" "
            f"from information_schema.columns where table_catalog = {_literal(cat or '')} and table_schema = "
            f"{_literal(sch or '')} and table_name = {_literal(table)} order by ordinal_position")


def _information_schema(tree: exp.Expression) -> exp.Expression:
    """``catalog.information_schema.X`` -> DuckDB's global view restricted to that catalog."""
    key = {"schemata": "catalog_name"}
    for table in list(tree.find_all(exp.Table)):
        if table.db.lower() == "information_schema" and table.catalog:
            column = key.get(table.name.lower(), "table_catalog")
            star = "* replace (trino_type_name(data_type) as data_type)" if table.name.lower() == "columns" else "*"
            sub = sqlglot.parse_one(f"(select {star} from information_schema.{table.name} "
                                    f"where {column} = {_literal(table.catalog)})", read="duckdb")
            table.replace(exp.Subquery(this=sub.unnest(), alias=exp.TableAlias(
                this=exp.to_identifier(table.alias_or_name))))
    return tree


def _materialized_views(tree: exp.Expression) -> exp.Expression:
    """``system.metadata.materialized_views`` -> no rows (DuckDB has no materialized views)."""
    for table in list(tree.find_all(exp.Table)):
        if (table.catalog.lower(), table.db.lower(), table.name.lower()) == ("system", "metadata", "materialized_views"):
            sub = sqlglot.parse_one("(select '' as catalog_name, '' as schema_name, '' as name, '' as storage_catalog, "
                                    "'' as storage_schema, '' as storage_table, '' as freshness, '' as owner, "
                                    "'' as comment, '' as definition where false)", read="duckdb")
            table.replace(exp.Subquery(this=sub.unnest(), alias=exp.TableAlias(
                this=exp.to_identifier(table.alias_or_name))))
    return tree


def to_duckdb(sql: str) -> str:
    """One Trino statement as DuckDB SQL; a ``QueryError`` (SYNTAX_ERROR with line/column) otherwise."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="trino") if t is not None]
    except sqlglot.errors.ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        raise QueryError("SYNTAX_ERROR", 1, f"line {first.get('line', 1)}:{first.get('col', 1)}: "
                         f"{first.get('description', str(exc))}", first.get("line", 1), first.get("col", 1)) from None
    if len(trees) != 1:
        raise QueryError("SYNTAX_ERROR", 1, "line 1:1: expected exactly one statement", 1, 1)
    return _materialized_views(_information_schema(trees[0])).sql(dialect="duckdb")


def _duckdb_error(exc: duckdb.Error) -> QueryError:
    text = str(exc)
    line = 1 if "LINE 1:" in text else None
    message = text.split("\n")[0]
    column = "column" in message.lower()
    if isinstance(exc, duckdb.CatalogException):
        name, code = ("COLUMN_NOT_FOUND", 47) if column else ("TABLE_NOT_FOUND", 46)
        return QueryError(name, code, message, line)
    if isinstance(exc, duckdb.ParserException):
        return QueryError("SYNTAX_ERROR", 1, message, line or 1, 1)
    if isinstance(exc, duckdb.BinderException):
        return QueryError("COLUMN_NOT_FOUND" if column else "GENERIC_USER_ERROR", 47 if column else 0, message, line)
    return QueryError("GENERIC_USER_ERROR", 0, message, line)


# --- queries ----------------------------------------------------------------------------------------

@dataclass
class Query:
    id: str
    token: str
    columns: list[dict] | None = None
    pages: list[list] = field(default_factory=list)
    error: QueryError | None = None
    update_type: str | None = None
    update_count: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False
    behaviour: str | None = None
    slow_pages: float = 0.0


@dataclass
class Script:
    """A canned answer to one exact SQL text: ``columns`` (Trino's objects) and ``pages`` of rows."""

    columns: list[dict] | None
    pages: list[list]
    update_count: int | None = None
    behaviour: str | None = None  # a hostile mode for this query only (see ``TrinoStandinServer``)
    slow_pages: float = 0.0


def _update_type(sql: str) -> str | None:
    """Trino's updateType: the statement's first word, with the object kind for DDL (CREATE VIEW)."""
    words = [w.upper() for w in sql.split() if w.lower() not in {"or", "replace"}]
    if not words or words[0] in {"SELECT", "WITH", "VALUES", "SHOW", "DESCRIBE", "EXPLAIN", "TABLE"}:
        return None
    if words[0] not in {"CREATE", "DROP", "ALTER"}:
        return words[0]
    return " ".join(words[:3] if words[1:2] == ["MATERIALIZED"] else words[:2])


def run_query(db: duckdb.DuckDBPyConnection, sql: str, catalog: str | None, schema: str | None,
              page_rows: int) -> Query:
    query = Query(id=f"{dt.datetime.now(dt.UTC):%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:5]}_standin",
                  token=uuid.uuid4().hex)
    try:
        _run(db.cursor(), query, sql, catalog, schema, page_rows)
    except QueryError as exc:
        query.error = exc
    except duckdb.Error as exc:
        query.error = _duckdb_error(exc)
    except Exception as exc:  # noqa: BLE001 - the stand-in's own gaps become Trino errors, not hangs
        query.error = QueryError("GENERIC_INTERNAL_ERROR", 65536, f"stand-in: {exc}", kind="INTERNAL_ERROR")
    return query


def _run(cur, query: Query, sql: str, catalog: str | None, schema: str | None, page_rows: int) -> None:
    if match := _USE.match(sql):
        cat = _unquote(match.group(1)) if match.group(1) else catalog
        if cat is None:
            raise QueryError("MISSING_CATALOG_NAME", 45, "Catalog must be specified when session catalog is not set")
        query.headers = {"X-Trino-Set-Catalog": cat, "X-Trino-Set-Schema": _unquote(match.group(2))}
        query.update_type = "USE"
        return
    if match := _SET_SESSION.match(sql):
        query.headers = {"X-Trino-Set-Session": f"{match.group(1)}={match.group(2).strip(chr(39))}"}
        query.update_type = "SET SESSION"
        return
    if match := _RESET_SESSION.match(sql):
        query.headers = {"X-Trino-Clear-Session": match.group(1)}
        query.update_type = "RESET SESSION"
        return
    if catalog:
        cur.execute(f'use "{catalog}"')
        if schema and cur.execute("select 1 from information_schema.schemata where catalog_name = ? and "
                                  "schema_name = ?", [catalog, schema]).fetchone():
            cur.execute(f'use "{catalog}"."{schema}"')  # as in Trino, a session schema may not exist yet
    match = _SHOW.match(sql)
    duck = _show(match.group(1), match.group(2), catalog, schema) if match else to_duckdb(sql)
    cur.execute(duck)
    update = None if match else _update_type(sql)
    with warnings.catch_warnings():  # DuckDB warns that Arrow from a cursor copies the rows: small here
        warnings.simplefilter("ignore")
        table = cur.to_arrow_reader().read_all() if cur.description else None
    if update and update.split()[0] in {"INSERT", "UPDATE", "DELETE", "MERGE"} or update == "CREATE TABLE" and table:
        count = int(table.column(0)[0].as_py()) if table is not None and table.num_rows else 0
        query.update_type, query.update_count = update, count
        query.columns = [{"name": "rows", "type": "bigint", "typeSignature": {"rawType": "bigint", "arguments": []}}]
        query.pages = [[[count]]]
        return
    query.update_type = update
    if update or table is None:
        return
    query.columns = []
    for f in table.schema:
        name, signature = trino_type(f.type)
        query.columns.append({"name": f.name, "type": name, "typeSignature": signature})
    rows = [[trino_value(v) for v in row.values()] for row in table.to_pylist()]
    query.pages = [rows[i:i + page_rows] for i in range(0, len(rows), page_rows)] or [[]]


# --- HTTP -------------------------------------------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(secret: str, subject: str, expires_in: int = 3600) -> str:
    """An HS256 token the server accepts (for tests)."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(json.dumps({"sub": subject, "exp": int(time.time()) + expires_in}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64url(signature)}"


def _jwt_subject(secret: str, token: str) -> str | None:
    try:
        header, body, signature = token.split(".")
        expected = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_b64url(expected), signature):
            return None
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return claims.get("sub") if claims.get("exp", 0) > time.time() else None
    except (ValueError, json.JSONDecodeError):
        return None


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without this each reply waits ~40 ms
    server: _HTTPServer

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _authorized(self) -> bool:
        standin = self.server.standin
        if not standin.users and not standin.jwt_secret:
            return True
        auth = self.headers.get("Authorization", "")
        scheme, _, credentials = auth.partition(" ")
        if scheme.lower() == "basic" and standin.users:
            try:
                user, _, password = base64.b64decode(credentials).decode().partition(":")
            except ValueError:
                user = password = ""
            if user in standin.users and hmac.compare_digest(standin.users[user], password):
                return True
        if scheme.lower() == "bearer" and standin.jwt_secret and _jwt_subject(standin.jwt_secret, credentials):
            return True
        self._send(401, b"Unauthorized", {"WWW-Authenticate": 'Basic realm="Trino"', "Content-Type": "text/plain"})
        return False

    def do_POST(self):  # noqa: N802 - http.server's naming
        standin = self.server.standin
        length = int(self.headers.get("Content-Length") or 0)
        sql = self.rfile.read(length).decode("utf-8", "replace")
        if self.path != "/v1/statement":
            return self._send(404, b'{"error": "not found"}')
        if not self._authorized():
            return None
        if not self.headers.get("X-Trino-User"):
            return self._send(400, b"Error: X-Trino-User header is required", {"Content-Type": "text/plain"})
        standin.requests.append(("POST", self.path, self.headers, sql))
        catalog = self.headers.get("X-Trino-Catalog")
        schema = self.headers.get("X-Trino-Schema")
        script = standin.scripts.get(sql.strip())
        if script:
            query = Query(id=f"script_{uuid.uuid4().hex[:8]}", token=uuid.uuid4().hex, columns=script.columns,
                          pages=script.pages, update_count=script.update_count, behaviour=script.behaviour,
                          slow_pages=script.slow_pages)
        else:
            with standin.lock:
                query = run_query(standin.db, sql, catalog, schema, standin.page_rows)
        standin.queries[query.id] = query
        return self._reply(query, None)

    def _reply(self, query: Query, page: int | None) -> None:
        standin = self.server.standin
        mode = query.behaviour or standin.behaviour
        base = f"{standin.url}/v1/statement/executing/{query.id}/{query.token}"
        body: dict = {"id": query.id, "infoUri": f"{standin.url}/ui/query.html?{query.id}",
                      "stats": {"state": "QUEUED", "queued": True, "scheduled": False}}
        headers: dict[str, str] = {}
        if page is None:
            body["nextUri"] = f"{base}/0"
        elif mode == "endless_next_uri":
            body["nextUri"] = f"{base}/{page + 1}"
            body["stats"]["state"] = "RUNNING"
        elif query.error:
            body["error"] = query.error.as_json()
            body["stats"]["state"] = "FAILED"
        else:
            body["stats"]["state"] = "RUNNING"
            if query.columns is not None:
                body["columns"] = query.columns
            if page < len(query.pages):
                if query.pages[page]:
                    body["data"] = query.pages[page]
                body["nextUri"] = f"{base}/{page + 1}"
            else:
                body["stats"]["state"] = "FINISHED"
                headers = query.headers
                if query.update_type:
                    body["updateType"] = query.update_type
                if query.update_count is not None:
                    body["updateCount"] = query.update_count
        if mode == "foreign_next_uri" and "nextUri" in body:
            body["nextUri"] = body["nextUri"].replace("127.0.0.1", "localhost.invalid")
        raw = json.dumps(body).encode()
        if page is not None and standin.body_filter:
            raw = standin.body_filter(raw)
        if page is not None and mode == "truncated_json":
            raw = raw[: len(raw) // 2]
        elif page is not None and mode == "not_json":
            raw = b"<html>proxy error</html>"
        elif page is not None and mode == "huge_body":
            raw = b'{"padding": "' + b"x" * (80 << 20) + b'"}'
        self._send(200, raw, headers)

    def _executing(self) -> tuple[Query, int] | None:
        match = re.fullmatch(r"/v1/statement/executing/([\w-]+)/(\w+)/(\d+)", self.path)
        query = self.server.standin.queries.get(match.group(1)) if match else None
        if not query or query.token != match.group(2):
            self._send(404, b'{"message": "query not found"}')
            return None
        return query, int(match.group(3))

    def do_GET(self):  # noqa: N802
        if not self._authorized() or not (found := self._executing()):
            return
        query, page = found
        standin = self.server.standin
        standin.requests.append(("GET", self.path, self.headers, ""))
        if standin.slow_pages or query.slow_pages:
            time.sleep(standin.slow_pages or query.slow_pages)
        if query.cancelled:
            return self._send(410, b'{"message": "query cancelled"}')
        self._reply(query, page)

    def do_DELETE(self):  # noqa: N802
        if not self._authorized() or not (found := self._executing()):
            return
        found[0].cancelled = True
        self.server.standin.requests.append(("DELETE", self.path, self.headers, ""))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    standin: TrinoStandinServer

    def handle_error(self, request, client_address):
        """A client that went away (cancelled, timed out) is expected here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and localhost), and its key, as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trino-standin")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "standin-cert.pem", folder / "standin-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class TrinoStandinServer:
    """The running stand-in: ``url``, ``ca_file`` (with TLS), ``stop()``; test hooks ``behaviour``,
    ``slow_pages`` (seconds per page), ``body_filter``, ``scripts`` (exact SQL -> ``Script``),
    ``requests`` (a log of method, path, headers, body)."""

    def __init__(self, folder: Path, catalogs: tuple[str, ...] = ("memory",), users: dict[str, str] | None = None,
                 jwt_secret: str | None = None, tls: bool = False, page_rows: int = 100):
        if not catalogs or RESERVED_CATALOGS & set(catalogs):
            raise ValueError(f"catalogs must be given and not be one of {sorted(RESERVED_CATALOGS)}")
        folder.mkdir(parents=True, exist_ok=True)
        self.db = duckdb.connect(str(folder / f"{catalogs[0]}.duckdb"))
        self.db.create_function("trino_type_name", trino_type_name, ["VARCHAR"], "VARCHAR")
        for name in catalogs[1:]:
            self.db.execute(f"attach {_literal(str(folder / f'{name}.duckdb'))} as \"{name}\"")
        self.users, self.jwt_secret, self.page_rows = users or {}, jwt_secret, page_rows
        self.lock = threading.Lock()
        self.queries: dict[str, Query] = {}
        self.scripts: dict[str, Script] = {}
        self.requests: list[tuple[str, str, http.client.HTTPMessage, str]] = []
        self.behaviour: str | None = None
        self.slow_pages = 0.0
        self.body_filter = None  # bytes -> bytes, applied to every page after the first response
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.standin = self
        self.ca_file: Path | None = None
        if tls:
            self.ca_file, key_file = _self_signed(folder)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file, key_file)
            self._http.socket = context.wrap_socket(self._http.socket, server_side=True)
        self.port = self._http.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Back to a well-behaved server (tests call it when they are done misbehaving)."""
        self.behaviour, self.slow_pages, self.body_filter = None, 0.0, None
        self.scripts.clear()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.db.close()



def main() -> None:
    """``python trino_standin_server.py FOLDER [URL-FILE]``: serve until killed (for manual runs)."""
    server = TrinoStandinServer(Path(sys.argv[1]))
    print(server.url, flush=True)
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(server.url)
    threading.Event().wait()


if __name__ == "__main__":
    main()

