"""The Trino driver against the stand-in server: paging, every type, errors, session, auth, TLS."""

from __future__ import annotations

import base64
import datetime as dt
import math
import threading
import time
from decimal import Decimal

import adbc_driver_manager.dbapi as dbapi
import pyarrow as pa
import pytest

from .conftest import JWT_SECRET
from .driver import connect
from .trino_standin_server import Script, make_jwt


def sig(raw: str, *arguments) -> dict:
    return {"rawType": raw, "arguments": list(arguments)}


def long(value: int) -> dict:
    return {"kind": "LONG", "value": value}


def typed(signature: dict) -> dict:
    return {"kind": "TYPE", "value": signature}


def named(name: str, signature: dict) -> dict:
    return {"kind": "NAMED_TYPE", "value": {"fieldName": {"name": name}, "typeSignature": signature}}


UTC = dt.UTC
# name, Trino type signature, value as Trino's JSON encodes it, Arrow type, value read back
TYPES = [
    ("b", sig("boolean"), True, pa.bool_(), True),
    ("ti", sig("tinyint"), -128, pa.int8(), -128),
    ("si", sig("smallint"), 32767, pa.int16(), 32767),
    ("i", sig("integer"), -2147483648, pa.int32(), -2147483648),
    ("bi", sig("bigint"), 9223372036854775807, pa.int64(), 9223372036854775807),
    ("r", sig("real"), 1.5, pa.float32(), 1.5),
    ("d", sig("double"), "-Infinity", pa.float64(), -math.inf),
    ("dec", sig("decimal", long(38), long(10)), "-1234567890123456789012345678.0123456789",
     pa.decimal128(38, 10), Decimal("-1234567890123456789012345678.0123456789")),
    ("dec2", sig("decimal", long(5), long(2)), "3.1", pa.decimal128(5, 2), Decimal("3.10")),
    ("v", sig("varchar", long(5)), "héllo", pa.string(), "héllo"),
    ("c", sig("char", long(3)), "ab ", pa.string(), "ab "),
    ("vb", sig("varbinary"), base64.b64encode(b"\x00\xffab").decode(), pa.binary(), b"\x00\xffab"),
    ("dt", sig("date"), "1969-12-31", pa.date32(), dt.date(1969, 12, 31)),
    ("tm", sig("time", long(3)), "23:59:58.123", pa.time64("us"), dt.time(23, 59, 58, 123000)),
    ("ts", sig("timestamp", long(9)), "1969-12-31 23:59:59.123456789", pa.timestamp("us"),
     dt.datetime(1969, 12, 31, 23, 59, 59, 123456)),
    ("tz", sig("timestamp with time zone", long(3)), "2001-02-03 04:05:06.789 +02:00", pa.timestamp("us", "UTC"),
     dt.datetime(2001, 2, 3, 2, 5, 6, 789000, tzinfo=UTC)),
    ("tzu", sig("timestamp with time zone", long(6)), "2001-02-03 04:05:06.000001 UTC", pa.timestamp("us", "UTC"),
     dt.datetime(2001, 2, 3, 4, 5, 6, 1, tzinfo=UTC)),
    ("j", sig("json"), '{"a":1}', pa.string(), '{"a":1}'),
    ("u", sig("uuid"), "12151fd2-7586-11e9-8f9e-2a86e4085a59", pa.string(), "12151fd2-7586-11e9-8f9e-2a86e4085a59"),
    ("ids", sig("interval day to second"), "2 03:04:05.678", pa.string(), "2 03:04:05.678"),
    ("iym", sig("interval year to month"), "1-2", pa.string(), "1-2"),
    ("arr", sig("array", typed(sig("integer"))), [1, None, 3], pa.list_(pa.int32()), [1, None, 3]),
    ("mp", sig("map", typed(sig("varchar", long(2147483647))), typed(sig("bigint"))), {"x": 1, "y": None},
     pa.map_(pa.string(), pa.int64()), [("x", 1), ("y", None)]),
    ("mpk", sig("map", typed(sig("integer")), typed(sig("double"))), {"7": 0.5}, pa.map_(pa.int32(), pa.float64()),
     [(7, 0.5)]),
    ("rw", sig("row", named("a", sig("integer")), named("b", sig("array", typed(sig("varchar"))))), [1, ["x"]],
     pa.struct([("a", pa.int32()), ("b", pa.list_(pa.string()))]), {"a": 1, "b": ["x"]}),
]


def columns(types) -> list[dict]:
    return [{"name": name, "type": signature["rawType"], "typeSignature": signature}
            for name, signature, *_ in types]


def test_every_type_reads_back_as_its_arrow_type(trino_driver, standin):
    encoded = [value for _, _, value, _, _ in TYPES]
    standin.scripts["select every_type"] = Script(columns(TYPES), [[encoded], [], [[None] * len(TYPES)]])
    with connect(trino_driver, standin.url) as conn, conn.cursor() as cur:
        cur.execute("select every_type")
        table = cur.fetch_arrow_table()
    for (name, _, _, arrow_type, expected), field in zip(TYPES, table.schema, strict=True):
        assert (field.name, field.type) == (name, arrow_type)
        assert table.column(name).to_pylist() == [expected, None], name


