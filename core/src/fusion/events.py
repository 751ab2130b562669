"""Events: typed records of what the engine does, delivered to the invocation's listeners.

Nothing below the CLI prints. Code calls ``emit``; every listener of the current invocation
receives the ``Event``: the text console or the JSON log (default plugins registered through
``fusion_register_event_listeners``), third-party observers, and a ``FusionRunner``'s callbacks.
Event names follow dbt's structured log events where one exists (``NodeStart``,
``NodeFinished``, ``MainReportVersion``, ``CommandCompleted``, ...), and so does ``data``.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fusion.secret_env import scrub

LEVELS = ("debug", "info", "warn", "error", "result")  # result: a command's output, shown even with --quiet


@dataclass(frozen=True)
class Event:
    name: str
    message: str
    level: str = "info"
    data: dict[str, Any] = field(default_factory=dict)
    ts: float = field(default_factory=time.time)


Listener = Callable[[Event], None]


@dataclass(frozen=True)
class OutputSettings:
    """How the user asked for output (``--log-format``, ``--quiet``)."""

    log_format: str = "text"  # text | json
    quiet: bool = False

#: The listeners of the invocation running in this context (worker threads get a copy).
_listeners: contextvars.ContextVar[tuple[Listener, ...] | None] = contextvars.ContextVar(
    "fusion_event_listeners", default=None)


def use(listeners: tuple[Listener, ...]) -> None:
    """From now on, deliver the events of this context to ``listeners``. A command line process
    sets them once; ``fusion.api`` runs each command in a context of its own."""
    _listeners.set(listeners)


def emit(name: str, message: str, level: str = "info", **data: Any) -> None:
    event = Event(name, scrub(message), level, data)
    listeners = _listeners.get()
    if listeners is None:  # outside any invocation (a library call): plain console output
        from fusion.console import TextConsole

        listeners = (TextConsole(),)
    for listener in listeners:
        listener(event)


def emit_log(message: str, info: bool = False) -> None:
    """``log()`` from templates: shown when ``info=True`` (as dbt does), else debug only."""
    emit("JinjaLogInfo" if info else "JinjaLogDebug", message, level="info" if info else "debug")
