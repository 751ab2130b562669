"""Reading project files as UTF-8 and writing target files whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from fusion.errors import FusionError, ProjectError

#: the process's umask, read once (reading it means setting it): new files get 0666 minus it, as with open()
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def read_text(path: Path | str, shown_as: str | None = None) -> str:
    """The file's text with universal newlines (as ``open()`` gives it, so as dbt reads it); a file
    that is not UTF-8 (dbt reads UTF-8) names the first bad byte."""
    shown = shown_as or str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ProjectError(f"cannot read file: {exc.strerror}", path=shown) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ProjectError(f"file is not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) cannot be "
                           "decoded", path=shown, line=line,
                           hint="save the file as UTF-8 (dbt reads every project file as UTF-8)") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def write_atomic(path: Path, data: bytes | Iterable[bytes] | Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` with ``data`` through a temporary file: readers see the old or the new file,
    and a failed write (read-only folder, full disk) leaves the old one and no temporary file.
    ``data`` may come in pieces, written as they come (a big artifact is never whole in memory), or
    be a function writing to the open file."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600 files
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            elif callable(data):
                data(handle)
            else:
                handle.writelines(data)
        os.replace(tmp, path)
    except BaseException as exc:  # a piece that failed to come leaves no temporary file either
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FusionError(f"could not write {path}: {exc.strerror or exc}",
                              hint="check that the target folder is writable and the disk is not full") from exc
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str))
