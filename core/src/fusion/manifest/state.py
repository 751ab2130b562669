"""Artifacts of an earlier run (``--state DIR``: manifest, run results, source freshness) and of this
project's target folder, read for comparison."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import orjson

from fusion.errors import FusionError

_SECTIONS = ("nodes", "sources", "exposures", "unit_tests", "semantic_models", "metrics", "saved_queries")


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FusionError(f"cannot read {path.name}: {exc}", path=str(path),
                          hint="use the target folder of a complete previous run") from None
    if not isinstance(data, dict):
        raise FusionError(f"{path.name} is not a JSON object", path=str(path),
                          hint="use the target folder of a complete previous run")
    return data


def last_run(folder: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The statuses (by unique id) and the arguments of the run whose run_results.json is in ``folder``."""
    data = _read_json(folder / "run_results.json")
    if data is None:
        raise FusionError(f"could not find a previous run in {folder}",
                          hint="run a command (build, run, test, seed, snapshot) first; retry re-runs its failures")
    statuses = {r["unique_id"]: str(r.get("status")) for r in data.get("results", [])
                if isinstance(r, dict) and "unique_id" in r}
    return statuses, data.get("args") or {}


class PreviousState:
    """The artifacts of a previous run: manifest.json, run_results.json (each may be absent)."""

    def __init__(self, folder: Path):
        if not folder.is_dir():
            raise FusionError(f"the --state folder {folder} does not exist",
                              hint="pass the folder holding the manifest.json of the run to compare with")
        self.folder = folder
        self.manifest = _read_json(folder / "manifest.json")
        results = _read_json(folder / "run_results.json")
        self.results: dict[str, str] | None = None if results is None else {
            r["unique_id"]: r.get("status") for r in results.get("results", []) if isinstance(r, dict)}
        self._old = {} if self.manifest is None else {
            uid: entry for section in _SECTIONS for uid, entry in (self.manifest.get(section) or {}).items()}
        self._sources: dict[str, datetime.datetime] | None = None

    @property
    def sources(self) -> dict[str, datetime.datetime]:
        """``unique_id -> max_loaded_at`` from the state's sources.json (read on first use)."""
        if self._sources is None:
            self._sources = read_source_freshness(self.folder / "sources.json")
        return self._sources

    def old(self, unique_id: str) -> dict[str, Any] | None:
        return self._old.get(unique_id)

    def relation_of(self, unique_id: str) -> dict[str, Any] | None:
        """The state's database/schema/alias of a refable, non-ephemeral node."""
        node = (self.manifest or {}).get("nodes", {}).get(unique_id)
        if node is None or node.get("resource_type") not in ("model", "seed", "snapshot") \
                or (node.get("config") or {}).get("materialized") == "ephemeral":
            return None
        return node



def read_source_freshness(path: Path) -> dict[str, datetime.datetime]:
    """``unique_id -> max_loaded_at`` of the sources a sources.json checked."""
    document = _read_json(path)
    if document is None:
        raise FusionError("no sources.json found", path=str(path),
                          hint="run `fusion source freshness` first (and keep the earlier run's file in --state)")
    try:
        return {r["unique_id"]: datetime.datetime.fromisoformat(r["max_loaded_at"])
                for r in document["results"] if "max_loaded_at" in r}
    except (ValueError, KeyError, TypeError) as exc:
        raise FusionError(f"not a readable sources.json: {exc}", path=str(path)) from None
