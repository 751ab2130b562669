"""Finding project files and reading them once."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from fusion.fileio import read_text

#: dbt hashes a seed up to this size; a larger one is identified by its path and not read at parse
MAX_HASHED_SEED_BYTES = 1024 * 1024


def text_checksum(text: str) -> str:
    """dbt's checksum of a parsed file: its text with every run of whitespace made one space."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceFile:
    package: str
    root: Path  # the package folder
    resource_path: str  # the configured folder it was found under, e.g. "models"
    relative: str  # path below resource_path, e.g. "staging/stg_orders.sql"
    text: str
    unread: bool = False  # too large to read at parse time (a big seed): ``text`` is empty

    @property
    def original_file_path(self) -> str:
        return f"{self.resource_path}/{self.relative}"

    @functools.cached_property
    def checksum(self) -> str:
        return text_checksum(self.text)

    @functools.cached_property
    def seed_checksum(self) -> tuple[str, str]:
        """dbt's checksum of a seed as (name, value): the sha256 of the text without surrounding
        whitespace, or, for a seed over dbt's 1 MiB limit, its path (so dbt's state comparison
        calls it unchanged while it stays where it is)."""
        if self.unread:
            return "path", self.original_file_path
        return "sha256", hashlib.sha256(self.text.strip().encode("utf-8")).hexdigest()

    @functools.cached_property
    def stem(self) -> str:
        return Path(self.relative).stem

    @property
    def folders(self) -> list[str]:
        return list(self._folders)

    @functools.cached_property
    def _folders(self) -> tuple[str, ...]:
        return Path(self.relative).parent.parts


def find_files(package: str, root: Path, resource_paths: list[str], suffixes: tuple[str, ...],
               exclude: tuple[str, ...] = (), read_up_to: int | None = None) -> list[SourceFile]:
    """Every file with one of ``suffixes`` under the resource paths, sorted, read as UTF-8 (a file
    over ``read_up_to`` bytes is listed ``unread``)."""
    found = []
    for resource_path in resource_paths:
        base = root / resource_path
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, base)
            parts = [] if rel_dir == "." else rel_dir.split(os.sep)
            if parts and parts[0] in exclude:
                continue
            prefix = "/".join(parts) + "/" if parts else ""
            for filename in sorted(filenames):
                if filename.endswith(suffixes) and not filename.startswith("."):
                    folder = resource_path.rstrip("/")
                    path = os.path.join(dirpath, filename)
                    if read_up_to is not None and os.path.getsize(path) > read_up_to:
                        found.append(SourceFile(package, root, folder, prefix + filename, "", unread=True))
                        continue
                    text = read_text(path, f"{folder}/{prefix}{filename}")
                    found.append(SourceFile(package, root, folder, prefix + filename, text))
    return found
