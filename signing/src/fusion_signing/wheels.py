"""Wheels as driver carriers: download with the user's pip, read the library member in memory.

The wheel is read into memory once; its hash and the member's hash are computed from those same
bytes (nothing is extracted to disk), and the member's hash is cross-checked against the wheel's
own ``*.dist-info/RECORD``.
"""

from __future__ import annotations

import base64
import binascii
import csv
import fnmatch
import hashlib
import io
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from fusion_signing.errors import RepoError
from fusion_signing.files import read_capped

#: the requirement form the index accepts (fusion.trust.metadata checks the same shape); it must
#: start with a letter or digit, so it can never be taken by pip as an option
_REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!-]*")
MAX_WHEEL_BYTES = 2 * 1024 ** 3
MAX_MEMBER_BYTES = 1024 ** 3
_RECORD_HASHES = ("sha256", "sha384", "sha512", "blake2b", "sha3_256", "sha3_384", "sha3_512")

_OS_TAGS = {"linux": ("manylinux", "musllinux", "linux"), "macos": ("macosx",), "windows": ("win",)}
_ARCH_TAGS = {"amd64": ("x86_64", "amd64"), "arm64": ("aarch64", "arm64", "universal2"),
              "x86": ("i686", "win32"), "ppc64le": ("ppc64le",), "s390x": ("s390x",)}


@dataclass(frozen=True)
class WheelLibrary:
    """What the index records for a pypi artifact."""

    filename: str
    length: int
    sha256: str
    requirement: str  # name==version
    member: str
    lib_name: str
    lib_length: int
    lib_sha256: str
    platform_tags: tuple[str, ...]
    python_tags: tuple[str, ...]


def split_requirement(requirement: str) -> tuple[str, str]:
    if not _REQUIREMENT.fullmatch(requirement):
        raise RepoError(f"--wheel {requirement!r} must be an exact pin `name==version` (e.g. "
                        "adbc-driver-sqlite==1.13.0)")
    name, version = requirement.split("==", 1)
    return name, version


def pip_download(requirement: str, dest: Path, pip_platforms: tuple[str, ...] = (),
                 pip_python_version: str | None = None) -> Path:
    """``python -m pip download --no-deps --only-binary=:all:`` with the user's own pip configuration."""
    split_requirement(requirement)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-d", str(dest)]
    for platform in pip_platforms:
        command += ["--platform", platform]
    if pip_python_version:
        command += ["--python-version", pip_python_version]
    command.append(requirement)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RepoError(f"could not run pip to download {requirement}: {exc}") from exc
    if proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("ERROR:")] or lines[-2:]
        tail = " ".join(re.sub(r"\(from versions: [^)]{120,}\)", "(from versions: …)", line) for line in errors)
        raise RepoError(f"pip could not download a wheel for {requirement}: {tail or 'no message'}",
                        hint="check the name, version and --pip-platform/--pip-python-version, and your "
                             "pip configuration (index-url, proxy)")
    wheels = sorted(p for p in dest.iterdir() if p.name.endswith(".whl"))
    if len(wheels) != 1:
        raise RepoError(f"pip download of {requirement} produced {len(wheels)} wheels, expected exactly one")
    return wheels[0]


def download_and_inspect(requirement: str, member: str, pip_platforms: tuple[str, ...] = (),
                         pip_python_version: str | None = None, keep_in: Path | None = None) -> WheelLibrary:
    """Download into a fresh temp folder (so exactly one wheel is there); optionally keep a copy."""
    with tempfile.TemporaryDirectory(prefix="fusion-repo-") as tmp:
        path = pip_download(requirement, Path(tmp), pip_platforms, pip_python_version)
        lib = inspect_wheel(path, member, requirement)
        if keep_in is not None:
            try:
                keep_in.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, keep_in / path.name)
            except OSError as exc:
                raise RepoError(f"cannot keep {path.name} in {keep_in}: {exc.strerror or exc}") from exc
        return lib


def _find_member(names: list[str], pattern: str, wheel: str) -> str:
    if pattern in names:
        return pattern
    matches = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
    if len(matches) == 1:
        return matches[0]
    libraries = [n for n in names if re.search(r"\.(so|dylib|dll)(\.|$)", n)][:10]
    if not matches:
        raise RepoError(f"no file in {wheel} matches --member {pattern!r}; libraries in the wheel: "
                        f"{', '.join(libraries) or 'none'}")
    raise RepoError(f"--member {pattern!r} matches {len(matches)} files in {wheel} "
                    f"({', '.join(matches[:10])}); give a pattern that matches exactly one")


