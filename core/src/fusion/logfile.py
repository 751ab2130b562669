"""Log records as dbt writes them: the JSON envelope (``{"info": {...}, "data": {...}}``), the
log file's text line, and ``logs/dbt.log`` itself."""

from __future__ import annotations

import datetime
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import orjson

from fusion.event_codes import code

if TYPE_CHECKING:  # annotations only: events imports the console, which imports this module
    from fusion.events import Event

#: a level's rank; an event is logged when its rank reaches the threshold's ("none" is never reached)
RANKS = {"debug": 0, "info": 1, "result": 1, "warn": 2, "error": 3, "none": 4}


def passes(event: Event, threshold: str) -> bool:
    return RANKS[event.level] >= RANKS[threshold]


def dbt_level(level: str) -> str:
    return "info" if level == "result" else level


def _utc(ts: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC)


def envelope(event: Event, invocation_id: str) -> dict:
    """The event as one of dbt's structured log lines."""
    return {"data": event.data, "info": {
        "category": "", "code": code(event.name), "extra": {}, "invocation_id": invocation_id,
        "level": dbt_level(event.level), "msg": event.message, "name": event.name, "pid": os.getpid(),
        "thread": event.thread, "ts": _utc(event.ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}


def json_line(event: Event, invocation_id: str) -> str:
    return orjson.dumps(envelope(event, invocation_id), default=str, option=orjson.OPT_SORT_KEYS).decode()


def text_line(event: Event, colors: bool) -> str:
    """The log file's line: ``12:00:01.123456 [info ] [MainThread]: message``."""
    stamp = _utc(event.ts).strftime("%H:%M:%S.%f")
    reset = "\x1b[0m" if colors else ""
    return f"{reset}{stamp} [{dbt_level(event.level):<5}] [{event.thread[:10]}]: {event.message}"


@dataclass
class LogFile:
    """Appends each event at or above ``level`` to ``<folder>/dbt.log``, text or JSON lines; the
    folder is made on the first event, and an invocation's text starts with dbt's header line."""

    folder: Path
    invocation_id: str
    level: str = "debug"
    log_format: str = "text"
    colors: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def __call__(self, event: Event) -> None:
        if not passes(event, self.level):
            return
        if self.log_format == "json":
            line = json_line(event, self.invocation_id)
        else:
            line = text_line(event, self.colors)
        with self._lock:
            if self._file is None and not self._open(event):
                return
            self._file.write(line + "\n")
            self._file.flush()
            if event.name == "CommandCompleted":
                self._file.close()
                self._file = None

    def _open(self, event: Event) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self.folder / "dbt.log", "a", encoding="utf-8")  # noqa: SIM115 - kept open
        except OSError:  # an unwritable log folder must not stop the command
            self.level = "none"
            return False
        if self.log_format == "text":
            stamp = _utc(event.ts).strftime("%H:%M:%S.%f")
            self._file.write(f"\n\n{'=' * 30} {stamp} | {self.invocation_id} {'=' * 30}\n")
        return True
