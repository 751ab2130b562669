"""Root and index documents: parsing, validation and verification against trusted keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from fusion.trust.envelope import INDEX_TYPE, ROOT_TYPE, parse_envelope, verify_threshold
from fusion.trust.errors import TrustError
from fusion.trust.strict_json import loads_strict

SPEC_VERSION = "1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_REPOSITORY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")
_ENTRYPOINT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_PLATFORM = re.compile(r"^[a-z0-9]+_[a-z0-9]+(?:_[a-z0-9]+)?$")
#: a relative path of plain segments: no scheme, host, "..", absolute path, backslash or NUL
_URL = re.compile(r"^(?!.*//)[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.+-]*)*$")
_LIB_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$")
_WHEEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!-]*$")
#: a driver source's name: a built-in one (https, pypi, bundle) or one a plugin registers
_SOURCE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def check_relative_url(value: Any, what: str) -> str:
    """Accept only ``a/b/c.ext`` style paths inside a repository."""
    if not isinstance(value, str) or not _URL.fullmatch(value) or ".." in value.split("/"):
        raise TrustError(f"{what} {value!r} is not a safe relative path")
    return value


def check_repository_name(value: Any, what: str = "repository name") -> str:
    """A repository name is also a folder name in the cache and in bundles: a strict pattern."""
    if not isinstance(value, str) or not _REPOSITORY.fullmatch(value):
        raise TrustError(f"{what} {value!r} is not valid: use lowercase letters, digits, '.', '_' and '-' "
                         "(like community.acme), starting with a letter or digit")
    return value


def check_driver_name(value: Any, what: str = "driver name") -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise TrustError(f"{what} {value!r} is not valid: use lowercase letters, digits, '.', '_' and '-'")
    return value


def check_lib_name(value: Any, what: str = "lib_name") -> str:
    if not isinstance(value, str) or not _LIB_NAME.fullmatch(value) or value in (".", ".."):
        raise TrustError(f"{what} {value!r} is not a plain file name")
    return value


def parse_time(value: Any, what: str) -> dt.datetime:
    if not isinstance(value, str):
        raise TrustError(f"{what} must be a UTC time like 2030-01-31T00:00:00Z")
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise TrustError(f"{what} {value!r} is not a UTC time like 2030-01-31T00:00:00Z") from exc


def format_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require(doc: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str):
    value = doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise TrustError(f"{what}: `{key}` is missing or has the wrong type")
    return value


@dataclass(frozen=True)
class Role:
    keyids: tuple[str, ...]
    threshold: int


class _SignedDocument:
    """What roots and indexes share: their exact signed bytes and an expiry."""

    raw: bytes
    expires: dt.datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.expires


@dataclass(frozen=True)
class Root(_SignedDocument):
    repository: str
    version: int
    expires: dt.datetime
    keys: dict[str, bytes]
    roles: dict[str, Role]
    raw: bytes = field(repr=False, default=b"")


def _document(payload: bytes, what: str, kind: str) -> dict[str, Any]:
    """A verified payload as a mapping of the expected ``_type`` and spec version."""
    doc = loads_strict(payload, what)
    if not isinstance(doc, dict) or doc.get("_type") != kind:
        raise TrustError(f"{what}: `_type` must be \"{kind}\" (is this the right kind of file?)")
    if doc.get("spec_version") != SPEC_VERSION:
        raise TrustError(f"{what}: unsupported spec_version {doc.get('spec_version')!r}")
    return doc


def _parse_root_payload(payload: bytes, raw: bytes) -> Root:
    what = "root metadata"
    doc = _document(payload, what, "root")
    repository = check_repository_name(_require(doc, "repository", str, what), f"{what}: repository name")
    version = _require(doc, "version", int, what)
    if version < 1:
        raise TrustError(f"{what}: version must be >= 1")
    keys: dict[str, bytes] = {}
    for keyid, key in _require(doc, "keys", dict, what).items():
        if not isinstance(key, dict) or key.get("keytype") != "ed25519" or not isinstance(key.get("public"), str):
            raise TrustError(f"{what}: key {keyid} must be {{keytype: ed25519, public: hex}}")
        try:
            public = bytes.fromhex(key["public"])
        except ValueError as exc:
            raise TrustError(f"{what}: key {keyid} is not hex") from exc
        if len(public) != 32 or hashlib.sha256(public).hexdigest() != keyid:
            raise TrustError(f"{what}: key id {keyid} does not match its public key")
        keys[keyid] = public
    roles = {}
    raw_roles = _require(doc, "roles", dict, what)
    for name in ("root", "index"):
        role = raw_roles.get(name)
        if not isinstance(role, dict):
            raise TrustError(f"{what}: role {name!r} is missing")
        keyids = role.get("keyids")
        threshold = role.get("threshold")
        if not isinstance(keyids, list) or not all(isinstance(k, str) and k in keys for k in keyids) \
                or len(set(keyids)) != len(keyids):
            raise TrustError(f"{what}: role {name!r} lists unknown or repeated keys")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= len(keyids):
            raise TrustError(f"{what}: role {name!r} threshold must be between 1 and its number of keys")
        roles[name] = Role(tuple(keyids), threshold)
    return Root(repository, version, parse_time(doc.get("expires"), f"{what} expires"), keys, roles, raw)


def load_root_self_signed(raw: bytes) -> Root:
    """A root trusted by pinning (its bytes are shipped or pinned by hash): must sign itself."""
    envelope = parse_envelope(raw, "root metadata")
    root = _parse_root_payload(envelope.payload, raw)
    role = root.roles["root"]
    verify_threshold(envelope, ROOT_TYPE, list(role.keyids), root.keys, role.threshold,
                     f"root v{root.version} of {root.repository!r}")
    return root


def update_root(trusted: Root, raw_next: bytes) -> Root:
    """Accept root N+1 only if signed by a threshold of N's root keys AND of its own."""
    envelope = parse_envelope(raw_next, "root metadata")
    candidate = _parse_root_payload(envelope.payload, raw_next)
    what = f"root v{candidate.version} of {candidate.repository!r}"
    old = trusted.roles["root"]
    verify_threshold(envelope, ROOT_TYPE, list(old.keyids), trusted.keys, old.threshold,
                     f"{what} (checked against the keys of root v{trusted.version})")
    new = candidate.roles["root"]
    verify_threshold(envelope, ROOT_TYPE, list(new.keyids), candidate.keys, new.threshold,
                     f"{what} (checked against its own keys)")
    if candidate.repository != trusted.repository:
        raise TrustError(f"{what} belongs to another repository (expected {trusted.repository!r})")
    if candidate.version != trusted.version + 1:
        raise TrustError(f"{what} does not follow root v{trusted.version}: versions must go up by exactly one")
    return candidate


