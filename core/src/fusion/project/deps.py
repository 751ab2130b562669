"""``fusion deps``: install packages from local folders, git, tarballs and a package hub.

Everything is installed into a temporary folder first and moved into
``packages-install-path`` only when all packages resolved, so a failed ``deps`` leaves the
previous installation in place. ``package-lock.yml`` records what was installed: the git
commit, the tarball's sha256, the hub version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from fusion.drivers.fetch import http_get
from fusion.errors import FusionError, ProjectError
from fusion.fileio import write_atomic
from fusion.project.packages import declared_packages, install_dir
from fusion.project.project import PROJECT_FILE, Project
from fusion.yamlio import load_yaml_file

DEFAULT_HUB = "https://hub.getdbt.com"
MAX_TARBALL_BYTES = 200 * 1024 * 1024
LOCK_FILE = "package-lock.yml"


def hub_url() -> str:
    return os.environ.get("FUSION_HUB_URL", DEFAULT_HUB).rstrip("/")


SCRATCH_PREFIX = ".fusion-deps-"


def _package_name(folder: Path, where: str) -> str:
    if not (folder / PROJECT_FILE).is_file():
        raise ProjectError(f"{folder} is not a dbt package: it has no {PROJECT_FILE}", path=where)
    doc = load_yaml_file(folder / PROJECT_FILE) or {}
    name = doc.get("name") if isinstance(doc, dict) else None
    if not isinstance(name, str) or not name.isidentifier():
        raise ProjectError(f"the package at {folder} has no valid `name` in its {PROJECT_FILE}", path=where)
    return name


def _copy_package(source: Path, staging: Path, where: str) -> str:
    name = _package_name(source, where)
    target = staging / name
    if target.exists():
        raise ProjectError(f"two packages are named {name!r}", path=where)
    # a package holding the project (`local: ../`) holds the scratch folder too: never copy that
    shutil.copytree(source, target, symlinks=False,
                    ignore=shutil.ignore_patterns(".git", "target", "dbt_packages", f"{SCRATCH_PREFIX}*"))
    return name


def _install_local(entry: dict, project: Project, staging: Path, where: str) -> dict:
    source = (project.root / str(entry["local"])).resolve()
    if not source.is_dir():
        raise ProjectError(f"local package {entry['local']!r} does not exist ({source})", path=where)
    name = _copy_package(source, staging, where)
    return {"local": entry["local"], "name": name}


def _git(args: list[str], cwd: Path | None, where: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if proc.returncode != 0:
        raise ProjectError(f"git {args[0]} failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}",
                           path=where)
    return proc.stdout.strip()


def _install_git(entry: dict, staging: Path, scratch: Path, where: str) -> dict:
    url, revision = str(entry["git"]), entry.get("revision")
    checkout = scratch / f"git-{hashlib.sha256(url.encode()).hexdigest()[:12]}"
    _git(["clone", "--quiet", url, str(checkout)], None, where)
    if revision is not None:
        _git(["checkout", "--quiet", str(revision)], checkout, where)
    commit = _git(["rev-parse", "HEAD"], checkout, where)
    source = checkout / str(entry.get("subdirectory") or "")
    if entry.get("subdirectory") and not source.resolve().is_relative_to(checkout.resolve()):
        raise ProjectError("`subdirectory` must stay inside the repository", path=where)
    name = _copy_package(source, staging, where)
    locked = {"git": url, "revision": commit, "name": name}
    if entry.get("subdirectory"):
        locked["subdirectory"] = entry["subdirectory"]
    return locked


@dataclass(frozen=True)
class ExtractLimits:
    """What one package tarball may unpack to (a real dbt package is far below each)."""

    total_bytes: int = 100 * 1024 * 1024
    member_bytes: int = 50 * 1024 * 1024
    members: int = 10_000


LIMITS = ExtractLimits()


def _check_members(data: bytes, where: str) -> None:
    """Read the headers as a stream, writing nothing, and stop at the first limit passed."""
    total = count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as archive:
        for member in archive:
            count += 1
            total += member.size
            too_big = None
            if count > LIMITS.members:
                too_big = f"more than {LIMITS.members} members"
            elif member.size > LIMITS.member_bytes:
                too_big = f"a member of {member.size} bytes ({member.name})"
            elif total > LIMITS.total_bytes:
                too_big = f"more than {LIMITS.total_bytes} bytes"
            if too_big:
                raise ProjectError(f"the package tarball unpacks to {too_big}; nothing was installed", path=where,
                                   hint="a dbt package is far smaller; the tarball is broken or hostile")


def _extract_tarball(data: bytes, scratch: Path, where: str) -> Path:
    folder = Path(tempfile.mkdtemp(dir=scratch, prefix="tarball-"))
    try:
        _check_members(data, where)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            archive.extractall(folder, filter="data")  # refuses links out, absolute paths, devices
    except (tarfile.TarError, OSError) as exc:
        raise ProjectError(f"could not unpack the package tarball: {exc}", path=where) from exc
    if (folder / PROJECT_FILE).is_file():
        return folder
    children = [c for c in folder.iterdir() if c.is_dir()]
    if len(children) == 1 and (children[0] / PROJECT_FILE).is_file():
        return children[0]
    raise ProjectError(f"the tarball holds no {PROJECT_FILE} at its top level", path=where)


def _install_tarball(entry: dict, staging: Path, scratch: Path, where: str) -> dict:
    url = str(entry["tarball"])
    data = _download(url, where)
    name = _copy_package(_extract_tarball(data, scratch, where), staging, where)
    return {"tarball": url, "name": name, "sha256": hashlib.sha256(data).hexdigest()}


def _download(url: str, where: str) -> bytes:
    try:
        return http_get(url, MAX_TARBALL_BYTES, cross_host_redirects=True)
    except FusionError as exc:
        raise ProjectError(exc.message, path=where, hint=exc.hint) from exc


def _versions_wanted(entry: dict) -> SpecifierSet:
    raw = entry.get("version")
    parts = raw if isinstance(raw, list) else [raw] if raw is not None else []
    specs = []
    for part in parts:
        text = str(part).strip()
        specs.append(text if text[:1] in "<>=!~" else f"=={text}")
    return SpecifierSet(",".join(specs))


def _hub_index(package: str, where: str) -> dict:
    url = f"{hub_url()}/api/v1/{package}.json"
    try:
        index = json.loads(_download(url, where))
    except (ValueError, RecursionError) as exc:
        raise ProjectError(f"the package hub answered {url} with something that is not JSON ({exc})",
                           path=where, hint="check FUSION_HUB_URL; it must point at a dbt package hub") from exc
    if not isinstance(index, dict) or not isinstance(index.get("versions", {}), dict):
        raise ProjectError(f"the package hub's {url} is not a package index (no `versions` mapping)",
                           path=where, hint="check FUSION_HUB_URL; it must point at a dbt package hub")
    return index


def _install_hub(entry: dict, staging: Path, scratch: Path, where: str) -> dict:
    package = str(entry["package"])
    if package.count("/") != 1:
        raise ProjectError(f"hub package {package!r} must be written as org/name", path=where)
    index = _hub_index(package, where)
    wanted = _versions_wanted(entry)
    candidates = []
    for text, info in (index.get("versions") or {}).items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        prerelease_ok = not version.is_prerelease or entry.get("install-prerelease")
        if isinstance(info, dict) and version in wanted and prerelease_ok:
            candidates.append((version, text, info))
    if not candidates:
        raise ProjectError(f"no version of {package} matches {entry.get('version')!r} on {hub_url()}",
                           path=where, hint="check the version range in packages.yml")
    _, text, info = max(candidates)
    url = (info.get("downloads") or {}).get("tarball")
    if not url:
        raise ProjectError(f"the hub lists no tarball for {package} {text}", path=where)
    data = _download(url, where)
    name = _copy_package(_extract_tarball(data, scratch, where), staging, where)
    return {"package": package, "version": text, "name": name, "sha256": hashlib.sha256(data).hexdigest()}


def install(project: Project) -> list[dict[str, Any]]:
    """Install every declared package; on success replace the installed set and write the lock."""
    entries, where = declared_packages(project)
    target = install_dir(project)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=SCRATCH_PREFIX) as scratch_dir:
        scratch = Path(scratch_dir)
        staging = scratch / "packages"
        staging.mkdir()
        locked = []
        for entry in entries:
            if "local" in entry:
                locked.append(_install_local(entry, project, staging, where))
            elif "git" in entry:
                locked.append(_install_git(entry, staging, scratch, where))
            elif "tarball" in entry:
                locked.append(_install_tarball(entry, staging, scratch, where))
            elif "package" in entry:
                locked.append(_install_hub(entry, staging, scratch, where))
            else:
                raise ProjectError(f"package entry {entry!r} names no source (local, git, tarball or package)",
                                   path=where)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    lock = {"packages": locked, "sha1_hash": hashlib.sha1(  # noqa: S324 - dbt's lock field, not security
        json.dumps(entries, sort_keys=True).encode()).hexdigest()}
    write_atomic(project.root / LOCK_FILE, yaml.safe_dump(lock, sort_keys=False).encode("utf-8"))
    return locked
