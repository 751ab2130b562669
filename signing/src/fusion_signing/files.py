"""Reading files with a size cap (keys, wheels and metadata are never read unbounded)."""

from __future__ import annotations

from pathlib import Path

from fusion_signing.errors import RepoError


def read_capped(path: str | Path, limit: int, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise RepoError(f"{what} {path} does not exist") from exc
    except OSError as exc:
        raise RepoError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise RepoError(f"{what} {path} is larger than the {limit} bytes allowed")
    return data
