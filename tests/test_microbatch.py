"""Microbatch (DuckDB and PostgreSQL): windows from begin on the first run, lookback later, explicit ranges, errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import run_fusion, write_project


def recent_days() -> list[dt.date]:
    """The day before yesterday, yesterday and today (UTC, as microbatch windows are), read when
    the test starts: a suite running across midnight still sees today."""
    today = dt.datetime.now(dt.UTC).date()
    return [today - dt.timedelta(days=n) for n in (2, 1, 0)]


@pytest.fixture
def days() -> list[dt.date]:
    return recent_days()


def _events(values: list[str], days: list[dt.date]) -> str:
    rows = ", ".join(f"({i}, '{v}', timestamp '{d:%Y-%m-%d} 10:00:00')"
                     for i, (v, d) in enumerate(zip(values, days, strict=True)))
    return "{{ config(event_time='ts') }}\nselect * from (values " + rows + ") as t(id, v, ts)\n"


DAILY = """{{{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts',
                  batch_size='day', begin='{begin}', lookback=1) }}}}
select id, v, ts from {{{{ ref('events') }}}}
"""


def _rows(warehouse):
    return warehouse.query("select id, v from main.daily order by id")


def _batches(project):
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return next(r["batch_results"] for r in results if r["unique_id"] == "model.proj.daily")


def test_microbatch_first_run_lookback_and_explicit_range(warehouse, tmp_path, days):
    project = warehouse.project(tmp_path, {"models/events.sql": _events(["a", "b", "c"], days),
                                       "models/daily.sql": DAILY.format(begin=f"{days[0]:%Y-%m-%d}")})
    first = run_fusion(project, "run")
    assert first.code == 0, first.output
    assert _rows(warehouse) == [(0, "a"), (1, "b"), (2, "c")]
    assert len(_batches(project)["successful"]) == 3 and _batches(project)["failed"] == []

    (project / "models" / "events.sql").write_text(_events(["A", "b", "C"], days))
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(0, "a"), (1, "b"), (2, "C")]  # day -2 is outside the lookback

    explicit = run_fusion(project, "run", "-s", "daily", "--event-time-start", f"{days[0]:%Y-%m-%d}",
                          "--event-time-end", f"{days[1]:%Y-%m-%d}")
    assert explicit.code == 0, explicit.output
    assert _rows(warehouse) == [(0, "A"), (1, "b"), (2, "C")]
    assert _batches(project)["successful"] == [[f"{days[0]:%Y-%m-%d} 00:00:00", f"{days[1]:%Y-%m-%d} 00:00:00"]]


def test_microbatch_configuration_errors(tmp_path, days):
    project = write_project(tmp_path, {
        "models/events.sql": _events(["a", "b", "c"], days),
        "models/daily.sql": DAILY.format(begin="").replace("begin='',", ""),
    })
    result = run_fusion(project, "run")
    assert result.code == 1 and "microbatch needs `begin`" in result.output
    (project / "models" / "daily.sql").write_text(DAILY.format(begin="2024-01-01").replace("'day'", "'week'"))
    result = run_fusion(project, "run")
    assert result.code == 1 and "batch_size one of hour, day, month, year" in result.output
    (project / "models" / "daily.sql").write_text(DAILY.format(begin="2024-01-01"))
    result = run_fusion(project, "run", "--event-time-start", "2024-01-01")
    assert result.code == 1 and "give both --event-time-start and --event-time-end" in result.output
