"""Events from the engine to the user: one line per node, a summary, or JSON lines.

Nothing below ``execution`` prints: it emits events here, and the reporter chosen by the CLI
renders them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from fusion.project.env import scrub

_lock = threading.Lock()


@dataclass
class Reporter:
    fmt: str = "text"  # text | json
    quiet: bool = False

    def emit(self, event: str, message: str, level: str = "info", **data: Any) -> None:
        message = scrub(message)
        if self.fmt == "json":
            record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "event": event,
                      "level": level, "msg": message, **data}
            line = json.dumps(record, default=str)
        else:
            if self.quiet and level not in ("error", "warn", "result"):
                return
            line = message
        stream = sys.stderr if level == "error" and self.fmt == "text" else sys.stdout
        with _lock:
            print(line, file=stream, flush=True)


_reporter = Reporter()


def configure(fmt: str = "text", quiet: bool = False) -> None:
    global _reporter
    _reporter = Reporter(fmt, quiet)


def emit(event: str, message: str, level: str = "info", **data: Any) -> None:
    _reporter.emit(event, message, level, **data)


def emit_log(message: str, info: bool = False) -> None:
    """``log()`` from templates: shown when ``info=True`` (as dbt does), else debug only."""
    if info:
        emit("JinjaLog", message)
