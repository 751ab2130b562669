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


def _declared(kit, strategy: str) -> None:
    declared = kit.adapter_class.incremental_strategies
    if strategy not in declared:
        pytest.skip(f"{kit.target['type']} does not declare the {strategy} strategy (declares {', '.join(declared)})")


def test_incremental_strategies(kit):
    """One model per declared strategy, built in one project: first run, incremental run, full refresh."""
    declared = [s for s in CASES if s in kit.adapter_class.incremental_strategies]
    models = {f"models/inc_{i}.sql": MODEL.format(strategy=s, extra=CASES[s][0]) for i, s in enumerate(declared)}
    kit.write(models)
    kit.fusion("run")
    first = {s: kit.rows(f"inc_{i}", "id, v") for i, s in enumerate(declared)}
    kit.fusion("run")
    second = {s: kit.rows(f"inc_{i}", "id, v") for i, s in enumerate(declared)}
    kit.fusion("run", "--full-refresh")
    refreshed = {s: kit.rows(f"inc_{i}", "id, v") for i, s in enumerate(declared)}
    assert first == refreshed == {s: [(1, "a"), (2, "b")] for s in declared}
    assert second == {s: CASES[s][1] for s in declared}


@pytest.mark.parametrize("strategy", [s for s in CASES if s != "append"])
def test_strategy_declared(kit, strategy):
    """Reports (as a skip) each strategy the adapter does not declare; the declared ones are
    built by test_incremental_strategies."""
    _declared(kit, strategy)


DAYS = [dt.date.today() - dt.timedelta(days=n) for n in (2, 1, 0)]


def _events(values: list[str]) -> str:
    selects = [f"select {i} as id, '{v}' as v, cast('{d:%Y-%m-%d} 10:00:00' as timestamp) as ts"
               for i, (v, d) in enumerate(zip(values, DAYS, strict=True))]
    return "{{ config(materialized='table', event_time='ts') }}\n" + "\nunion all ".join(selects) + "\n"


def test_microbatch(kit):
    _declared(kit, "microbatch")
    daily = ("{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', "
             f"batch_size='day', begin='{DAYS[0]:%Y-%m-%d}', unique_key='id') }}}}\n"
             "select id, v, ts from {{ ref('events') }}\n")
    kit.write({"models/events.sql": _events(["a", "b", "c"]), "models/daily.sql": daily})
    kit.fusion("run")
    assert kit.rows("daily", "id, v") == [(0, "a"), (1, "b"), (2, "c")]
    kit.write({"models/events.sql": _events(["A", "B", "C"])})
    kit.fusion("run", "-s", "events")
    kit.fusion("run", "-s", "daily", "--event-time-start", f"{DAYS[1]:%Y-%m-%d}",
               "--event-time-end", f"{DAYS[2]:%Y-%m-%d}")
    assert kit.rows("daily", "id, v") == [(0, "a"), (1, "B"), (2, "c")]  # only the day asked for