@dataclass(frozen=True)
class Artifact:
    platform: str
    source: str
    url: str
    length: int
    sha256: str
    lib_name: str
    lib_length: int
    lib_sha256: str
    member: str | None = None  # path of the library inside a wheel or bundle
    wheel: str | None = None  # "name==version" for the pypi source


@dataclass(frozen=True)
class DriverVersion:
    name: str
    version: str
    entrypoint: str
    adbc_api: str
    license: str
    yanked: bool
    artifacts: dict[str, Artifact]


@dataclass(frozen=True)
class Index(_SignedDocument):
    repository: str
    version: int
    expires: dt.datetime
    root_version: int
    drivers: dict[str, dict[str, Any]]  # name -> {"minimum_version": str, "versions": {v: DriverVersion}}
    raw: bytes = field(repr=False, default=b"")


def _parse_artifact(platform: str, doc: Any, what: str) -> Artifact:
    if not isinstance(doc, dict):
        raise TrustError(f"{what}: artifact for {platform} must be a mapping")
    if not _PLATFORM.fullmatch(platform):
        raise TrustError(f"{what}: invalid platform {platform!r}")
    source = doc.get("source")
    if not isinstance(source, str) or not _SOURCE.fullmatch(source):
        raise TrustError(f"{what}: invalid source {source!r}")
    for key in ("length", "lib_length"):
        value = doc.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise TrustError(f"{what}: `{key}` must be a positive integer")
    for key in ("sha256", "lib_sha256"):
        if not isinstance(doc.get(key), str) or not _HEX64.fullmatch(doc[key]):
            raise TrustError(f"{what}: `{key}` must be 64 lowercase hex characters")
    member = doc.get("member")
    if member is not None:
        check_relative_url(member, f"{what} member")
    wheel = doc.get("wheel")
    if source == "pypi" and (not isinstance(wheel, str) or not _WHEEL.fullmatch(wheel) or member is None):
        raise TrustError(f"{what}: a pypi artifact needs `wheel` (name==version) and `member`")
    return Artifact(platform, source, check_relative_url(doc.get("url"), f"{what} url"), doc["length"],
                    doc["sha256"], check_lib_name(doc.get("lib_name")), doc["lib_length"], doc["lib_sha256"],
                    member, wheel)


