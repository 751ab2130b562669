"""Node configuration: key normalisation and dbt's merge rules.

Sources, weakest first: adapter/resource defaults, ``dbt_project.yml`` (outer folders before
inner), YAML ``config:``, then ``config()`` in the file. ``tags`` and hooks accumulate, a few
dict-valued keys merge, everything else is replaced.
"""

from __future__ import annotations

import json
from typing import Any

from fusion.shapes import Shapes

APPENDED = frozenset({"tags", "pre_hook", "post_hook"})
MERGED = frozenset({"meta", "persist_docs", "docs", "contract", "grants", "quoting", "column_types"})
_ALIASES = {"pre-hook": "pre_hook", "post-hook": "post_hook", "data_tests": "tests"}

#: dict-valued config keys that may appear in dbt_project.yml without a ``+`` prefix
DICT_CONFIGS = MERGED | {"column_types", "snapshot_meta_column_names", "freshness", "event_time"}

#: every config key dbt knows; an unprefixed key in dbt_project.yml naming one is a config
KNOWN_CONFIGS = frozenset({
    "enabled", "alias", "schema", "database", "tags", "meta", "group", "materialized",
    "incremental_strategy", "unique_key", "on_schema_change", "on_configuration_change",
    "full_refresh", "persist_docs", "pre_hook", "post_hook", "pre-hook", "post-hook", "quoting",
    "column_types", "grants", "docs", "contract", "event_time", "batch_size", "lookback", "begin",
    "concurrent_batches", "access", "sql_header", "severity", "warn_if", "error_if", "fail_calc",
    "where", "limit", "store_failures", "store_failures_as", "delimiter", "quote_columns",
    "strategy", "updated_at", "check_cols", "target_schema", "target_database",
    "snapshot_meta_column_names", "dbt_valid_to_current", "hard_deletes", "static_analysis",
    "incremental_predicates", "merge_update_columns", "merge_exclude_columns", "cluster_by",
    "partition_by", "transient", "copy_grants", "query_tag", "file_format", "location_root",
})


_TEXT, _MAP = ("a string",), ("a mapping",)
#: shapes of the config values Fusion reads (others pass through as given)
CONFIG_SHAPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("alias", "schema", "database", "materialized", "group", "access", "incremental_strategy",
                     "on_schema_change", "on_configuration_change", "sql_header", "severity", "warn_if",
                     "error_if", "fail_calc", "where", "store_failures_as", "delimiter", "strategy",
                     "updated_at", "target_schema", "target_database", "hard_deletes"), _TEXT),
    **dict.fromkeys(("meta", "persist_docs", "docs", "contract", "grants", "quoting", "column_types",
                     "snapshot_meta_column_names"), _MAP),
    "tags": ("a string", "a list of strings"), "unique_key": ("a string", "a list of strings"),
    "check_cols": ("a string", "a list of strings"),
    **dict.fromkeys(("pre_hook", "post_hook"), ("a string", "a list", "a mapping")),  # a mapping: {sql:, transaction:}
}


def check_config(shapes: Shapes, key: str, value: Any, keys: tuple[str | int, ...]) -> None:
    """Fail if a config value Fusion reads has the wrong shape (``keys`` locate it for the error)."""
    expected = CONFIG_SHAPES.get(normalize_key(key))
    if expected:
        shapes.check(value, keys, *expected)


def normalize_key(key: str) -> str:
    key = key[1:] if key.startswith("+") else key
    return _ALIASES.get(key, key)


def normalize_config(values: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """Keys without ``+``, dbt's aliases resolved, appended keys as lists; ``where`` names the file
    for a value of the wrong shape."""
    out = {}
    shapes = Shapes(where, {})
    for key, value in values.items():
        check_config(shapes, key, value, ("config", key))
        key = normalize_key(key)
        if key in APPENDED:
            value = _as_list(value)
        out[key] = value
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def merge_config(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``base`` overlaid by ``update`` (both already normalised); inputs are not modified."""
    out = dict(base)
    for key, value in update.items():
        if key in APPENDED:
            merged = list(out.get(key, []))
            merged.extend(v for v in value if key != "tags" or v not in merged)
            out[key] = merged
        elif key in MERGED and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


_NODE_DEFAULTS: dict[str, Any] = {
    "enabled": True, "alias": None, "schema": None, "database": None, "tags": [], "meta": {},
    "group": None, "docs": {"show": True, "node_color": None}, "pre_hook": [], "post_hook": [],
    "quoting": {}, "column_types": {}, "persist_docs": {}, "full_refresh": None,
    "on_schema_change": "ignore", "on_configuration_change": "apply", "grants": {},
    "packages": [], "contract": {"enforced": False, "alias_types": True}, "event_time": None,
    "unique_key": None, "incremental_strategy": None, "batch_size": None, "lookback": 1,
    "begin": None, "concurrent_batches": None,
}

#: the defaults dbt shows in manifest.json, per resource type
DEFAULTS: dict[str, dict[str, Any]] = {
    "model": {**_NODE_DEFAULTS, "materialized": "view", "access": "protected"},
    "seed": {**_NODE_DEFAULTS, "materialized": "seed", "delimiter": ",", "quote_columns": None},
    "analysis": {**_NODE_DEFAULTS, "materialized": "view"},
    "operation": {**_NODE_DEFAULTS, "materialized": "view"},
    "snapshot": {**_NODE_DEFAULTS, "materialized": "snapshot", "strategy": None, "updated_at": None,
                 "check_cols": None, "hard_deletes": "ignore", "dbt_valid_to_current": None,
                 "snapshot_meta_column_names": {}, "target_schema": None, "target_database": None},
    "test": {"enabled": True, "alias": None, "schema": "dbt_test__audit", "database": None, "tags": [],
             "meta": {}, "group": None, "materialized": "test", "severity": "ERROR",
             "store_failures": None, "store_failures_as": None, "where": None, "limit": None,
             "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0"},
}


def with_defaults(resource_type: str, config: dict[str, Any]) -> dict[str, Any]:
    return {**DEFAULTS.get(resource_type, {}), **config}


def manifest_config(config: dict[str, Any]) -> dict[str, Any]:
    """Config as dbt writes it: hooks under ``pre-hook``/``post-hook`` as {sql, transaction, index}."""
    out = {k: v for k, v in config.items() if k not in ("pre_hook", "post_hook")}
    if "pre_hook" in config or "post_hook" in config:
        for key, name in (("pre_hook", "pre-hook"), ("post_hook", "post-hook")):
            out[name] = [hook_entry(h) for h in config.get(key, [])]
    return out


def hook_entry(hook: Any) -> dict[str, Any]:
    """A hook as {sql, transaction, index}; a JSON object string is one (``before_begin(...)``
    and ``after_commit(...)`` return those)."""
    if isinstance(hook, str) and hook.lstrip().startswith("{"):
        try:
            parsed = json.loads(hook)
        except ValueError:
            parsed = None
        hook = parsed if isinstance(parsed, dict) and "sql" in parsed else hook
    if isinstance(hook, dict):
        return {"sql": hook.get("sql", ""), "transaction": hook.get("transaction", True),
                "index": hook.get("index")}
    return {"sql": str(hook), "transaction": True, "index": None}
