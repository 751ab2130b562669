"""The driver cache: private, content-addressed, crash-safe.

Layout under the cache root (``$FUSION_CACHE_DIR``, else ``$XDG_CACHE_HOME/fusion``, else
``~/.cache/fusion``)::

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
import stat
import tempfile
from pathlib import Path

from fusion.trust.errors import TrustError
from fusion.trust.metadata import check_lib_name

_HEX64_LEN = 64


def cache_root() -> Path:
    if os.environ.get("FUSION_CACHE_DIR"):
        return Path(os.environ["FUSION_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fusion"


def _check_private_dir(path: Path) -> None:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise TrustError(f"driver cache folder {path} is not a plain folder",
                         hint="remove it; Fusion will recreate it")
    if info.st_uid != os.getuid():
        raise TrustError(f"driver cache folder {path} belongs to another user",
                         hint="set FUSION_CACHE_DIR to a folder you own")
    if info.st_mode & 0o022:
        raise TrustError(f"driver cache folder {path} is writable by group or others (mode "
                         f"{oct(info.st_mode & 0o777)})", hint=f"chmod 700 {path}")


class DriverCache:
    def __init__(self, root: Path | None = None):
        self.root = root or cache_root()

    def _dir(self, *parts: str) -> Path:
        """A private folder below the root, created (0700) and checked at every level."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        _check_private_dir(self.root)
        path = self.root
        for part in parts:
            path = path / part
            path.mkdir(mode=0o700, exist_ok=True)
            _check_private_dir(path)
        return path

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
