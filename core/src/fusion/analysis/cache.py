"""Analysis results kept in ``target/analysis_cache.json`` between invocations.

An entry is reused only when its key matches: a hash of the node's rendered SQL, its raw file
(positions map into it), the dialect, the default database/schema and the schemas of every input.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import orjson
from sqlglot import __version__ as sqlglot_version

from fusion import __version__ as fusion_version
from fusion.fileio import write_json_atomic

VERSION = 2  # bump when what analysis finds changes
FILE = "analysis_cache.json"
_TOOLS = (VERSION, fusion_version, sqlglot_version)


def cache_key(*parts: object) -> str:
    return hashlib.sha256(orjson.dumps((_TOOLS, parts), option=orjson.OPT_SORT_KEYS)).hexdigest()


class AnalysisCache:
    def __init__(self, target_path: Path):
        self.path = target_path / FILE
        self.entries: dict[str, dict] = {}
        self.dirty = False
        self._lock = threading.Lock()
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return
        if isinstance(data, dict) and data.get("version") == VERSION and isinstance(data.get("entries"), dict):
            self.entries = data["entries"]

    def get(self, uid: str, key: str) -> dict | None:
        entry = self.entries.get(uid)
        return entry["result"] if entry and entry.get("key") == key else None

    def put(self, uid: str, key: str, result: dict) -> None:
        with self._lock:
            self.entries[uid] = {"key": key, "result": result}
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            write_json_atomic(self.path, {"version": VERSION, "entries": self.entries})
            self.dirty = False
