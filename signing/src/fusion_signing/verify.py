"""Verify a repository exactly as a client would, plus the artifacts that can be checked locally."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

from fusion.trust.metadata import Artifact, Index

from fusion_signing.errors import RepoError
from fusion_signing.repository import Repository, utc_now
from fusion_signing.wheels import inspect_wheel

_CHUNK = 1024 * 1024


def _open_plain_file(base: Path, relative: str) -> int:
    """Open base/relative refusing symlinks at every step (the url was already checked to be plain)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        parts = relative.split("/")
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        file_fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(file_fd).st_mode):
        os.close(file_fd)
        raise OSError(f"{relative} is not a regular file")
    return file_fd


def _hash_limited(fd: int, limit: int) -> tuple[int, str | None]:
    """(size, sha256) of at most ``limit`` bytes; (more than limit, None) for a longer file."""
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                return size, None  # endless data: stop reading
            digest.update(chunk)
    return size, digest.hexdigest()


def _check_blob(repo: Repository, label: str, artifact: Artifact) -> str:
    try:
        fd = _open_plain_file(repo.path, artifact.url)
    except OSError as exc:
        raise RepoError(f"{label}: blob {artifact.url} cannot be opened as a plain file in {repo.path}: "
                        f"{exc.strerror or exc}") from exc
    size, digest = _hash_limited(fd, artifact.length)
    if digest is None:
        found = f"more than {artifact.length} bytes"
    else:
        found = f"{size} bytes, sha256 {digest}"
    if size != artifact.length or digest != artifact.sha256:
        raise RepoError(f"{label}: blob {artifact.url} does not match the index "
                        f"({found}; the index says {artifact.length} bytes, sha256 {artifact.sha256})",
                        hint="the blob was altered or replaced; add the driver again and re-sign")
    if artifact.member is None and (artifact.lib_length, artifact.lib_sha256) != (artifact.length, artifact.sha256):
        raise RepoError(f"{label}: the blob is the library itself, but lib_length/lib_sha256 differ from "
                        "length/sha256")
    return "blob ok"


def _check_wheel(wheel_dir: Path, label: str, artifact: Artifact) -> str:
    path = wheel_dir / artifact.url
    if not path.is_file():
        raise RepoError(f"{label}: {artifact.url} is not in --wheel-dir {wheel_dir}")
    lib = inspect_wheel(path, artifact.member or "", artifact.wheel)
    got = (lib.length, lib.sha256, lib.member, lib.lib_name, lib.lib_length, lib.lib_sha256)
    want = (artifact.length, artifact.sha256, artifact.member, artifact.lib_name, artifact.lib_length,
            artifact.lib_sha256)
    if got != want:
        raise RepoError(f"{label}: {artifact.url} does not match the index (wheel: {got}; index: {want})")
    return "wheel ok"


def check_artifacts(repo: Repository, index: Index, wheel_dir: Path | None = None) -> list[tuple[str, ...]]:
    """One row per artifact; https blobs are always checked, pypi wheels when a folder of wheels is given."""
    rows = []
    for name, driver in sorted(index.drivers.items()):
        for version, entry in sorted(driver["versions"].items()):
            for platform, artifact in sorted(entry.artifacts.items()):
                label = f"{name} {version} {platform}"
                if artifact.source == "https":
                    status = _check_blob(repo, label, artifact)
                elif artifact.source == "pypi" and wheel_dir is not None:
                    status = _check_wheel(wheel_dir, label, artifact)
                else:
                    status = f"{artifact.source}: not checked here"
                if entry.yanked:
                    status += ", yanked"
                rows.append((name, version, platform, artifact.source, artifact.wheel or artifact.url,
                             artifact.member or artifact.lib_name, str(artifact.lib_length), entry.entrypoint,
                             status))
    return rows


def _days_left(expires: dt.datetime, now: dt.datetime) -> str:
    return f"{(expires - now).days} days left"


def verify_repository(repo: Repository, root_sha256: str | None = None, wheel_dir: Path | None = None,
                      now: dt.datetime | None = None) -> list[str]:
    now = now or utc_now()
    chain = repo.load_chain(root_sha256)
    root = chain[-1]
    if root.is_expired(now):
        raise RepoError(f"root v{root.version} of {root.repository!r} expired at {root.expires:%Y-%m-%d %H:%M} UTC",
                        hint="rotate to a new root with `fusion-repo rotate-root`")
    index = repo.load_signed_index(chain, current_only=True)
    if index is None:
        raise RepoError(f"{repo.index_path} does not exist", hint="sign the index with `fusion-repo sign`")
    if index.is_expired(now):
        raise RepoError(f"the index (v{index.version}) expired at {index.expires:%Y-%m-%d %H:%M} UTC",
                        hint="re-sign it with `fusion-repo sign`")
    rows = check_artifacts(repo, index, wheel_dir)
    roles = root.roles
    lines = [
        f"repository {root.repository!r}: roots 1..{root.version} verified"
        + (f" (root 1 sha256 {chain[0].sha256} matches the pin)" if root_sha256 else
           f" (root 1 sha256 {chain[0].sha256})"),
        f"root v{root.version}: root keys {roles['root'].threshold}-of-{len(roles['root'].keyids)}, index keys "
        f"{roles['index'].threshold}-of-{len(roles['index'].keyids)}, expires {root.expires:%Y-%m-%d} "
        f"({_days_left(root.expires, now)})",
        f"index v{index.version} for root v{index.root_version}: sha256 {index.sha256}, expires "
        f"{index.expires:%Y-%m-%d} ({_days_left(index.expires, now)}), {len(rows)} artifact(s)",
    ]
    headers = ("driver", "version", "platform", "source", "wheel/url", "member/lib", "lib bytes", "entrypoint",
               "check")
    table = [headers, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.append("OK")
    return lines
