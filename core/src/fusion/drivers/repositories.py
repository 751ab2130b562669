"""Trusted driver repositories: establishing the current root and the newest index.

A repository is trusted through a pinned first root (shipped inside fusion-core for
``official``; pinned by sha256 for a repository the user adds). Later roots are accepted only
through the rotation chain, and an index only if signed by the current root's index role,
not older than any index seen before, and not expired.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from importlib import resources

from fusion.drivers.cache import DriverCache
from fusion.drivers.fetch import NotFound, http_get
from fusion.policy import Policy, user_config_dir
from fusion.trust.errors import TrustError
from fusion.trust.metadata import (
    Index,
    Root,
    check_driver_name,
    check_repository_name,
    load_index,
    load_root_self_signed,
    update_root,
)
from fusion.trust.strict_json import MAX_DOCUMENT_BYTES, loads_strict

OFFICIAL = "official"
MAX_ROOT_STEPS = 64


@dataclass(frozen=True)
class RepositoryConfig:
    """A trusted repository. ``delegations``: driver names it may serve although a repository
    trusted before it (official first, then in trust order) lists them too."""

    name: str
    url: str | None = None
    root_sha256: str | None = None
    shipped: bool = False
    origin: str = "built-in"
    delegations: frozenset[str] = frozenset()

    def entry(self) -> dict:
        """This configuration as a ``repositories.json`` entry."""
        entry = {"name": self.name, "url": self.url, "root_sha256": self.root_sha256}
        return {**entry, "delegate": sorted(self.delegations)} if self.delegations else entry


_ENTRY_KEYS = frozenset({"name", "url", "root_sha256", "delegate"})
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ENTRY_HINT = 'each entry is {"name": "community.acme", "url": "https://...", "root_sha256": "<64 hex>"}'


def official_files() -> tuple[bytes, bytes]:
    folder = resources.files("fusion.trust") / "official"
    return (folder / "1.root.json").read_bytes(), (folder / "index.json").read_bytes()


def parse_entries(data: bytes, origin: str) -> list[RepositoryConfig]:
    """User-added repositories: a JSON list of ``{name, url, root_sha256[, delegate]}``."""
    entries = loads_strict(data, origin)
    if not isinstance(entries, list):
        raise TrustError(f"{origin} must be a JSON list of repositories", hint=_ENTRY_HINT)
    return [_entry_config(entry, origin) for entry in entries]


def _entry_config(entry, origin: str) -> RepositoryConfig:
    if not isinstance(entry, dict):
        raise TrustError(f"{origin}: a repository entry must be a JSON object, not {json.dumps(entry)[:80]}",
                         hint=_ENTRY_HINT)
    where = f"{origin}: repository {entry.get('name')!r}"
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise TrustError(f"{where} has unknown keys {', '.join(sorted(unknown))}", hint=_ENTRY_HINT)
    name = check_repository_name(entry.get("name"), f"{origin}: repository name")
    if name == OFFICIAL:
        raise TrustError(f"{origin}: the name 'official' is reserved")
    if not isinstance(entry.get("root_sha256"), str) or not _HEX64.fullmatch(entry["root_sha256"]):
        raise TrustError(f"{where}: `root_sha256` must be 64 lowercase hex characters", hint=_ENTRY_HINT)
    if not isinstance(entry.get("url"), str | None):
        raise TrustError(f"{where}: `url` must be a string", hint=_ENTRY_HINT)
    delegate = entry.get("delegate", [])
    if not isinstance(delegate, list):
        raise TrustError(f"{where}: `delegate` must be a list of driver names")
    return RepositoryConfig(name, entry.get("url"), entry["root_sha256"], origin=origin,
                            delegations=frozenset(check_driver_name(d, f"{where}: delegated driver")
                                                  for d in delegate))


def configured_repositories(policy: Policy) -> list[RepositoryConfig]:
    """The official repository, then user-added ones (file and ``FUSION_REPOSITORIES``), in trust order,
    each with the delegations of its trust entry and of the policy."""
    repos = [RepositoryConfig(OFFICIAL, os.environ.get("FUSION_OFFICIAL_URL") or None, shipped=True)]
    path = user_config_dir() / "repositories.json"
    if path.is_file():
        repos += parse_entries(path.read_bytes(), str(path))
    if os.environ.get("FUSION_REPOSITORIES"):
        repos += parse_entries(os.environ["FUSION_REPOSITORIES"].encode(), "FUSION_REPOSITORIES")
    repos = [replace(c, delegations=c.delegations | policy.delegations.get(c.name, set()))
             for c in repos]
    seen: set[str] = set()
    for config in repos:
        if config.name in seen:
            raise TrustError(f"repository {config.name!r} ({config.origin}) is configured twice",
                             hint="remove one of the entries")
        seen.add(config.name)
        if not config.shipped and not policy.allow_user_trust_roots:
            raise TrustError(f"repository {config.name!r} ({config.origin}) is not allowed: policy forbids "
                             "user-added trust roots", hint="ask your administrator to add it to the policy")
    return [r for r in repos if policy.repository_allowed(r.name)]


class TrustedRepository:
    def __init__(self, config: RepositoryConfig, cache: DriverCache, policy: Policy,
                 now: dt.datetime | None = None, first_root: bytes | None = None):
        """``first_root``: root v1 bytes from elsewhere (a bundle), checked against the pin."""
        self.config = config
        self.cache = cache
        self.policy = policy
        self.now = now or dt.datetime.now(dt.UTC)
        self.online = bool(config.url) and not policy.offline
        self._offered_root = first_root
        self.root = self._establish_root()

    @functools.cached_property
    def index(self) -> Index:
        return self._newest_index()

    @property
    def name(self) -> str:
        return self.config.name

    def get(self, path: str, max_bytes: int = MAX_DOCUMENT_BYTES, progress=None) -> bytes:
        """A file of the repository's server, never more than ``max_bytes``."""
        return http_get(f"{self.config.url.rstrip('/')}/{path}", max_bytes,
                        ca_bundle=self.policy.ca_bundle, proxy=self.policy.proxy, progress=progress)

    # --- root --------------------------------------------------------------------------
    def _first_root(self) -> bytes:
        if self.config.shipped:
            return official_files()[0]
        raw = self.cache.read_metadata(self.name, "1.root.json") or self._offered_root
        if raw is None:
            if not self.online:
                raise TrustError(f"repository {self.name!r} has never been fetched and Fusion is offline")
            raw = self.get("root/1.root.json")
        if hashlib.sha256(raw).hexdigest() != self.config.root_sha256:
            raise TrustError(f"root v1 of repository {self.name!r} does not match the pinned sha256 "
                             f"{self.config.root_sha256}", hint="the repository was replaced; re-check the "
                             "root hash with its publisher before trusting it again")
        return raw

    def _establish_root(self) -> Root:
        raw = self._first_root()
        root = load_root_self_signed(raw)
        if root.repository != self.name:
            raise TrustError(f"the repository configured as {self.name!r} signs its root as {root.repository!r}",
                             hint=f"trust it under its own name: --name {root.repository}")
        self.cache.write_metadata(self.name, "1.root.json", raw)
        for _ in range(MAX_ROOT_STEPS):
            name = f"{root.version + 1}.root.json"
            nxt = self.cache.read_metadata(self.name, name)
            if nxt is None and self.online:
                try:
                    nxt = self.get(f"root/{name}")
                except NotFound:
                    nxt = None
            if nxt is None:
                break
            root = update_root(root, nxt)
            self.cache.write_metadata(self.name, name, nxt)
        self._check_fresh(root.expires, f"root v{root.version} of {self.name!r}")
        return root

    # --- index -------------------------------------------------------------------------
    def _state(self) -> dict:
        """What was last accepted: the rollback guard. Corrupt means an error, never a fresh start."""
        raw = self.cache.read_metadata(self.name, "state.json")
        if raw is None:
            return {}
        try:
            state = loads_strict(raw, "state")
        except TrustError:
            state = None
        if not isinstance(state, dict) or not isinstance(state.get("index_version"), int) \
                or not isinstance(state.get("index_sha256"), str):
            path = self.cache.metadata_path(self.name, "state.json")
            raise TrustError(f"the driver cache's record of repository {self.name!r} ({path}) is corrupt, so "
                             "Fusion cannot tell whether its index was rolled back",
                             hint=f"delete {path} only if you trust what the repository serves now; the next "
                                  "run then accepts its newest valid index")
        return state

    def _newest_index(self) -> Index:
        """The newest verified index among the server's, the cache's and the shipped one.

        A server offering an index older than one already seen is a rollback attempt and fails,
        even though a newer copy is at hand."""
        state = self._state()
        seen = state.get("index_version", 0)
        candidates: list[Index] = []
        if self.online:
            fetched = load_index(self._get_index(), self.root)
            self._check_not_rolled_back(fetched, seen, state)
            candidates.append(fetched)
        for raw in (self.cache.read_metadata(self.name, "index.json"),
                    official_files()[1] if self.config.shipped else None):
            if raw is not None:
                try:
                    candidates.append(load_index(raw, self.root))
                except TrustError:
                    if not candidates:
                        raise
        if not candidates:
            raise TrustError(f"no driver index is available for repository {self.name!r}")
        return self.accept(max(candidates, key=lambda i: i.version))

    def _get_index(self) -> bytes:
        try:
            return self.get("index.json")
        except NotFound as exc:
            raise TrustError(f"repository {self.name!r} has no index.json at {self.config.url}",
                             hint="check the repository's URL (`fusion trust list`); re-add it with "
                                  "`fusion trust add` if it moved") from exc

    def accept(self, index: Index) -> Index:
        """Make a verified index the current one: not a rollback, not expired; remembered."""
        state = self._state()
        self._check_not_rolled_back(index, state.get("index_version", 0), state)
        self._check_fresh(index.expires, f"the driver index of {self.name!r}")
        self.cache.write_metadata(self.name, "index.json", index.raw)
        state = {"index_version": index.version, "index_sha256": index.sha256, "root_version": index.root_version}
        self.cache.write_metadata(self.name, "state.json", json.dumps(state).encode())
        self.__dict__["index"] = index
        return index

    def _check_not_rolled_back(self, index: Index, seen: int, state: dict) -> None:
        if index.version < seen:
            raise TrustError(f"rollback: the driver index of {self.name!r} is version {index.version}, "
                             f"but version {seen} was already seen", hint="a mirror is serving old metadata")
        if index.version == seen and state.get("index_sha256") not in (None, index.sha256):
            raise TrustError(f"the driver index of {self.name!r} changed without a new version number")

    def _check_fresh(self, expires: dt.datetime, what: str) -> None:
        if self.now < expires:
            return
        grace = dt.timedelta(days=self.policy.offline_grace_days)
        if self.policy.offline and self.now < expires + grace:
            from fusion import events

            events.emit("TrustWarning", f"Warning: {what} expired on {expires:%Y-%m-%d}; using it offline "
                        f"within the {self.policy.offline_grace_days}-day grace period", level="warn")
            return
        raise TrustError(f"{what} expired on {expires:%Y-%m-%d}",
                         hint="go online so a fresh index can be fetched, or upgrade fusion-core")
