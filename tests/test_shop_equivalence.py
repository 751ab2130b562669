"""examples/shop built by Fusion equals what dbt Core + dbt-duckdb built (tests/expected/shop).

The expected files were produced by dbt Core 1.12.6 (tests/expected/shop/regenerate.py); rows are
compared in the canonical text form described in tests/expected/README.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import adbc_driver_manager.dbapi as dbapi
import pytest
from conftest import REPO, run_fusion
from fusion.drivers import DriverRequirement, open_database

EXPECTED = REPO / "tests" / "expected" / "shop"


def _query(cursor, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall()


def snapshot_database(path: str) -> dict:
    """Relations, column types and canonical rows of every relation in the database file."""
    import adbc_driver_manager

    db = open_database(DriverRequirement("duckdb"), {"path": path})
    conn = dbapi.Connection(db, adbc_driver_manager.AdbcConnection(db), autocommit=True)
    cur = conn.cursor()
    try:
        relations = _query(cur, "select table_schema, table_name, table_type from information_schema.tables "
                                "where table_catalog = current_database() and table_schema not in "
                                "('information_schema', 'pg_catalog') order by 1, 2")
        out = {"relations": [{"schema": s, "name": n, "type": "view" if t == "VIEW" else "table"}
                             for s, n, t in relations], "columns": {}, "rows": {}}
        for schema, name, _ in relations:
            cols = _query(cur, "select column_name, data_type from information_schema.columns "
                               f"where table_schema = '{schema}' and table_name = '{name}' "
                               "and table_catalog = current_database() order by ordinal_position")
            out["columns"][f"{schema}.{name}"] = [list(c) for c in cols]
            select = ", ".join(f'cast("{c}" as varchar)' for c, _ in cols)
            order = ", ".join(f"{i} asc nulls last" for i in range(1, len(cols) + 1))
            out["rows"][f"{schema}.{name}"] = _query(cur, f'select {select} from "{schema}"."{name}" order by {order}')
        return out
    finally:
        cur.close()
        conn.close()


def _expected_rows(run_dir: Path, relation: str) -> list[tuple]:
    import csv

    with open(run_dir / f"{relation}.csv", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [tuple(None if v == "" else v for v in row) for row in reader]


def assert_matches_dbt(db_path: str, run: str, project: Path) -> None:
    run_dir = EXPECTED / run
    actual = snapshot_database(db_path)
    assert actual["relations"] == json.loads((run_dir / "relations.json").read_text())
    assert actual["columns"] == json.loads((run_dir / "columns.json").read_text())
    for relation, rows in actual["rows"].items():
        assert rows == _expected_rows(run_dir, relation), f"rows of {relation} differ from dbt's ({run})"
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: {"status": r["status"], **({"failures": r["failures"]}
                                 if r["unique_id"].startswith("test.") else {})} for r in results}
    assert statuses == json.loads((run_dir / "results.json").read_text())


@pytest.mark.slow
def test_two_builds_match_dbt_core(shop):
    db_path = os.environ["SHOP_DUCKDB_PATH"]
    first = run_fusion(shop, "build")
    assert first.code == 0, first.output
    assert_matches_dbt(db_path, "run1", shop)

    second = run_fusion(shop, "build", "--vars", '{"shop_late_data": true}')
    assert second.code == 0, second.output
    assert_matches_dbt(db_path, "run2", shop)