def test_many_pages_are_followed_in_order(trino_driver, standin):
    before = sum(1 for method, *_ in standin.requests if method == "GET")
    with connect(trino_driver, standin.url, **{"adbc.trino.catalog": "memory"}) as conn, conn.cursor() as cur:
        cur.execute("select x as n, 'row ' || x as label from range(2500) t(x) order by x")
        rows = cur.fetchall()
    assert rows == [(n, f"row {n}") for n in range(2500)]
    assert sum(1 for method, *_ in standin.requests if method == "GET") - before >= 25


def test_update_count_session_headers_and_use(trino_driver, standin):
    options = {"adbc.trino.catalog": "memory", "adbc.trino.session.query_max_run_time": "1h 2m"}
    with connect(trino_driver, standin.url, **options) as conn, conn.cursor() as cur:
        cur.execute("create schema if not exists memory.upd")
        cur.execute("create table memory.upd.t (a integer)")
        cur.execute("insert into memory.upd.t values (1), (2), (3)")
        assert cur.rowcount == 3
        cur.execute("use lake.main")
        assert conn.adbc_connection.get_option("adbc.connection.catalog") == "lake"
        cur.execute("set session join_distribution_type = 'BROADCAST'")
        cur.execute("select 1")
        headers = standin.requests[-1][2]
    assert (headers["X-Trino-Catalog"], headers["X-Trino-Schema"]) == ("lake", "main")
    assert headers["X-Trino-User"] == "tester"
    assert sorted(headers.get_all("X-Trino-Session")) == ["join_distribution_type=BROADCAST",
                                                          "query_max_run_time=1h%202m"]


def test_trino_errors_name_the_error_and_line(trino_driver, standin):
    with connect(trino_driver, standin.url, **{"adbc.trino.catalog": "memory"}) as conn, conn.cursor() as cur:
        with pytest.raises(dbapi.ProgrammingError, match=r"\[Trino\] SYNTAX_ERROR at line 2, column \d+: .*query "):
            cur.execute("select 1\nfrom where")
        with pytest.raises(dbapi.Error, match=r"TABLE_NOT_FOUND.*no_such_table"):
            cur.execute("select * from memory.main.no_such_table")
        cur.execute("select 42")  # the connection is still usable
        assert cur.fetchall() == [(42,)]


def test_bad_options_are_clear(trino_driver):
    with pytest.raises(dbapi.Error, match="option 'uri' must be http://host:port"):
        connect(trino_driver, "ftp://example.com")
    with pytest.raises(dbapi.Error, match="adbc.trino.max_pages must be a whole number"):
        connect(trino_driver, "http://127.0.0.1:1", **{"adbc.trino.max_pages": "lots"})


def test_basic_auth_jwt_and_tls(trino_driver, trino_standin_secure):
    server = trino_standin_secure
    tls = {"adbc.trino.tls.ca_file": str(server.ca_file)}
    with connect(trino_driver, server.url, username="alice", password="wonderland", **tls) as conn:
        assert conn.cursor().execute("select 1").fetchall() == [(1,)]
    token = make_jwt(JWT_SECRET, "bob")
    with connect(trino_driver, server.url, username="bob", **{"adbc.trino.jwt": token}, **tls) as conn:
        assert conn.cursor().execute("select 2").fetchall() == [(2,)]
    assert server.requests[-2][2]["Authorization"] == f"Bearer {token}"
    with connect(trino_driver, server.url, username="alice", password="wrong", **tls) as conn:
        with pytest.raises(dbapi.Error, match=r"authentication failed \(HTTP 401"):
            conn.cursor().execute("select 1")
    with connect(trino_driver, server.url, username="bob", **{"adbc.trino.jwt": make_jwt("other", "bob")},
                 **tls) as conn:
        with pytest.raises(dbapi.Error, match=r"authentication failed \(HTTP 401"):
            conn.cursor().execute("select 1")
    with connect(trino_driver, server.url, username="alice", password="wonderland") as conn:
        with pytest.raises(dbapi.Error, match="TLS failure .*adbc.trino.tls.ca_file"):
            conn.cursor().execute("select 1")
    with connect(trino_driver, server.url, username="alice", password="wonderland",
                 **{"adbc.trino.tls.verify": "false"}) as conn:
        assert conn.cursor().execute("select 3").fetchall() == [(3,)]


def test_cancel_stops_a_slow_query_and_deletes_it(trino_driver, standin):
    standin.slow_pages = 0.4
    outcome: dict = {}
    with connect(trino_driver, standin.url, **{"adbc.trino.catalog": "memory"}) as conn:
        cur = conn.cursor()

        def run():
            try:
                cur.execute("select x from range(5000) t(x)")
            except dbapi.Error as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        started = time.monotonic()
        worker.start()
        time.sleep(0.6)
        conn.adbc_connection.cancel()
        worker.join(10)
        elapsed = time.monotonic() - started
        cur.close()
    assert "query cancelled" in str(outcome["error"]) and elapsed < 2.0
    assert any(method == "DELETE" for method, *_ in standin.requests)


def test_get_info_names_vendor_and_driver(trino_driver, standin):
    with connect(trino_driver, standin.url) as conn:
        info = conn.adbc_get_info()
    assert (info["vendor_name"], info["driver_name"], info["driver_adbc_version"]) == (
        "Trino", "Fusion ADBC driver for Trino", 1_001_000)
    assert info["driver_version"] == "0.1.0"
