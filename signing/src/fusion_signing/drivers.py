"""Editing the unsigned index: drivers, versions, platform artifacts, yanking."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

from fusion.trust.errors import TrustError
from fusion.trust.metadata import check_lib_name
from packaging.version import InvalidVersion, Version

from fusion_signing.errors import RepoError
from fusion_signing.repository import BLOBS, Repository, write_atomic
from fusion_signing.signing import check_index_payload
from fusion_signing.wheels import WheelLibrary

MAX_LIBRARY_BYTES = 1024 ** 3
DEFAULT_ADBC_API = "1.1.0"
DEFAULT_LICENSE = "unspecified"
# stricter than the client's patterns on purpose: whole-string matches only
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_PLATFORM = re.compile(r"[a-z0-9]+_[a-z0-9]+(?:_[a-z0-9]+)?")
_ENTRYPOINT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_TEXT = re.compile(r"[ -~]{1,200}")  # printable ASCII, one line


def _check(pattern: re.Pattern, value: str, what: str, example: str) -> str:
    if not pattern.fullmatch(value):
        raise RepoError(f"{what} {value!r} is not valid (expected something like {example})")
    return value


def _check_version(value: str, what: str) -> str:
    try:
        Version(value)
    except InvalidVersion as exc:
        raise RepoError(f"{what} {value!r} is not a PEP 440 version (e.g. 1.13.0)") from exc
    if not re.fullmatch(r"[A-Za-z0-9.+!-]{1,64}", value):
        raise RepoError(f"{what} {value!r} must be written without spaces or other symbols")
    return value


def artifact_from_file(path: str, lib_name: str | None = None) -> tuple[dict[str, Any], bytes]:
    """An ``https`` artifact: the library itself, stored at blobs/<sha256>/<lib_name>."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LIBRARY_BYTES + 1)
    except OSError as exc:
        raise RepoError(f"cannot read --file {path}: {exc.strerror or exc}") from exc
    if not data or len(data) > MAX_LIBRARY_BYTES:
        raise RepoError(f"--file {path} is empty or larger than {MAX_LIBRARY_BYTES} bytes")
    name = lib_name or Path(path).name
    try:
        check_lib_name(name)
    except TrustError as exc:
        raise RepoError(f"{exc.message}; pass --lib-name with a plain file name") from exc
    digest = hashlib.sha256(data).hexdigest()
    artifact = {"source": "https", "url": f"{BLOBS}/{digest}/{name}", "length": len(data), "sha256": digest,
                "lib_name": name, "lib_length": len(data), "lib_sha256": digest}
    return artifact, data


def artifact_from_wheel(lib: WheelLibrary) -> dict[str, Any]:
    """A ``pypi`` artifact: the wheel (file name, length, sha256) and the library member inside it."""
    return {"source": "pypi", "url": lib.filename, "length": lib.length, "sha256": lib.sha256,
            "wheel": lib.requirement, "member": lib.member, "lib_name": lib.lib_name,
            "lib_length": lib.lib_length, "lib_sha256": lib.lib_sha256}


def add_driver(repo: Repository, name: str, version: str, platform: str, entrypoint: str,
               artifact: dict[str, Any], *, license_name: str | None = None, minimum_version: str | None = None,
               adbc_api: str | None = None, replace: bool = False, blob: bytes | None = None) -> dict[str, Any]:
    _check(_NAME, name, "driver name", "postgresql")
    _check_version(version, "driver version")
    _check(_PLATFORM, platform, "--platform", "linux_amd64 or linux_amd64_cp311")
    _check(_ENTRYPOINT, entrypoint, "--entrypoint", "AdbcDriverPostgresqlInit")
    for value, what in ((license_name, "--license"), (adbc_api, "--adbc-api")):
        if value is not None:
            _check(_TEXT, value, what, "Apache-2.0")
    if minimum_version is not None:
        _check_version(minimum_version, "--minimum-version")
    payload = repo.read_unsigned()
    updated = copy.deepcopy(payload)
    driver = updated["drivers"].setdefault(name, {"minimum_version": "0", "versions": {}})
    if minimum_version is not None:
        driver["minimum_version"] = minimum_version
    entry = driver.setdefault("versions", {}).get(version)
    if entry is None:
        entry = {"entrypoint": entrypoint, "adbc_api": adbc_api or DEFAULT_ADBC_API,
                 "license": license_name or DEFAULT_LICENSE, "yanked": False, "artifacts": {}}
        driver["versions"][version] = entry
    else:
        if entry.get("entrypoint") != entrypoint:
            raise RepoError(f"{name} {version} already has entrypoint {entry.get('entrypoint')!r}, not {entrypoint!r}",
                            hint="one version has one entrypoint on every platform")
        if license_name is not None:
            entry["license"] = license_name
        if adbc_api is not None:
            entry["adbc_api"] = adbc_api
    artifacts = entry.setdefault("artifacts", {})
    if platform in artifacts and not replace:
        raise RepoError(f"{name} {version} already has an artifact for {platform}",
                        hint="pass --replace to overwrite it")
    artifacts[platform] = artifact
    check_index_payload(updated)
    if blob is not None:
        path = repo.path / artifact["url"]
        if not (path.is_file() and not path.is_symlink() and hashlib.sha256(path.read_bytes()).hexdigest()
                == artifact["sha256"]):
            write_atomic(path, blob)
    repo.write_unsigned(updated)
    return entry


def set_yanked(repo: Repository, name: str, version: str, yanked: bool) -> None:
    payload = repo.read_unsigned()
    entry = payload["drivers"].get(name, {}).get("versions", {}).get(version)
    if entry is None:
        known = ", ".join(sorted(payload["drivers"].get(name, {}).get("versions", {}))) or "none"
        raise RepoError(f"{repo.unsigned_path} has no driver {name!r} version {version!r} (versions: {known})")
    entry["yanked"] = yanked
    check_index_payload(payload)
    repo.write_unsigned(payload)
