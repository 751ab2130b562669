"""Loading a driver library: the only place native code enters the process.

Every load re-hashes the file through the descriptor it was opened with, then hands that same
descriptor (``/proc/self/fd/N``) to the dynamic loader, so the bytes hashed are the bytes
loaded even if the path is swapped meanwhile. Descriptors stay open for the life of the
process: ``dlopen`` de-duplicates by path string, and a reused fd number would otherwise
silently return an earlier library.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from fusion.trust.errors import TrustError

_loaded: dict[tuple[str, str], int] = {}
_handles: list[tuple[int, ctypes.CDLL]] = []
_lock = threading.Lock()


@dataclass(frozen=True)
class VerifiedLibrary:
    path: Path
    lib_sha256: str
    lib_length: int
    entrypoint: str
    label: str  # "postgresql 1.13.0 from official", for messages


def _hash_fd(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 22, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def _open_checked(lib: VerifiedLibrary) -> int:
    if not lib.path.is_absolute():
        raise TrustError(f"driver path {lib.path} is not absolute")
    try:
        fd = os.open(lib.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise TrustError(f"cannot open the cached driver {lib.label} at {lib.path}: {exc.strerror}",
                         hint="run `fusion drivers install` to fetch it again") from exc
    info = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif info.st_uid != os.getuid():
        problem = "belongs to another user"
    elif info.st_mode & 0o022:
        problem = "is writable by group or others"
    elif info.st_size != lib.lib_length:
        problem = f"has {info.st_size} bytes, the signed index says {lib.lib_length}"
    elif _hash_fd(fd) != lib.lib_sha256:
        problem = "does not match the signed hash"
    if problem:
        os.close(fd)
        raise TrustError(f"refusing to load {lib.label}: the cached file {lib.path} {problem}",
                         hint="it was modified after download; delete it (`fusion drivers gc --all`) "
                              "and run `fusion drivers install` to fetch a verified copy")
    return fd


def load_entrypoint(lib: VerifiedLibrary) -> int:
    """Verify ``lib`` and return the address of its ADBC init function."""
    key = (lib.lib_sha256, lib.entrypoint)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        fd = _open_checked(lib)
        fd_path = f"/proc/self/fd/{fd}" if sys.platform.startswith("linux") else str(lib.path)
        try:
            handle = ctypes.CDLL(fd_path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
            address = ctypes.cast(getattr(handle, lib.entrypoint), ctypes.c_void_p).value
        except (OSError, AttributeError) as exc:
            os.close(fd)
            raise TrustError(f"the verified driver {lib.label} could not be loaded: {exc}") from exc
        _handles.append((fd, handle))
        _loaded[key] = address
        return address
