"""The default event listeners: the text console, the JSON log and the driver-download
progress line. A built-in plugin, registered through ``fusion_register_event_listeners`` as a
third party would register its own."""

from __future__ import annotations

import datetime
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fusion.hookspecs import hookimpl

if TYPE_CHECKING:  # only for annotations: events imports this module for its fallback listener
    from fusion.events import Event, Listener, OutputSettings

_lock = threading.Lock()  # one line at a time from every worker thread


def _print(line: str, stream, end: str = "\n") -> None:
    with _lock:
        print(line, file=stream, end=end, flush=True)


@dataclass
class TextConsole:
    """One line per event; errors on stderr; ``quiet`` keeps errors, warnings and results."""

    quiet: bool = False

    def __call__(self, event: Event) -> None:
        if event.level == "debug" or (self.quiet and event.level not in ("error", "warn", "result")):
            return
        _print(event.message, sys.stderr if event.level == "error" else sys.stdout)


@dataclass
class JsonLog:
    """One JSON object per event on stdout."""

    def __call__(self, event: Event) -> None:
        if event.level == "debug":
            return
        ts = datetime.datetime.fromtimestamp(event.ts, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        record = {"ts": ts, "event": event.name, "level": event.level, "msg": event.message, **event.data}
        _print(json.dumps(record, default=str), sys.stdout)


@dataclass
class DownloadProgress:
    """``DriverDownloadProgress`` events as one self-overwriting line, on an interactive terminal."""

    isatty: Callable[[], bool] = field(default=lambda: sys.stderr.isatty())

    def __call__(self, event: Event) -> None:
        if event.name != "DriverDownloadProgress" or not self.isatty():
            return
        done, total = event.data["downloaded_bytes"], event.data["total_bytes"]
        _print(f"\r  downloading {done / 1e6:6.1f} / {total / 1e6:.1f} MB", sys.stderr,
               end="\n" if done >= total else "")


@hookimpl
def fusion_register_event_listeners(register: Callable[[Listener], None],
                                    settings: OutputSettings) -> None:
    register(JsonLog() if settings.log_format == "json" else TextConsole(settings.quiet))
    register(DownloadProgress())
