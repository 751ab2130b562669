"""Artifacts of an earlier run (``--state DIR``) and of this project's target folder, read for comparison."""

from __future__ import annotations

import datetime
from pathlib import Path

import orjson

from fusion.errors import FusionError


class PreviousState:
    """The folder given by ``--state``: each artifact is read on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._sources: dict[str, datetime.datetime] | None = None

    @property
    def sources(self) -> dict[str, datetime.datetime]:
        if self._sources is None:
            self._sources = read_source_freshness(self.folder / "sources.json")
        return self._sources


def read_source_freshness(path: Path) -> dict[str, datetime.datetime]:
    """``unique_id -> max_loaded_at`` of the sources a sources.json checked."""
    try:
        document = orjson.loads(path.read_bytes())
        return {r["unique_id"]: datetime.datetime.fromisoformat(r["max_loaded_at"])
                for r in document["results"] if "max_loaded_at" in r}
    except FileNotFoundError:
        raise FusionError("no sources.json found", path=str(path),
                          hint="run `fusion source freshness` first (and keep the earlier run's file in --state)"
                          ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FusionError(f"not a readable sources.json: {exc}", path=str(path)) from None
