"""The user's private cache folder: ``$FUSION_CACHE_DIR``, else ``$XDG_CACHE_HOME/fusion``, else
``~/.cache/fusion``; created 0700, and used only when it is a plain folder this user owns that
nobody else can write to."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fusion.trust.errors import TrustError


def cache_root() -> Path:
    if os.environ.get("FUSION_CACHE_DIR"):
        return Path(os.environ["FUSION_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fusion"


def check_private_dir(path: Path) -> None:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise TrustError(f"cache folder {path} is not a plain folder",
                         hint="remove it; Fusion will recreate it")
    if info.st_uid != os.getuid():
        raise TrustError(f"cache folder {path} belongs to another user",
                         hint="set FUSION_CACHE_DIR to a folder you own")
    if info.st_mode & 0o022:
        raise TrustError(f"cache folder {path} is writable by group or others (mode "
                         f"{oct(info.st_mode & 0o777)})", hint=f"chmod 700 {path}")


def private_dir(root: Path, *parts: str) -> Path:
    """``root/parts...``, each level created (0700) if missing and checked."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private_dir(root)
    path = root
    for part in parts:
        path = path / part
        path.mkdir(mode=0o700, exist_ok=True)
        check_private_dir(path)
    return path
