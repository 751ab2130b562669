"""Compiled template code kept between runs (``target/fusion_template_code.marshal``).

Jinja compiles a template to Python source and then to a code object; both steps are skipped
for a template (or a shape, see fusion.jinja.shapes) compiled by an earlier run. Entries are
keyed by a digest of what was compiled; the file is only valid for the same Python, Jinja and
Fusion template compiler, and is ignored when unreadable.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import threading
import types
from pathlib import Path

import jinja2

from fusion.fileio import write_atomic

_COMPILER_FILES = ("environment.py", "shapes.py")
#: entries kept at most (the least recently added go first)
MAX_ENTRIES = 50_000


def _version() -> str:
    here = Path(__file__).resolve().parent
    compiler = b"".join((here / name).read_bytes() for name in _COMPILER_FILES)
    return hashlib.sha256(f"{sys.version}|{jinja2.__version__}|".encode() + compiler).hexdigest()


def key_for(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class CodeCache:
    def __init__(self, path: Path):
        self.path = path
        self._entries: dict[str, types.CodeType] | None = None
        self._added = False
        self._lock = threading.Lock()

    def _load(self) -> dict[str, types.CodeType]:
        if self._entries is None:
            entries: dict = {}
            try:
                stored = marshal.loads(self.path.read_bytes())
                if isinstance(stored, dict) and stored.get("version") == _version():
                    entries = stored.get("code") or {}
            except (OSError, ValueError, EOFError, TypeError):
                pass  # no cache yet, or a damaged one: compile
            self._entries = entries
        return self._entries

    def get(self, key: str) -> types.CodeType | None:
        with self._lock:
            return self._load().get(key)

    def put(self, key: str, code: types.CodeType) -> None:
        with self._lock:
            self._load()[key] = code
            self._added = True

    def save(self) -> None:
        """Write the cache if this run compiled anything new."""
        with self._lock:
            if not self._added or self._entries is None:
                return
            entries = self._entries
            if len(entries) > MAX_ENTRIES:
                entries = dict(list(entries.items())[-MAX_ENTRIES:])
            payload = marshal.dumps({"version": _version(), "code": entries})
            self._added = False
        write_atomic(self.path, payload)
