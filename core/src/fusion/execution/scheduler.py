"""Run a DAG of work items on a thread pool: each item starts as soon as its parents finish.

A failed item (``blocks`` returns True) skips everything downstream of it; ``fail_fast`` stops
starting new items after the first failure, and so does ``stop`` once it is set (an interrupt):
the items already running finish, every other one is skipped.
"""

from __future__ import annotations

import contextvars
import heapq
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def run_dag(items: list[str], parents: dict[str, set[str]], threads: int,
            run_one: Callable[[str], Any], skip: Callable[[str, str], Any],
            blocks: Callable[[Any], bool], fail_fast: bool = False,
            stop: threading.Event | None = None) -> dict[str, Any]:
    """Return ``{item: result}``; ``skip(item, cause)`` makes the result of an item not run
    (``cause``: the failed ancestor, ``"fail-fast"`` or ``"interrupted"``)."""
    wanted = set(items)
    waiting = {uid: len(parents.get(uid, set()) & wanted) for uid in items}
    children: dict[str, list[str]] = {uid: [] for uid in items}
    for uid in items:
        for parent in parents.get(uid, set()) & wanted:
            children[parent].append(uid)
    order = {uid: i for i, uid in enumerate(items)}
    results: dict[str, Any] = {}
    skipped_by: dict[str, str] = {}
    stopping = False

    workers = max(1, threads)
    queued: list[tuple[int, str]] = []  # ready items (a heap in DAG order), started while a worker is free

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="Thread") as pool:
        running: dict[Future, str] = {}
        finished: queue.SimpleQueue[Future] = queue.SimpleQueue()  # each future once it is done

        def release(uid: str, failed_cause: str | None) -> list[str]:
            ready = []
            for child in children[uid]:
                if failed_cause is not None and child not in skipped_by:
                    skipped_by[child] = failed_cause
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
            return ready

        def settle(ready: list[str]) -> None:
            for uid in ready:
                heapq.heappush(queued, (order[uid], uid))
            while queued and len(running) < workers:
                uid = heapq.heappop(queued)[1]
                interrupted = stop is not None and stop.is_set()
                if interrupted or uid in skipped_by or stopping:
                    results[uid] = skip(uid, "interrupted" if interrupted else skipped_by.get(uid, "fail-fast"))
                    for child in release(uid, skipped_by.get(uid, uid)):
                        heapq.heappush(queued, (order[child], child))
                else:  # with the events' listeners
                    future = pool.submit(contextvars.copy_context().run, run_one, uid)
                    running[future] = uid
                    future.add_done_callback(finished.put)

        settle([uid for uid in items if waiting[uid] == 0])
        while running:  # one finished item at a time, in the order they finish
            future = finished.get()
            uid = running.pop(future)
            result = future.result()
            results[uid] = result
            failed = blocks(result)
            if failed and fail_fast:
                stopping = True
            settle(release(uid, uid if failed else None))
    if len(results) != len(items):  # a cycle slipped through: never silently drop work
        stuck = sorted(set(items) - set(results))
        raise RuntimeError(f"scheduler could not order {len(stuck)} item(s), e.g. {stuck[:3]}")
    return results
