"""Every incremental strategy the adapter declares (``Adapter.incremental_strategies``)."""

from __future__ import annotations

import datetime as dt

import pytest

MODEL = """{{{{ config(materialized='incremental', incremental_strategy='{strategy}'{extra}) }}}}
{{% if is_incremental() %}}
select 2 as id, 'B' as v union all select 3 as id, 'c' as v
{{% else %}}
select 1 as id, 'a' as v union all select 2 as id, 'b' as v
{{% endif %}}
"""
CASES = {  # strategy: (extra config, rows after the second run)
    "append": ("", [(1, "a"), (2, "B"), (2, "b"), (3, "c")]),
    "delete+insert": (", unique_key='id'", [(1, "a"), (2, "B"), (3, "c")]),
    "merge": (", unique_key='id'", [(1, "a"), (2, "B"), (3, "c")]),
    "insert_overwrite": (", partition_by='id'", [(1, "a"), (2, "B"), (3, "c")]),
}


def _enabled(kit, strategy: str) -> None:
    reason = kit.strategy_skip_reason(strategy)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def incremental_runs(module_kit) -> dict[str, list[list[tuple]]]:
    """One model per strategy this target runs, in one project: each one's rows after the first
    run, an incremental run and a full refresh."""
    kit = module_kit
    enabled = [s for s in CASES if not kit.strategy_skip_reason(s)]
    kit.write({f"models/inc_{i}.sql": MODEL.format(strategy=s, extra=CASES[s][0]) for i, s in enumerate(enabled)})
    runs: dict[str, list[list[tuple]]] = {s: [] for s in enabled}
    for args in ((), (), ("--full-refresh",)):
        kit.fusion("run", *args)
        for i, strategy in enumerate(enabled):
            runs[strategy].append(kit.rows(f"inc_{i}", "id, v"))
    return runs


@pytest.mark.parametrize("strategy", list(CASES))
def test_incremental_strategy(module_kit, incremental_runs, strategy):
    _enabled(module_kit, strategy)
    assert incremental_runs[strategy] == [[(1, "a"), (2, "b")], CASES[strategy][1], [(1, "a"), (2, "b")]]


def _days() -> list[dt.date]:
    """The day before yesterday, yesterday and today in UTC (as microbatch windows are), read
    when the test starts: a run crossing midnight still sees today."""
    today = dt.datetime.now(dt.UTC).date()
    return [today - dt.timedelta(days=n) for n in (2, 1, 0)]


def _events(values: list[str], days: list[dt.date]) -> str:
    selects = [f"select {i} as id, '{v}' as v, cast('{d:%Y-%m-%d} 10:00:00' as timestamp) as ts"
               for i, (v, d) in enumerate(zip(values, days, strict=True))]
    return "{{ config(materialized='table', event_time='ts') }}\n" + "\nunion all ".join(selects) + "\n"


def test_microbatch(kit):
    _enabled(kit, "microbatch")
    days = _days()
    daily = ("{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', "
             f"batch_size='day', begin='{days[0]:%Y-%m-%d}', unique_key='id') }}}}\n"
             "select id, v, ts from {{ ref('events') }}\n")
    kit.write({"models/events.sql": _events(["a", "b", "c"], days), "models/daily.sql": daily})
    kit.fusion("run")
    assert kit.rows("daily", "id, v") == [(0, "a"), (1, "b"), (2, "c")]
    kit.write({"models/events.sql": _events(["A", "B", "C"], days)})
    kit.fusion("run", "-s", "events")
    kit.fusion("run", "-s", "daily", "--event-time-start", f"{days[1]:%Y-%m-%d}",
               "--event-time-end", f"{days[2]:%Y-%m-%d}")
    assert kit.rows("daily", "id, v") == [(0, "a"), (1, "B"), (2, "c")]  # only the day asked for
