"""The stand-in server itself speaks the protocol the driver and adapter rely on (urllib only)."""

from __future__ import annotations

import json
import urllib.request


def statement(server, sql: str, catalog: str = "memory", schema: str | None = None) -> tuple[list[dict], dict]:
    """Every response of one query (POST, then each nextUri), and the last one's headers."""
    headers = {"X-Trino-User": "tester", "X-Trino-Catalog": catalog}
    if schema:
        headers["X-Trino-Schema"] = schema
    request = urllib.request.Request(f"{server.url}/v1/statement", data=sql.encode(), headers=headers)
    responses = []
    while True:
        with urllib.request.urlopen(request) as response:
            responses.append(json.load(response))
            last_headers = dict(response.headers)
        if "nextUri" not in responses[-1]:
            return responses, last_headers
        request = urllib.request.Request(responses[-1]["nextUri"], headers={"X-Trino-User": "tester"})


def rows(responses: list[dict]) -> list[list]:
    return [row for r in responses for row in r.get("data", [])]


def test_pages_columns_and_encoded_values(standin):
    statement(standin, "create schema if not exists memory.s1")
    statement(standin, "create table memory.s1.t with (format = 'ORC') as select x as i, "
                       "cast(x * 0.25 as decimal(10,2)) as d, date '2024-01-02' as day from range(250) t(x)")
    responses, _ = statement(standin, "select i, d, day, array[i, 1] as a, "
                                      "cast(row(i, 'x') as row(p bigint, q varchar)) as r from memory.s1.t order by i")
    assert "data" not in responses[0] and len([r for r in responses if "data" in r]) == 3
    columns = responses[-1]["columns"]
    assert [c["type"] for c in columns][:3] == ["bigint", "decimal(10,2)", "date"]
    assert columns[3]["typeSignature"]["rawType"] == "array"
    assert rows(responses)[5][:3] == [5, "1.25", "2024-01-02"] and rows(responses)[5][4] == [5, "x"]
    assert responses[-1]["stats"]["state"] == "FINISHED"


def test_update_count_error_and_use(standin):
    statement(standin, "create schema if not exists memory.s2")
    statement(standin, "create table memory.s2.t (a integer)")
    responses, _ = statement(standin, "insert into memory.s2.t values (1), (2)")
    assert responses[-1]["updateCount"] == 2 and responses[-1]["updateType"] == "INSERT"
    responses, _ = statement(standin, "select nope from memory.s2.t")
    assert responses[-1]["error"]["errorName"] == "COLUMN_NOT_FOUND"
    responses, _ = statement(standin, "select from where")
    assert responses[-1]["error"]["errorName"] == "SYNTAX_ERROR"
    assert responses[-1]["error"]["errorLocation"]["lineNumber"] == 1
    _, headers = statement(standin, "use lake.other")
    assert (headers["X-Trino-Set-Catalog"], headers["X-Trino-Set-Schema"]) == ("lake", "other")
    responses, _ = statement(standin, "select table_name from memory.information_schema.tables "
                                      "where table_schema = 's2'")
    assert rows(responses) == [["t"]]
    assert rows(statement(standin, "show schemas from lake")[0]) == [["main"]]


def test_information_schema_columns_and_show_columns_use_trino_type_names(standin):
    statement(standin, "create schema if not exists memory.s3")
    statement(standin, "create table memory.s3.t (a integer, b decimal(12,3), c varchar, d timestamp(6), "
                       "e array(bigint), f row(x double, y boolean))")
    responses, _ = statement(standin, "select column_name, data_type from memory.information_schema.columns "
                                      "where table_schema = 's3' and table_name = 't' order by ordinal_position")
    assert rows(responses) == [["a", "integer"], ["b", "decimal(12,3)"], ["c", "varchar"], ["d", "timestamp(6)"],
                               ["e", "array(bigint)"], ["f", 'row("x" double, "y" boolean)']]
    shown, _ = statement(standin, "show columns from memory.s3.t")
    assert [row[:2] for row in rows(shown)][:2] == [["a", "integer"], ["b", "decimal(12,3)"]]
