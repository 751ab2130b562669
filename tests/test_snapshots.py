"""On DuckDB and PostgreSQL: snapshots (timestamp and check strategies, hard deletes, renamed meta columns, valid-to
current value, YAML-defined snapshots) give the rows dbt Core 1.12.6 + dbt-duckdb gave for
tests/fixtures/snapshots, built twice (``--vars '{step: 2}'`` the second time).

Times that dbt takes from the clock are compared as "NOW", and row ids hashed from the clock
as "HASH(NOW)"; every other value is dbt's own.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from conftest import REPO, run_fusion

T1, T2 = dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)
END = dt.datetime(9999, 12, 31)
N, H = "NOW", "HASH(NOW)"

EXPECTED = {
    "history.snap_ts": [
        (1, "A", "x", T2, "2e82cee106c704e5a20fc8fbc5618f48", T2, T2, None),
        (1, "a", "x", T1, "8bd6037542377309505ab720e545f24e", T1, T1, T2),
        (2, "b", "x", T1, "f8e4dcba7004839b9c5b44a77923cd0a", T1, T1, N),
        (3, "c", "x", T1, "36d97e6f161bf778b28647771ac013ae", T1, T1, None),
        (4, "d", "x", T2, "d7dca5374327b22f4249cf80d33a6ac2", T2, T2, None),
    ],
    "main_snaps.snap_check": [
        (1, "A", "x", T2, H, N, N, None),
        (1, "a", "x", T1, H, N, N, N),
        (2, "b", "x", T1, H, N, N, None),
        (3, "c", "x", T1, H, N, N, None),
        (4, "d", "x", T2, H, N, N, None),
    ],
    "main_snaps.snap_yaml": [
        (1, "A", "x", T2, "2e82cee106c704e5a20fc8fbc5618f48", T2, T2, END, "False"),
        (1, "a", "x", T1, "8bd6037542377309505ab720e545f24e", T1, T1, T2, "False"),
        (2, "b", "x", T1, H, N, N, END, "True"),
        (2, "b", "x", T1, "f8e4dcba7004839b9c5b44a77923cd0a", T1, T1, N, "False"),
        (3, "c", "x", T1, "36d97e6f161bf778b28647771ac013ae", T1, T1, END, "False"),
        (4, "d", "x", T2, "d7dca5374327b22f4249cf80d33a6ac2", T2, T2, END, "False"),
    ],
}
COLUMNS = {
    "history.snap_ts": ["id", "v", "w", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from",
                        "dbt_valid_to"],
    "main_snaps.snap_check": ["id", "v", "w", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from",
                              "dbt_valid_to"],
    "main_snaps.snap_yaml": ["id", "v", "w", "updated_at", "dbt_scd_id", "dbt_updated_at", "valid_from",
                             "valid_to", "dbt_is_deleted"],
}
DETERMINISTIC_HASHES = {row[4] for rows in EXPECTED.values() for row in rows if len(row[4]) == 32}


def _canonical(row: tuple) -> tuple:
    out = []
    for value in row:
        if isinstance(value, dt.datetime) and value.year >= 2025 and value.year < 9999:
            value = N
        elif isinstance(value, str) and len(value) == 32 and value not in DETERMINISTIC_HASHES:
            value = H
        out.append(value)
    return tuple(out)


def _on(warehouse, tmp_path):
    """The fixture project, pointed at ``warehouse``."""
    project = tmp_path / "snaps"
    shutil.copytree(REPO / "tests" / "fixtures" / "snapshots", project)
    (project / "profiles.yml").write_text(warehouse.profile)
    (project / "dbt_project.yml").write_text((project / "dbt_project.yml").read_text().replace(
        "profile: snaps", "profile: proj"))
    return project


@pytest.mark.slow
def test_snapshots_match_dbt_core(warehouse, tmp_path):
    project = _on(warehouse, tmp_path)
    first = run_fusion(project, "build")
    assert first.code == 0, first.output
    second = run_fusion(project, "build", "--vars", "{step: 2}")
    assert second.code == 0, second.output
    for relation, expected in EXPECTED.items():
        schema, name = relation.split(".")
        columns_sql = ("select column_name from information_schema.columns where "
                       f"table_schema = '{schema}' and table_name = '{name}' order by ordinal_position")
        cols = [c for (c,) in warehouse.query(columns_sql)]
        assert cols == COLUMNS[relation]
        rows = warehouse.query(f"select * from {relation} order by id, 5")
        got = sorted((_canonical(r) for r in rows), key=repr)
        assert got == sorted(expected, key=repr), relation


def test_snapshot_command_and_errors(warehouse, tmp_path):
    project = _on(warehouse, tmp_path)
    assert run_fusion(project, "run").code == 0
    result = run_fusion(project, "snapshot", "-s", "snap_ts")
    assert result.code == 0 and "snapshotted history.snap_ts" in result.output
    (project / "snapshots" / "bad.sql").write_text(
        "{% snapshot bad %}\n{{ config(unique_key='id', strategy='sometimes') }}\nselect 1 as id\n{% endsnapshot %}\n")
    bad = run_fusion(project, "snapshot", "-s", "bad")
    assert bad.code == 1 and "unknown snapshot strategy 'sometimes'" in bad.output
    os.remove(project / "snapshots" / "bad.sql")
