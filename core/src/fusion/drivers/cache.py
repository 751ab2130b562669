"""The driver cache: private, content-addressed, crash-safe.

Layout under the private cache folder (see fusion.private_cache)::

    libs/sha256/<aa>/<lib_sha256>/<lib_name>   verified libraries, mode 0400
    repos/<repository>/root.json, index.json   the newest verified metadata (rollback guard)
    tmp/                                       partial downloads; never loadable
    locks/                                     one lock file per artifact

A library only appears under its final name by an atomic rename after its hash was checked,
so a crash can leave at most a stray temp file, which ``gc`` removes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from fusion.private_cache import cache_root, private_dir
from fusion.trust.errors import TrustError
from fusion.trust.metadata import check_lib_name

_HEX64_LEN = 64


class DriverCache:
    def __init__(self, root: Path | None = None):
        self.root = root or cache_root()

    def _dir(self, *parts: str) -> Path:
        return private_dir(self.root, *parts)

    # --- libraries ---------------------------------------------------------------------
    def library_path(self, lib_sha256: str, lib_name: str) -> Path:
        check_lib_name(lib_name)
        if len(lib_sha256) != _HEX64_LEN or not all(c in "0123456789abcdef" for c in lib_sha256):
            raise TrustError(f"invalid library hash {lib_sha256!r}")
        return self.root / "libs" / "sha256" / lib_sha256[:2] / lib_sha256 / lib_name

    def has_library(self, lib_sha256: str, lib_name: str) -> bool:
        return self.library_path(lib_sha256, lib_name).is_file()

    @contextlib.contextmanager
    def lock(self, name: str):
        """An inter-process lock (two installs of one artifact never interleave)."""
        path = self._dir("locks") / f"{name}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def install_library(self, data: bytes, lib_sha256: str, lib_name: str) -> Path:
        """Write verified bytes under their content address, atomically, read-only."""
        if hashlib.sha256(data).hexdigest() != lib_sha256:
            raise TrustError(f"refusing to cache {lib_name}: its bytes do not match the signed hash")
        final = self.library_path(lib_sha256, lib_name)
        with self.lock(lib_sha256):
            if final.is_file():
                return final
            folder = self._dir("libs", "sha256", lib_sha256[:2], lib_sha256)
            fd, tmp = tempfile.mkstemp(dir=self._dir("tmp"), prefix=f"{lib_sha256[:12]}.")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, 0o400)
                os.rename(tmp, folder / lib_name)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
        return final

    def libraries(self) -> list[Path]:
        base = self.root / "libs" / "sha256"
        return sorted(p for p in base.glob("*/*/*") if p.is_file()) if base.is_dir() else []

    def remove_temp_files(self) -> int:
        folder = self.root / "tmp"
        count = 0
        if folder.is_dir():
            for path in folder.iterdir():  # a folder here is as stray as a file
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                count += 1
        return count

    # --- repository metadata -----------------------------------------------------------
    def metadata_path(self, repository: str, name: str) -> Path:
        return self.root / "repos" / repository / name

    def read_metadata(self, repository: str, name: str) -> bytes | None:
        path = self.metadata_path(repository, name)
        return path.read_bytes() if path.is_file() else None

    def forget_repository(self, repository: str) -> None:
        """Drop a repository's cached metadata (its rollback record included)."""
        shutil.rmtree(self.root / "repos" / repository, ignore_errors=True)

    def write_metadata(self, repository: str, name: str, data: bytes) -> None:
        folder = self._dir("repos", repository)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / name)
