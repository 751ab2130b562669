"""The live progress bar of a run on a terminal: what runs now, done/total, elapsed time. It
shows while nodes run and disappears when they are done, leaving the log lines above it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:  # annotations only: events imports the console, which imports this module
    from fusion.events import Event


#: the events that end a node's run (its result line)
_RESULTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogNodeResult",
                      "SkippingDetails"})


class LiveProgress:
    """Starts at ``ConcurrencyLine`` (which knows the node count), follows ``LogStartLine`` and the
    result events, stops at ``FinishedRunningStats`` (or ``CommandCompleted`` after an error)."""

    def __init__(self, console: Console):
        self.console = console
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._task = None
        self._running: list[str] = []

    def showing(self) -> bool:
        return self._progress is not None

    def __call__(self, event: Event) -> None:
        with self._lock:
            if event.name == "ConcurrencyLine" and event.data.get("node_count"):
                self._start(event.data["node_count"])
            elif self._progress is None:
                return
            elif event.name == "LogStartLine":
                self._running.append(event.data["node_info"]["node_name"])
                self._update()
            elif event.name in _RESULTS:
                name = event.data["node_info"]["node_name"]
                if name in self._running:
                    self._running.remove(name)
                self._update(advance=1)
            elif event.name in ("FinishedRunningStats", "CommandCompleted"):
                self._progress.stop()
                self._progress = None

    def _start(self, total: int) -> None:
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=self.console,
                                  transient=True, redirect_stdout=False, redirect_stderr=False)
        self._task = self._progress.add_task("starting", total=total)
        self._running = []
        self._progress.start()

    def _update(self, advance: int = 0) -> None:
        shown = ", ".join(self._running[:3]) + (f" (+{len(self._running) - 3})" if len(self._running) > 3 else "")
        self._progress.update(self._task, advance=advance, description=f"running {shown}" if shown else "waiting")
