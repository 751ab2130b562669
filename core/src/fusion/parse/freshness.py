"""A source table's freshness criteria and loaded_at, from its source and table YAML, as dbt merges them.

``freshness`` may sit at the source or the table, top-level or under ``config:``; later levels
(source, source config, table, table config) refine earlier ones, ``null`` turns freshness off,
and with nothing in YAML the project's ``sources: +freshness`` applies.
"""

from __future__ import annotations

from typing import Any

from fusion.errors import ProjectError

PERIODS = ("minute", "hour", "day")
_UNSET = object()


def resolve_freshness(source: dict, table: dict, project_freshness: Any, path: str) -> dict[str, Any] | None:
    levels = [source.get("freshness", _UNSET), (source.get("config") or {}).get("freshness", _UNSET),
              table.get("freshness", _UNSET), (table.get("config") or {}).get("freshness", _UNSET)]
    merged: dict | None = _threshold(levels[0], path)
    for level in levels[1:]:
        update = _threshold(level, path)
        if merged is not None and update is not None:
            merged = {"warn_after": _merge_time(merged["warn_after"], update["warn_after"]),
                      "error_after": _merge_time(merged["error_after"], update["error_after"]),
                      "filter": update["filter"] if update["filter"] is not None else merged["filter"]}
        elif merged is None and is_active(update):
            merged = update
        else:
            merged = None
    if merged is None or is_active(merged) or project_freshness is None:
        return merged
    return _threshold(project_freshness, "dbt_project.yml")


def resolve_loaded_at(source: dict, table: dict, path: str) -> tuple[str | None, str | None]:
    """(loaded_at_field, loaded_at_query): the table's, else the source's; ``loaded_at_field: null``
    on a table drops the source's."""
    def get(entry: dict, key: str):
        return entry.get(key) or (entry.get("config") or {}).get(key)

    for entry, where in ((table, "table"), (source, "source")):
        if get(entry, "loaded_at_field") and get(entry, "loaded_at_query"):
            raise ProjectError(f"a {where} cannot have both loaded_at_field and loaded_at_query", path=path,
                               hint=f"keep one of them on {entry.get('name')!r}")
    field_set_on_table = "loaded_at_field" in table or get(table, "loaded_at_field") is not None
    field = get(table, "loaded_at_field") if field_set_on_table else get(source, "loaded_at_field")
    if get(table, "loaded_at_query") is not None:
        query = get(table, "loaded_at_query")
    else:
        query = None if "loaded_at_field" in table else get(source, "loaded_at_query")
    return field, query


def _threshold(raw: Any, path: str) -> dict | None:
    if raw is _UNSET:
        return {"warn_after": _time({}, path), "error_after": _time({}, path), "filter": None}
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProjectError(f"`freshness` must be a mapping with warn_after/error_after, found {raw!r}", path=path)
    return {"warn_after": _time(raw.get("warn_after", {}), path),
            "error_after": _time(raw.get("error_after", {}), path), "filter": raw.get("filter")}


def _time(raw: Any, path: str) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProjectError(f"warn_after/error_after must be a mapping like {{count: 12, period: hour}}, "
                           f"found {raw!r}", path=path)
    count, period = raw.get("count"), raw.get("period")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise ProjectError(f"freshness `count` must be a whole number, found {count!r}", path=path)
    if period is not None and period not in PERIODS:
        raise ProjectError(f"freshness `period` must be one of {', '.join(PERIODS)}, found {period!r}", path=path)
    return {"count": count, "period": period}


def _set(time: dict | None) -> bool:
    return bool(time) and time["count"] is not None and time["period"] is not None


def is_active(threshold: dict | None) -> bool:
    return threshold is not None and (_set(threshold["warn_after"]) or _set(threshold["error_after"]))


def _merge_time(base: dict | None, update: dict | None) -> dict | None:
    if _set(base) and _set(update):
        return {k: update[k] if update[k] is not None else base[k] for k in ("count", "period")}
    if update is None:
        return None
    return update if _set(update) else base


def status(freshness: dict, age: float) -> str:
    """pass, warn or error for data ``age`` seconds old."""
    for level, name in (("error_after", "error"), ("warn_after", "warn")):
        time = freshness.get(level)
        if _set(time) and age > time["count"] * {"minute": 60, "hour": 3600, "day": 86400}[time["period"]]:
            return name
    return "pass"
