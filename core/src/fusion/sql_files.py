"""The compiled/ and run/ SQL files in the target folder, written while nodes compile and run."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from fusion.errors import FusionError
from fusion.fileio import write_atomic


def compiled_file_path(node, folder: str) -> str:
    """``<folder>/<package>/<original path>[/<test file>]`` as dbt lays out compiled/ and run/."""
    if node.resource_type == "test" and node.test_metadata is not None:
        return f"{folder}/{node.package_name}/{node.original_file_path}/{node.path}"
    return f"{folder}/{node.package_name}/{node.original_file_path}"


class SqlWriter:
    """Writes compiled SQL files on a background thread, so rendering never waits on the disk."""

    def __init__(self, root: Path):
        self.root = root
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: FusionError | None = None

    def write(self, relative: str, sql: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="fusion-sql-writer", daemon=True)
            self._thread.start()
        self._queue.put((relative, sql))

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                write_atomic(self.root / item[0], item[1].encode("utf-8"))
            except FusionError as exc:
                self._error = self._error or exc

    def close(self) -> None:
        """Wait for every queued file; raise the first write error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
