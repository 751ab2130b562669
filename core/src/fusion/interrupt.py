"""SIGINT (Ctrl-C) and SIGTERM during a command: cancel the warehouse's work, then stop.

Python runs signal handlers only in the main thread, between bytecodes — never while it waits
in a driver call. So the real work happens on a watcher thread woken through
``signal.set_wakeup_fd``: at the first signal it sets ``stop`` and starts a thread that cancels
every running statement (``cancel``, repeated every half second, for statements that were just
starting, until the command ends). In the main thread the signal raises ``KeyboardInterrupt``,
except inside ``deferred()``, where the code (the DAG scheduler) looks at ``stop`` itself and
winds down. A second signal ends the process at once, without a traceback, even while a
cancel request hangs.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable

from fusion import events

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: seconds between cancel passes after a signal, until the command ends
RECANCEL_SECONDS = 0.5

_active: Interrupt | None = None  # the Interrupt whose handlers are installed, if any


def own_driver_sigint(dbapi) -> None:
    """Leave SIGINT to the active Interrupt in ``adbc_driver_manager.dbapi`` (the module).

    On the main thread the DB-API wraps each driver call in its own SIGINT handler, which cancels
    that one call and hides the signal from Python. While an Interrupt is active, calls run
    plainly and the Interrupt cancels every statement instead; otherwise the DB-API's way stays.
    """
    original = getattr(dbapi, "_blocking_call", None)
    if original is None or getattr(original, "fusion_routed", False):
        return

    def call(func, args, kwargs, cancel):
        if _active is None:
            return original(func, args, kwargs, cancel)
        return func(*args, **kwargs)

    call.fusion_routed = True
    dbapi._blocking_call = call


class Interrupt:
    """``with Interrupt(cancel):`` — SIGINT/SIGTERM handling for one command."""

    def __init__(self, cancel: Callable[[], list[str]]):
        self.cancel = cancel  # stops running statements; returns the errors of those it could not
        self.signum: int | None = None  # the first signal received
        self.stop = threading.Event()
        self._ended = threading.Event()  # the command is over: no more cancel passes
        self._deferred = False
        self._raised = False
        self._previous: dict[int, object] = {}
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._old_wakeup_fd = -1

    @property
    def name(self) -> str | None:
        return signal.Signals(self.signum).name if self.signum is not None else None

    @property
    def exit_code(self) -> int:
        """The shell's code for a process ended by the signal (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + (self.signum or signal.SIGINT)

    def __enter__(self) -> Interrupt:
        global _active
        if threading.current_thread() is not threading.main_thread():
            return self  # only the main thread may set handlers; then signals keep their default
        _active = self
        reader, writer = socket.socketpair()
        writer.setblocking(False)
        self._wakeup = (reader, writer)
        self._old_wakeup_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # e.g. a background job's SIGINT stays ignored
                self._previous[signum] = signal.signal(signum, self._in_main_thread)
        threading.Thread(target=contextvars.copy_context().run, args=(self._watch, reader),  # with the listeners
                         name="fusion-interrupt", daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        global _active
        if self._wakeup is None:
            return
        _active = None
        self._ended.set()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._old_wakeup_fd)
        self._wakeup[1].close()  # the watcher sees the end of its socket and returns
        self._wakeup = None

    @contextlib.contextmanager
    def deferred(self):
        """Within: a signal sets ``stop`` instead of raising ``KeyboardInterrupt``."""
        self._deferred = True
        try:
            yield self
        finally:
            self._deferred = False

    def _in_main_thread(self, signum, frame) -> None:
        # the watcher cancels; here only the main thread's own work stops
        if self.signum is None:
            self.signum = signum
        if not self._deferred and not self._raised:
            self._raised = True
            raise KeyboardInterrupt

    def _watch(self, reader: socket.socket) -> None:
        seen = 0
        with reader:
            while data := reader.recv(64):  # empty when __exit__ closed the other end
                for signum in (n for n in data if n in SIGNALS):
                    seen += 1
                    self._received(signum, seen)

    def _received(self, signum: int, seen: int) -> None:
        if seen > 1:
            events.emit("Interrupted", f"{signal.Signals(signum).name} again: exiting now", level="error")
            sys.stdout.flush()
            os._exit(self.exit_code)
        if self.signum is None:
            self.signum = signum
        self.stop.set()
        events.emit("Interrupted", f"{self.name} received: cancelling the running statements "
                    "(send it again to exit at once)", level="error")
        threading.Thread(target=contextvars.copy_context().run, args=(self._cancel_until_ended,),
                         name="fusion-cancel", daemon=True).start()

    def _cancel_until_ended(self) -> None:
        for error in self.cancel():
            events.emit("Interrupted", f"  a statement could not be cancelled: {error}", level="warn")
        while not self._ended.wait(RECANCEL_SECONDS):
            self.cancel()  # statements that were just starting during the last pass
