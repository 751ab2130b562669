"""A cold parse on two cores: two forked children each do half of a batch of independent work.

The children inherit the parsed macros and properties (fork: nothing is read again), run ``work``
over their half of the items and send back, through a pipe, the result of each item they finished
quietly. An item whose work failed, emitted an event (a warning, ``log()``, ``print()``) or gave an
unpicklable result is left out, and so is everything when a child fails: the caller then does
those items itself, in order, so that errors and output come out as in a sequential parse. The
parent runs no work ahead of time, so nothing it keeps depends on the split.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Hashable
from typing import Any

from fusion import collector, events

#: below this many items two forks (and templates compiled in each) cost more than they save
MIN_ITEMS = 300


class _Spoke(Exception):  # noqa: N818 - control flow: the item emitted an event
    pass


def _refuse(event) -> None:
    raise _Spoke(event.name)


def in_two(items: list[tuple[Hashable, Any]], work: Callable[[Any], Any], item_weight: int = 1) -> dict:
    """{key: work(item)} for the (key, item) pairs two children finished quietly; {} with few
    items (``MIN_ITEMS``, counting each as ``item_weight``) or without fork. Items that share costs
    (templates) should be adjacent: each child takes one contiguous half."""
    if len(items) * item_weight < MIN_ITEMS or not hasattr(os, "fork"):
        return {}
    half = len(items) // 2
    children = [child for share in (items[:half], items[half:]) if (child := _fork(share, work)) is not None]
    results: dict = {}
    for pid, reader in children:
        results.update(_collect(pid, reader))
    return results if len(children) == 2 else {}


def _fork(items: list[tuple[Hashable, Any]], work: Callable[[Any], Any]) -> tuple[int, int] | None:
    sys.stdout.flush()
    sys.stderr.flush()
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child never returns into the caller's code
        os.close(reader)
        _child(items, work, writer)
    os.close(writer)
    return pid, reader


def _child(items: list[tuple[Hashable, Any]], work: Callable[[Any], Any], writer: int) -> None:
    code = 1
    try:
        signal.set_wakeup_fd(-1)  # the parent's interrupt watcher must not hear the child's signals
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        events.use((_refuse,))
        out: dict = {}
        for key, item in items:
            try:
                out[key] = pickle.dumps(work(item), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001, S110 - the parent does this item itself
                pass
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def _collect(pid: int, reader: int) -> dict:
    """A child's results: our own pickles, read back from our own child."""
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return {}
    try:
        with collector.paused():
            return {key: pickle.loads(value) for key, value in pickle.loads(data).items()}  # noqa: S301
    except Exception:  # noqa: BLE001 - a truncated pipe: the parent does these items
        return {}
