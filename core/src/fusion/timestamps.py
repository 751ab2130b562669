"""Timestamps as dbt's artifacts and log events write them."""

from __future__ import annotations

import datetime


def now_iso() -> str:
    """Now, in UTC, as ``2024-01-31T12:00:00.123456Z``."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
