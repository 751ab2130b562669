"""The default event listeners: the console (text with colours on a terminal, or dbt's JSON lines),
the live progress bar, ``logs/dbt.log`` and the driver-download line. A built-in plugin,
registered through ``fusion_register_event_listeners`` as a third party would register its own."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from fusion.hookspecs import hookimpl
from fusion.logfile import LogFile, json_line, passes

if TYPE_CHECKING:  # only for annotations: events imports this module for its fallback listener
    from fusion.events import Event, Listener, OutputSettings

_lock = threading.Lock()  # one line at a time from every worker thread

#: a status word in brackets (``[OK in 0.1s]``, ``[ERROR]:``) and its colour
_STATUS = re.compile(r"\[(OK|PASS|SUCCESS|RUN|PARTIAL SUCCESS|WARN(?:ING)?|SKIP|ERROR|FAIL)\b")
#: error-level events that belong to a run's report, printed on stdout with the rest of it (as dbt)
_REPORT = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogNodeResult",
                     "RunResultFailure", "RunResultError"})
_COLOURS = {"OK": "green", "PASS": "green", "SUCCESS": "green", "RUN": "cyan", "WARN": "yellow",
            "WARNING": "yellow", "SKIP": "yellow", "PARTIAL SUCCESS": "yellow", "ERROR": "red", "FAIL": "red"}


def styled(event: Event) -> Text:
    """The event's message with its status word (or the run's verdict) in colour."""
    text = Text(event.message)
    if event.name == "EndOfRunSummary":
        text.stylize("red" if event.data.get("num_errors") else
                     "yellow" if event.data.get("num_warnings") else "green")
        return text
    match = _STATUS.search(event.message)
    if match:
        text.stylize(_COLOURS[match.group(1)], match.start(1), match.end(1))
    return text


def consoles(use_colors: bool | None) -> tuple[Console, Console]:
    """stdout's and stderr's console; colours on a terminal unless NO_COLOR (None), always, or never."""
    options = dict(highlight=False, soft_wrap=True, emoji=False, markup=False)
    if use_colors is False:
        options.update(color_system=None, no_color=True)
    elif use_colors:
        options.update(force_terminal=True)
    return Console(**options), Console(stderr=True, **options)


@dataclass
class TextConsole:
    """One line per event at or above ``level``; errors on stderr, except a run's report (and
    while the progress bar shows, which keeps them above it); ``quiet`` keeps errors and a
    command's results."""

    quiet: bool = False
    level: str = "info"
    show_print: bool = True
    use_colors: bool | None = None
    live: Callable[[], bool] = field(default=lambda: False)  # is a progress bar showing?

    def __post_init__(self) -> None:
        self.out, self.err = consoles(self.use_colors)

    def __call__(self, event: Event) -> None:
        if event.name == "DriverDownloadProgress" or not self.wanted(event):
            return
        on_stderr = event.level == "error" and event.name not in _REPORT and not self.live()
        stream = self.err if on_stderr else self.out
        with _lock:
            stream.print(styled(event))

    def wanted(self, event: Event) -> bool:
        if not self.show_print and event.name in ("PrintEvent", "JinjaLogInfo"):
            return False
        if self.quiet:
            return event.level in ("error", "result") and self.level != "none"
        return passes(event, self.level)


@dataclass
class JsonLog:
    """One dbt log line (``{"info": ..., "data": ...}``) per event at or above ``level``, on stdout."""

    invocation_id: str = ""
    level: str = "info"
    quiet: bool = False

    def __call__(self, event: Event) -> None:
        if not passes(event, self.level) or (self.quiet and event.level not in ("error", "result")):
            return
        line = json_line(event, self.invocation_id)
        with _lock:
            print(line, flush=True)


@dataclass
class DownloadProgress:
    """``DriverDownloadProgress`` events as one self-overwriting line, on an interactive terminal."""

    isatty: Callable[[], bool] = field(default=lambda: sys.stderr.isatty())

    def __call__(self, event: Event) -> None:
        if event.name != "DriverDownloadProgress" or not self.isatty():
            return
        done, total = event.data["downloaded_bytes"], event.data["total_bytes"]
        with _lock:
            print(f"\r  downloading {done / 1e6:6.1f} / {total / 1e6:.1f} MB", file=sys.stderr,
                  end="\n" if done >= total else "", flush=True)


@hookimpl
def fusion_register_event_listeners(register: Callable[[Listener], None],
                                    settings: OutputSettings) -> None:
    if settings.log_format == "json":
        register(JsonLog(settings.invocation_id, settings.log_level, settings.quiet))
    else:
        text = TextConsole(settings.quiet, settings.log_level, settings.print, settings.use_colors)
        if not settings.quiet and settings.log_level != "none" and text.out.is_terminal and sys.stdout.isatty():
            from fusion.progress import LiveProgress  # rich.progress: only for a terminal

            progress = LiveProgress(text.out)
            text.live = progress.showing
            register(progress)
        register(text)
    if settings.log_path is not None and settings.log_level_file != "none":
        register(LogFile(Path(settings.log_path), settings.invocation_id, settings.log_level_file,
                         settings.log_format_file, settings.use_colors_file))
    register(DownloadProgress())