_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!-]{0,63}")


def _positive(doc: dict[str, Any], key: str, what: str) -> int:
    value = _require(doc, key, int, what)
    if value < 1:
        raise TrustError(f"{what}: `{key}` must be >= 1")
    return value


def _parse_version(name: str, version: Any, vdoc: Any, what: str) -> DriverVersion:
    label = f"{what} {name} {version}"
    if not isinstance(version, str) or not _VERSION.fullmatch(version) or not isinstance(vdoc, dict):
        raise TrustError(f"{label}: invalid version entry")
    entrypoint = vdoc.get("entrypoint")
    if not isinstance(entrypoint, str) or not _ENTRYPOINT.fullmatch(entrypoint):
        raise TrustError(f"{label}: `entrypoint` must be a C symbol name")
    yanked = vdoc.get("yanked", False)
    artifacts = vdoc.get("artifacts") or {}
    if not isinstance(yanked, bool) or not isinstance(artifacts, dict):
        raise TrustError(f"{label}: `yanked` must be true/false and `artifacts` a mapping")
    return DriverVersion(name, version, entrypoint, str(vdoc.get("adbc_api", "")), str(vdoc.get("license", "")),
                         yanked, {p: _parse_artifact(p, a, label) for p, a in artifacts.items()})


def _parse_index_payload(payload: bytes, raw: bytes) -> Index:
    what = "driver index"
    doc = _document(payload, what, "driver-index")
    drivers: dict[str, dict[str, Any]] = {}
    for name, entry in _require(doc, "drivers", dict, what).items():
        if not isinstance(entry, dict) or not _NAME.fullmatch(name) or not isinstance(entry.get("versions", {}), dict):
            raise TrustError(f"{what}: invalid driver entry {name!r}")
        versions = {v: _parse_version(name, v, vdoc, what) for v, vdoc in (entry.get("versions") or {}).items()}
        minimum = entry.get("minimum_version") or "0"
        if not isinstance(minimum, str) or not _VERSION.fullmatch(minimum):
            raise TrustError(f"{what}: invalid minimum_version for {name!r}")
        drivers[name] = {"minimum_version": minimum, "versions": versions}
    return Index(_require(doc, "repository", str, what), _positive(doc, "version", what),
                 parse_time(doc.get("expires"), f"{what} expires"), _positive(doc, "root_version", what),
                 drivers, raw)


def load_index(raw: bytes, root: Root) -> Index:
    """Verify an index against its repository's current root; nothing is parsed before that."""
    envelope = parse_envelope(raw, "driver index")
    role = root.roles["index"]
    verify_threshold(envelope, INDEX_TYPE, list(role.keyids), root.keys, role.threshold,
                     f"driver index of {root.repository!r}")
    index = _parse_index_payload(envelope.payload, raw)
    if index.repository != root.repository:
        raise TrustError(f"the driver index is for repository {index.repository!r}, not {root.repository!r}")
    if index.root_version != root.version:
        raise TrustError(f"the driver index was made for root v{index.root_version}, "
                         f"but the trusted root is v{root.version}")
    return index
