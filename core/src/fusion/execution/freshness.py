"""``fusion source freshness``: each selected source's newest ``loaded_at`` against its criteria.

A source takes part when it has freshness criteria (``warn_after`` or ``error_after``). The age is
the warehouse's ``current_timestamp`` minus ``max(loaded_at_field)`` (or the ``loaded_at_query``
value), both read as UTC when they carry no zone; no rows count as infinitely old, as in dbt.
"""

from __future__ import annotations

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fusion import events
from fusion.adapter import AdapterResponse
from fusion.errors import FusionError
from fusion.invocation import Invocation
from fusion.manifest.nodes import Node, Source
from fusion.parse.freshness import is_active, status
from fusion.timestamps import now_iso

#: dbt's age for a source without rows: since 0001-01-01 UTC
_NEVER = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


@dataclass
class FreshnessResult:
    source: Source
    status: str  # pass | warn | error | runtime error
    max_loaded_at: datetime.datetime | None = None
    snapshotted_at: datetime.datetime | None = None
    error: str | None = None
    adapter_response: AdapterResponse = field(default_factory=AdapterResponse)
    timing: list[dict[str, str]] = field(default_factory=list)
    execution_time: float = 0.0
    thread_id: str = field(default_factory=lambda: threading.current_thread().name)

    @property
    def age(self) -> float:
        return (self.snapshotted_at - self.max_loaded_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        """sources.json v3's entry (dbt leaves runtime errors out of the file)."""
        return {"unique_id": self.source.unique_id, "max_loaded_at": self.max_loaded_at.isoformat(),
                "snapshotted_at": self.snapshotted_at.isoformat(), "max_loaded_at_time_ago_in_s": self.age,
                "status": self.status, "criteria": self.source.freshness,
                "adapter_response": self.adapter_response.to_dict(), "timing": self.timing,
                "thread_id": self.thread_id, "execution_time": self.execution_time}


def has_freshness(source) -> bool:
    return source.resource_type == "source" and is_active(source.freshness)


def check_all(inv: Invocation, selected: set[str]) -> list[FreshnessResult]:
    sources = sorted((inv.manifest.sources[uid] for uid in selected if uid in inv.manifest.sources
                      and has_freshness(inv.manifest.sources[uid])), key=lambda s: s.unique_id)
    results = []
    with ThreadPoolExecutor(max_workers=inv.profile.threads, thread_name_prefix="Thread") as pool:
        for index, result in enumerate(pool.map(lambda source: check(inv, source), sources), 1):
            results.append(result)
            _report(index, len(sources), result)
    return results


def check(inv: Invocation, source: Source) -> FreshnessResult:
    started = now_iso()
    clock = time.perf_counter()
    if not source.loaded_at_field and not source.loaded_at_query:
        return FreshnessResult(source, "runtime error", error=(
            f"Could not compute freshness for source {source.name}: no 'loaded_at_field' provided and "
            f"{inv.adapter_spec.name} adapter does not support metadata-based freshness checks."))
    try:
        response, row = _collect(inv, source)
    except FusionError as exc:
        return FreshnessResult(source, "runtime error", error=exc.message)
    loaded, snapshotted = (_utc(row[0]) if row[0] is not None else _NEVER), _utc(row[1])
    result = FreshnessResult(source, "pass", loaded, snapshotted, adapter_response=response,
                             timing=[{"name": "compile", "started_at": started, "completed_at": started},
                                     {"name": "execute", "started_at": started, "completed_at": now_iso()}],
                             execution_time=time.perf_counter() - clock)
    result.status = status(source.freshness, result.age)
    return result


def _collect(inv: Invocation, source: Source) -> tuple[AdapterResponse, tuple]:
    """Run dbt's ``collect_freshness`` (or ``collect_freshness_custom_sql``) macro: one row."""
    from fusion.jinja.context import MacroFunction
    from fusion.jinja.node_context import node_namespace

    manifest, project = inv.manifest, inv.project.name
    custom = bool(source.loaded_at_query)
    macro = manifest.macros.find("collect_freshness_custom_sql" if custom else "collect_freshness", project)
    node = Node(unique_id=f"operation.{project}.freshness", resource_type="operation", package_name=project,
                name="freshness", path="freshness.sql", original_file_path=source.original_file_path,
                fqn=[project, "freshness"], raw_code="", checksum="", config={"materialized": "view"},
                database=source.database, schema=source.schema, alias="freshness")
    relation = inv.adapter.relation(source.database, source.schema, source.identifier)
    call = MacroFunction(macro, node_namespace(inv.runtime, manifest, node, execute=True))
    loaded = (call(relation, source.loaded_at_query) if custom
              else call(relation, source.loaded_at_field, (source.freshness or {}).get("filter")))
    rows = loaded.table.rows
    if len(rows) != 1:
        raise FusionError(f"the freshness query returned {len(rows)} rows, expected 1")
    return loaded.response or AdapterResponse(), tuple(rows[0])


def _utc(value) -> datetime.datetime:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if not isinstance(value, datetime.datetime):
        raise FusionError(f"freshness needs a timestamp, the query returned {value!r}")
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)


_LABELS = {"pass": "PASS", "warn": "WARN", "error": "ERROR STALE", "runtime error": "ERROR"}


def _report(index: int, total: int, result: FreshnessResult) -> None:
    label = _LABELS[result.status]
    text = f"{index} of {total} {label} freshness of {result.source.source_name}.{result.source.name}"
    level = {"pass": "result", "warn": "warn"}.get(result.status, "error")
    events.emit("FreshnessResult", f"{text} {'.' * max(3, 80 - len(text))} [{label} in "
                f"{result.execution_time:.2f}s]", level=level, unique_id=result.source.unique_id,
                status=result.status)
    if result.error:
        events.emit("FreshnessError", f"  Runtime Error in source {result.source.name} "
                    f"({result.source.original_file_path})\n  {result.error}", level="error")
