"""Cache files that only this user on this machine can have written.

The caches in ``target/`` hold pickles and compiled code, and ``target/`` can come from anywhere
(a cloned repository, a restored CI artifact). Each file is written as ``<tag>\\n<payload>``, the
tag an HMAC-SHA256 of the file's name and payload under a key that never leaves the user's
private cache folder (see fusion.private_cache). The tag is checked, in constant time, before
anything decodes the payload: a file without the right tag is only a cache miss. The same key
turns values that may hold secrets (environment values, the target) into digests that cannot be
checked against guesses.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path

from fusion.fileio import write_atomic
from fusion.private_cache import cache_root, private_dir
from fusion.trust.errors import TrustError

KEY_FILE = "cache-hmac.key"
KEY_BYTES = 32
_TAG_LEN = 64  # hex digits of a SHA-256 HMAC


class Sealer:
    def __init__(self, key: bytes):
        self._key = key

    def _tag(self, name: str, payload) -> bytes:
        mac = hmac.new(self._key, b"file\0" + name.encode() + b"\0", hashlib.sha256)
        mac.update(payload)
        return mac.hexdigest().encode()

    def write(self, path: Path, payload: bytes) -> None:
        """Write ``path`` atomically, tagged."""
        write_atomic(path, self._tag(path.name, payload) + b"\n" + payload)

    def read(self, path: Path) -> memoryview | None:
        """The payload of ``path`` if this user's key tagged it, else None."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        payload = memoryview(data)[_TAG_LEN + 1:]
        if data[_TAG_LEN:_TAG_LEN + 1] != b"\n" or not hmac.compare_digest(data[:_TAG_LEN],
                                                                          self._tag(path.name, payload)):
            return None
        return payload

    def digest(self, value: str | None) -> str | None:
        """A keyed digest of a value that may hold a secret (None stays None)."""
        if value is None:
            return None
        return hmac.new(self._key, b"value\0" + value.encode(), hashlib.sha256).hexdigest()


def user_sealer() -> Sealer | None:
    """This user's sealer; None when the private cache folder cannot hold a key (then: no caches)."""
    try:
        root = cache_root()
    except RuntimeError:  # no HOME, and the user has no home folder in the password database
        return None
    key = _user_key(root)
    return Sealer(key) if key is not None else None


@functools.lru_cache
def _user_key(root: Path) -> bytes | None:
    try:
        folder = private_dir(root)
        path = folder / KEY_FILE
        if not os.path.lexists(path):
            _create_key(folder, path)
        return _read_key(path)
    except (OSError, TrustError):
        return None


def _create_key(folder: Path, path: Path) -> None:
    """A new random key, made visible under its name only when complete (the first one wins)."""
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".key.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        os.unlink(temp)


def _read_key(path: Path) -> bytes | None:
    """The key, if ``path`` is a plain file of this user's that nobody else can read or write."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None
