"""Events: typed records of what the engine does, delivered to the invocation's listeners.

Nothing below the CLI prints. Code calls ``emit``; every listener of the current invocation
receives the ``Event``: the text console or the JSON log (default plugins registered through
``fusion_register_event_listeners``), third-party observers, and a ``FusionRunner``'s callbacks.
Event names follow dbt's structured log events where one exists (``NodeStart``,
``NodeFinished``, ``MainReportVersion``, ``CommandCompleted``, ...), and so does ``data``.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fusion.secret_env import scrub, secret_values

LEVELS = ("debug", "info", "warn", "error", "result")  # result: a command's output, shown even with --quiet


@dataclass(frozen=True)
class Event:
    name: str
    message: str
    level: str = "info"
    data: dict[str, Any] = field(default_factory=dict)
    ts: float = field(default_factory=time.time)
    thread: str = field(default_factory=lambda: threading.current_thread().name)


Listener = Callable[[Event], None]


@dataclass(frozen=True)
class OutputSettings:
    """How the user asked for output: the console's and the log file's format and level, colours."""

    log_format: str = "text"  # text | json
    quiet: bool = False
    log_level: str = "info"  # the console's: debug | info | warn | error | none
    log_format_file: str = "text"  # text | json
    log_level_file: str = "debug"  # the log file's (none: no file)
    log_path: str | None = None  # the folder of dbt.log (None: no log file)
    use_colors: bool | None = None  # None: when the console is a terminal and NO_COLOR is unset
    use_colors_file: bool = True
    print: bool = True  # print() and log(info=True) output on the console
    invocation_id: str = ""

#: The listeners of the invocation running in this context (worker threads get a copy).
_listeners: contextvars.ContextVar[tuple[Listener, ...] | None] = contextvars.ContextVar(
    "fusion_event_listeners", default=None)


def use(listeners: tuple[Listener, ...]) -> None:
    """From now on, deliver the events of this context to ``listeners``. A command line process
    sets them once; ``fusion.api`` runs each command in a context of its own."""
    _listeners.set(listeners)


@dataclass(frozen=True)
class WarnError:
    """``--warn-error`` / ``--warn-error-options``: which warnings become errors or are silenced."""

    everything: bool = False
    error: tuple[str, ...] = ()
    warn: tuple[str, ...] = ()
    silence: tuple[str, ...] = ()

    def errors(self, name: str) -> bool:
        if name in self.warn:
            return False
        return self.everything or name in self.error or bool({"all", "*"} & set(self.error))

    def silenced(self, name: str) -> bool:
        return name in self.silence and not self.errors(name)


_NO_WARN_ERROR = WarnError()
_warn_error: contextvars.ContextVar[WarnError | None] = contextvars.ContextVar("fusion_warn_error", default=None)


def use_warn_error(policy: WarnError) -> None:
    _warn_error.set(policy)


def warn_error() -> WarnError:
    return _warn_error.get() or _NO_WARN_ERROR


def warn_or_error(name: str, message: str, **data: Any) -> None:
    """A warning dbt lets ``--warn-error`` turn into an error: raised as a ``FusionError`` then."""
    policy = warn_error()
    if policy.errors(name):
        from fusion.errors import FusionError

        raise FusionError(message.removeprefix("Warning: "),
                          hint=f"--warn-error{'-options' if not policy.everything else ''} made this "
                               f"{name} warning an error")
    if not policy.silenced(name):
        emit(name, message, level="warn", **data)


def emit(name: str, message: str, /, level: str = "info", **data: Any) -> None:
    secrets = secret_values()
    if secrets:
        data = {key: scrub(value, secrets) if isinstance(value, str) else value for key, value in data.items()}
        message = scrub(message, secrets)
    event = Event(name, message, level, data)
    listeners = _listeners.get()
    if listeners is None:  # outside any invocation (a library call): plain console output
        from fusion.console import TextConsole

        listeners = (TextConsole(),)
    for listener in listeners:
        listener(event)


def emit_log(message: str, info: bool = False) -> None:
    """``log()`` from templates: shown when ``info=True`` (as dbt does), else debug only."""
    emit("JinjaLogInfo" if info else "JinjaLogDebug", message, level="info" if info else "debug", msg=message)


def emit_print(message: str) -> None:
    """``print()`` from templates: shown even with ``--quiet``, hidden by ``--no-print``."""
    emit("PrintEvent", message, level="result", msg=message)
