"""A resource's ``columns:`` as manifest.json lists them."""

from __future__ import annotations

from typing import Any


def column_entries(raw_columns: Any) -> dict[str, dict[str, Any]]:
    """``columns:`` of an entry (whose shapes ``read_properties`` checked)."""
    out = {}
    for col in raw_columns or []:
        config = col.get("config") or {}
        out[col["name"]] = {
            "name": col["name"],
            "description": col.get("description") or "",
            "meta": col.get("meta") or config.get("meta") or {},
            "data_type": col.get("data_type"),
            "constraints": col.get("constraints") or [],
            "quote": col.get("quote"),
            "config": {"meta": config.get("meta") or {}, "tags": config.get("tags") or []},
            "tags": tag_list(col.get("tags")),
            "granularity": col.get("granularity"),
            "doc_blocks": [],
        }
    return out


def tag_list(value: str | list[str] | None) -> list[str]:
    """`tags:` may be one string or a list of them."""
    return [value] if isinstance(value, str) else list(value or [])