def _record_entry(archive: zipfile.ZipFile, names: list[str], dist: str, member: str, wheel: str):
    records = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/RECORD", n)
               and canonicalize_name(n.split("/")[0][: -len(".dist-info")].rsplit("-", 1)[0]) == dist]
    if len(records) != 1:
        raise RepoError(f"{wheel} has {len(records)} *.dist-info/RECORD files for {dist}; expected exactly one")
    try:
        text = archive.read(records[0]).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, ValueError) as exc:
        raise RepoError(f"{wheel}: {records[0]} is unreadable: {exc}") from exc
    entries = [row for row in rows if row and row[0] == member]
    if len(entries) != 1:
        raise RepoError(f"{wheel}: {records[0]} lists {member} {len(entries)} times; expected exactly once",
                        hint="a wheel whose RECORD does not vouch for the library cannot be published")
    return records[0], entries[0]


def _check_record(row: list[str], data: bytes, record: str, wheel: str) -> None:
    member = row[0]
    if len(row) < 2 or "=" not in row[1]:
        raise RepoError(f"{wheel}: {record} has no hash for {member}")
    algorithm, _, encoded = row[1].partition("=")
    if algorithm not in _RECORD_HASHES:
        raise RepoError(f"{wheel}: {record} hashes {member} with {algorithm!r}, which is not accepted")
    try:
        expected = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise RepoError(f"{wheel}: {record} has a malformed hash for {member}") from exc
    actual = hashlib.new(algorithm, data).digest()
    if actual != expected:
        raise RepoError(f"{wheel}: the {algorithm} of {member} ({actual.hex()}) differs from the one in "
                        f"{record} ({expected.hex()}); refusing to publish it",
                        hint="the wheel has been altered after it was built; fetch it again from its source")
    if len(row) > 2 and row[2] and row[2] != str(len(data)):
        raise RepoError(f"{wheel}: {member} is {len(data)} bytes but {record} says {row[2]}; refusing to publish it")


def inspect_wheel(path: Path, member_pattern: str, requirement: str | None = None) -> WheelLibrary:
    """Hash the wheel, find the library member, hash it and check it against RECORD."""
    filename = path.name
    try:
        dist_name, version, _build, tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        raise RepoError(f"{filename} is not a valid wheel file name: {exc}") from exc
    if requirement is not None:
        want_name, want_version = split_requirement(requirement)
        try:
            same_version = Version(want_version) == version
        except InvalidVersion:
            same_version = False
        if canonicalize_name(want_name) != dist_name or not same_version:
            raise RepoError(f"{filename} is {dist_name} {version}, not {requirement}")
    else:
        requirement = f"{dist_name}=={version}"
    data = read_capped(path, MAX_WHEEL_BYTES, "wheel")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise RepoError(f"{filename} is not a valid wheel (zip) file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos if not i.is_dir()]
        if len(set(names)) != len(names):
            raise RepoError(f"{filename} contains duplicate entries; refusing an ambiguous wheel")
        member = _find_member(names, member_pattern, filename)
        info = archive.getinfo(member)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise RepoError(f"{filename}: {member} is a symbolic link, not a library")
        if info.file_size <= 0 or info.file_size > MAX_MEMBER_BYTES:
            raise RepoError(f"{filename}: {member} has an unacceptable size ({info.file_size} bytes)")
        try:
            lib = archive.read(info)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise RepoError(f"{filename}: cannot read {member}: {exc}") from exc
        if len(lib) != info.file_size:
            raise RepoError(f"{filename}: {member} is not the size its zip entry states")
        record, row = _record_entry(archive, names, dist_name, member, filename)
        _check_record(row, lib, record, filename)
    platform_tags = tuple(sorted({t.platform for t in tags}))
    python_tags = tuple(sorted({t.interpreter for t in tags}))
    return WheelLibrary(filename, len(data), hashlib.sha256(data).hexdigest(), requirement, member,
                        member.rsplit("/", 1)[-1], len(lib), hashlib.sha256(lib).hexdigest(),
                        platform_tags, python_tags)


def platform_mismatch(platform: str, wheel: WheelLibrary) -> str | None:
    """Why a wheel cannot serve an ADBC platform tuple (``linux_amd64``, ``linux_amd64_cp311``), or None."""
    parts = platform.split("_")
    os_name, arch = parts[0], parts[1] if len(parts) > 1 else ""
    if os_name not in _OS_TAGS or arch not in _ARCH_TAGS:
        return None  # a platform this check does not know: leave it to the publisher
    if wheel.platform_tags != ("any",):
        fits = [t for t in wheel.platform_tags
                if t.startswith(_OS_TAGS[os_name]) and t.endswith(_ARCH_TAGS[arch])]
        if not fits:
            return (f"wheel platform tag(s) {', '.join(wheel.platform_tags)} do not match "
                    f"platform {platform!r}")
    if len(parts) > 2 and parts[2].startswith("cp") and parts[2] not in wheel.python_tags:
        return f"wheel python tag(s) {', '.join(wheel.python_tags)} do not include {parts[2]} (platform {platform!r})"
    return None
