"""A hostile stand-in server: the driver (in a child process) gives clear errors and never crashes."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

from .trino_standin_server import Script

CHILD = Path(__file__).with_name("driver_child.py")


def run_child(driver: Path, server, jobs: list[dict]) -> list[dict]:
    """Outcomes of the jobs, run by one child process that must exit normally (no crash, no hang)."""
    done = subprocess.run([sys.executable, str(CHILD), str(driver), server.url], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"driver process died ({done.returncode}):\n{done.stderr[-3000:]}"
    return [json.loads(line) for line in done.stdout.splitlines()]


def sig(raw: str, *arguments) -> dict:
    return {"rawType": raw, "arguments": list(arguments)}


DECIMAL_4_1 = sig("decimal", {"kind": "LONG", "value": 4}, {"kind": "LONG", "value": 1})
BIGINT_ARRAY = sig("array", {"kind": "TYPE", "value": sig("bigint")})
ROWS = [[[n, f"v{n}"] for n in range(10)]] * 5
TWO_COLUMNS = [("x", sig("bigint")), ("s", sig("varchar"))]

# (columns, pages, behaviour, options (``slow``: seconds per page), expected error as a regular expression)
CASES = [
    (TWO_COLUMNS, ROWS, "truncated_json", {},
     r"malformed JSON from the Trino server at http://127\.0\.0\.1:\d+/v1/statement/executing/"),
    (TWO_COLUMNS, ROWS, "not_json", {}, r"malformed JSON from the Trino server .*line 1, column 1"),
    (TWO_COLUMNS, ROWS, "endless_next_uri", {"adbc.trino.max_pages": "40"},
     r"gave up after 40 pages \(adbc\.trino\.max_pages\)"),
    (TWO_COLUMNS, ROWS, "huge_body", {}, r"larger than 67108864 bytes \(adbc\.trino\.max_response_bytes\)"),
    (TWO_COLUMNS, ROWS, "foreign_next_uri", {},
     r"nextUri http://localhost\.invalid:\d+/\S* is not on http://127\.0\.0\.1:\d+: refusing"),
    ([("n", sig("integer"))], [[], [["7"]]], None, {},
     "page 2 row 1: column 'n' of type integer: expected an integer, got a string \"7\""),
    ([("n", sig("tinyint"))], [[[300]]], None, {}, "column 'n' of type tinyint: 300 is out of range"),
    ([("d", DECIMAL_4_1)], [[["12345.6"]]], None, {},
     "column 'd' of type decimal: expected a value in Trino's text format, got a string \"12345.6\""),
    ([("t", sig("timestamp"))], [[["yesterday"]]], None, {}, "column 't' of type timestamp: expected"),
    ([("z", sig("timestamp with time zone"))], [[["2001-02-03 04:05:06 Europe/Paris"]]], None, {},
     "time zone 'Europe/Paris' is not supported"),
    ([("a", BIGINT_ARRAY)], [[[{"x": 1}]]], None, {}, "column 'a' of type array: expected an array, got an object"),
    ([("a", sig("bigint"))], [[[1, 2]]], None, {}, "the row has 2 values where 1 fields were announced"),
    ([("b", {"type": "varbinary"})], [[["AAAA"]]], None, {}, "column 'b' has no typeSignature.rawType"),
    ([("b", sig("varbinary"))], [[["not base64!"]]], None, {}, "expected base64 text"),
    (TWO_COLUMNS, ROWS, "endless_next_uri", {"adbc.trino.query_timeout": "1", "slow": 0.2},
     r"query took longer than 1 s \(adbc\.trino\.query_timeout\)"),
    (TWO_COLUMNS, ROWS, None, {"adbc.trino.query_timeout": "1", "slow": 5},
     r"query took longer than 1 s \(adbc\.trino\.query_timeout\)"),
]


def test_hostile_protocol_and_wrong_types_give_clear_errors(trino_driver, standin):
    jobs = []
    for number, (columns, pages, behaviour, options, _) in enumerate(CASES):
        sql = f"select hostile_case_{number}"
        options = dict(options)
        standin.scripts[sql] = Script([{"name": n, "type": "?", "typeSignature": s} for n, s in columns], pages,
                                      behaviour=behaviour, slow_pages=options.pop("slow", 0.0))
        jobs.append({"sql": sql, "options": options})
    outcomes = run_child(trino_driver, standin, jobs)
    wrong = [(case[-1], outcome) for case, outcome in zip(CASES, outcomes, strict=True)
             if not re.search(case[-1], outcome.get("error", ""))]
    assert not wrong


def _mutator(seed: int):
    """Seeded damage to a response body: cut, flipped bytes, swapped JSON values, deep nesting."""
    rng = random.Random(seed)

    def mutate(raw: bytes) -> bytes:
        choice = rng.randrange(6)
        if choice == 0:
            return raw[: rng.randrange(len(raw))]
        if choice == 1:
            data = bytearray(raw)
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            return bytes(data)
        body = json.loads(raw)
        if choice == 2 and body.get("data"):
            row = rng.choice(body["data"])
            row[rng.randrange(len(row))] = rng.choice([None, "x", 1.5, [], {}, True, -(2**63), "9" * 40])
        elif choice == 3 and "columns" in body:
            body["columns"][rng.randrange(len(body["columns"]))]["typeSignature"] = rng.choice(
                [{}, {"rawType": "decimal"}, {"rawType": "row", "arguments": [{"kind": "NAMED_TYPE"}]},
                 {"rawType": "map", "arguments": []}, None, "varchar"])
        elif choice == 4:
            body[rng.choice(["data", "columns", "nextUri", "error", "updateCount"])] = rng.choice(
                [None, 5, "x", [], {}, [[1]], {"message": 3}])
        else:
            return b"[" * 5000 + b"]" * 5000
        return json.dumps(body).encode()

    return mutate


def test_randomly_damaged_responses_never_crash_the_driver(trino_driver, standin):
    standin.body_filter = _mutator(20)
    job = {"sql": "select x, cast(x as decimal(9,2)) as d, [x] as a, {'k': x} as m from range(120) t(x)",
           "repeat": 40, "options": {"adbc.trino.catalog": "memory", "adbc.trino.max_pages": "20"}}
    outcomes = run_child(trino_driver, standin, [job])
    assert len(outcomes) == 40
    errors = [o["error"] for o in outcomes if "error" in o]
    assert errors and all("[Trino] " in e for e in errors), errors[:5]
