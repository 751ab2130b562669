"""The ``microbatch`` incremental strategy: build time windows one at a time.

Windows are ``batch_size`` periods (hour, day, month, year) of ``event_time``. A first run (or
``--full-refresh``) covers ``begin`` up to now; later runs cover the current period and
``lookback`` periods before it; ``--event-time-start/--event-time-end`` choose the range. Each
window is rendered with its inputs narrowed to the window (refs and sources that declare
``event_time``), and replaces exactly that window of the table in its own transaction. A
failed window does not undo the others: the result is then a partial success.
"""

from __future__ import annotations

import datetime as dt

from fusion.errors import CompilationError, FusionError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.persist import finish
from fusion.materializations.relations import drop_if_exists, existing_relation, with_suffix

SIZES = ("hour", "day", "month", "year")


def truncate(moment: dt.datetime, size: str) -> dt.datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    if size in ("day", "month", "year"):
        moment = moment.replace(hour=0)
    if size in ("month", "year"):
        moment = moment.replace(day=1)
    if size == "year":
        moment = moment.replace(month=1)
    return moment


def step(moment: dt.datetime, size: str, count: int = 1) -> dt.datetime:
    if size == "hour":
        return moment + dt.timedelta(hours=count)
    if size == "day":
        return moment + dt.timedelta(days=count)
    months = moment.month - 1 + count * (12 if size == "year" else 1)
    return moment.replace(year=moment.year + months // 12, month=months % 12 + 1)


def windows(start: dt.datetime, end: dt.datetime, size: str) -> list[tuple[dt.datetime, dt.datetime]]:
    out, current = [], truncate(start, size)
    while current < end:
        out.append((current, step(current, size)))
        current = step(current, size)
    return out


def _parse(value, what: str, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError as exc:
        raise CompilationError(f"{what} {value!r} is not a date or timestamp (e.g. 2024-01-31 or "
                               "2024-01-31T12:00:00)", path=where) from exc


def plan_windows(ctx: MaterializationContext, exists: bool, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    config, where = ctx.config, ctx.node.original_file_path
    size = config.get("batch_size")
    if size not in SIZES:
        raise CompilationError(f"microbatch needs batch_size one of {', '.join(SIZES)}, got {size!r}", path=where)
    if not config.get("event_time"):
        raise CompilationError("microbatch needs `event_time` (the model's time column)", path=where)
    flags = ctx.namespace["flags"]
    if flags.EVENT_TIME_START or flags.EVENT_TIME_END:
        if not (flags.EVENT_TIME_START and flags.EVENT_TIME_END):
            raise CompilationError("give both --event-time-start and --event-time-end", path=where)
        start = _parse(flags.EVENT_TIME_START, "--event-time-start", where)
        end = _parse(flags.EVENT_TIME_END, "--event-time-end", where)
    elif not exists:
        if not config.get("begin"):
            raise CompilationError("microbatch needs `begin` (where history starts) to build the first time",
                                   path=where)
        start, end = _parse(config["begin"], "begin", where), now
    else:
        lookback = int(config.get("lookback", 1) or 0)
        start, end = step(truncate(now, size), size, -lookback), now
    if start >= end:
        raise CompilationError(f"the microbatch range {start} .. {end} is empty", path=where)
    return windows(start, end, size)


def _text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def run_microbatch(ctx: MaterializationContext, existing, full_refresh: bool) -> MaterializationResult:
    adapter = ctx.adapter
    target = ctx.relation.incorporate(type="table")
    if full_refresh and existing is not None:
        with adapter.transaction():
            adapter.drop_relation(existing)
        existing = None
    planned = plan_windows(ctx, existing is not None, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    column = ctx.config["event_time"]
    done, failed, first_error = [], [], None
    if ctx.config.get("pre_hook"):
        with adapter.transaction():
            ctx.run_hooks("pre_hook")
    for start, end in planned:
        window = (_text(start), _text(end))
        try:
            sql = ctx.render_batch(window)
            with adapter.transaction():
                if existing_relation(ctx) is None:
                    adapter.execute(ctx.macro("create_table_as", False, target, sql))
                    adapter.cache_added(target)
                else:
                    staged = with_suffix(target, "__dbt_tmp", "table")
                    drop_if_exists(ctx, staged)
                    adapter.execute(ctx.macro("create_table_as", False, staged, sql))
                    adapter.cache_added(staged)
                    adapter.execute(f"delete from {target} where {target.event_time_condition(column, *window)}")
                    cols = ", ".join(adapter.quote(c.name) for c in adapter.get_columns_in_relation(target))
                    adapter.execute(f"insert into {target} ({cols}) select {cols} from {staged}")
                    adapter.drop_relation(staged)
            done.append(list(window))
        except FusionError as exc:
            failed.append(list(window))
            first_error = first_error or exc
    batch_results = {"successful": done, "failed": failed}
    if failed and not done:
        raise first_error
    if existing_relation(ctx) is not None:
        with adapter.transaction():
            finish(ctx, target, existing, full_refresh_mode=full_refresh)
            ctx.run_hooks("post_hook")
    if failed:
        return MaterializationResult("partial success", f"{len(failed)} of {len(planned)} batches failed; first: "
                                     f"{first_error}", batch_results=batch_results)
    return MaterializationResult("success", f"{len(done)} batch(es)", batch_results=batch_results)
