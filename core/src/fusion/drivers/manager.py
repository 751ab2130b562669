"""Choosing, installing and loading drivers: requirement -> signed index -> cache -> loader."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fusion import events
from fusion.policy import Policy, load_policy
from fusion.trust.errors import TrustError

if TYPE_CHECKING:  # the rest (cryptography, ssl, ctypes) loads with the first driver: parse never needs one
    from packaging.version import Version

    from fusion.drivers.cache import DriverCache
    from fusion.drivers.loader import VerifiedLibrary
    from fusion.drivers.repositories import TrustedRepository
    from fusion.trust.metadata import Artifact, DriverVersion


@dataclass(frozen=True)
class Selection:
    repository: TrustedRepository
    version: DriverVersion
    artifact: Artifact

    @property
    def label(self) -> str:
        return f"{self.version.name} {self.version.version} from {self.repository.name!r}"


def _version(text: str) -> Version | None:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


class DriverManager:
    def __init__(self, policy: Policy | None = None, cache: DriverCache | None = None,
                 project_dir: Path | None = None):
        self.policy = policy or load_policy(project_dir)
        if cache is not None:
            self.cache = cache

    @functools.cached_property
    def cache(self) -> DriverCache:
        from fusion.drivers.cache import DriverCache

        return DriverCache()

    @functools.cached_property
    def repositories(self) -> list[TrustedRepository]:
        """Every allowed repository with its root and current index verified."""
        from fusion.drivers.repositories import TrustedRepository, configured_repositories

        repos = [TrustedRepository(config, self.cache, self.policy)
                 for config in configured_repositories(self.policy)]
        for repo in repos:
            repo.index  # noqa: B018 - verify now: a bad index fails before anything is chosen
        return repos

    def listed_artifacts(self) -> dict[str, tuple[DriverVersion, Artifact]]:
        """Every artifact the trusted indexes list, by library hash."""
        return {a.lib_sha256: (dv, a) for repo in self.repositories for entry in repo.index.drivers.values()
                for dv in entry["versions"].values() for a in dv.artifacts.values()}

    def may_serve(self, repo: TrustedRepository, name: str) -> bool:
        """Whether ``repo`` may serve driver ``name``: a repository trusted before it that lists the
        name owns it, unless ``repo``'s trust entry delegates that name to it."""
        if name in repo.config.delegations:
            return True
        first = next(r for r in self.repositories if name in r.index.drivers or r is repo)
        return first is repo

    def sources(self) -> dict:
        from fusion.plugins import get_plugins

        return get_plugins().registry.driver_sources

    # --- selection ---------------------------------------------------------------------
    def select(self, name: str, versions: str = "") -> Selection:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import Version

        from fusion.drivers.platforms import current_platforms

        if not self.policy.driver_allowed(name):
            origin = self.policy.origins.get("deny_drivers") or self.policy.origins.get("allow_drivers")
            raise TrustError(f"policy does not allow the driver {name!r} (set in {origin})")
        try:
            wanted = SpecifierSet(versions)
        except InvalidSpecifier as exc:
            raise TrustError(f"invalid driver version range {versions!r}") from exc
        pin = self.policy.pins.get(name)
        platforms = current_platforms()
        best: tuple[Version, int, Selection] | None = None
        reasons: list[str] = []
        for order, repo in enumerate(self.repositories):
            entry = repo.index.drivers.get(name)
            if entry is None:
                continue
            if not self.may_serve(repo, name):
                reasons.append(f"{repo.name!r} may not serve it: an earlier repository lists it and no "
                               "delegation allows an override")
                continue
            minimum = _version(entry["minimum_version"]) or Version("0")
            for text, dv in entry["versions"].items():
                ver = _version(text)
                if ver is None or ver not in wanted:
                    continue
                if dv.yanked or ver < minimum:
                    reasons.append(f"{text} in {repo.name!r} is {'yanked' if dv.yanked else 'below the minimum'}")
                    continue
                if pin is not None and text != pin:
                    continue
                artifact = next((dv.artifacts[p] for p in platforms if p in dv.artifacts), None)
                if artifact is None:
                    reasons.append(f"{text} in {repo.name!r} has no build for {platforms[-1]}")
                    continue
                key = (ver, -order)
                if best is None or key > best[:2]:
                    best = (ver, -order, Selection(repo, dv, artifact))
        if best is None:
            detail = f" ({'; '.join(reasons)})" if reasons else ""
            pinned = f", pinned to {pin} by policy" if pin else ""
            raise TrustError(f"no trusted driver {name!r} matches {versions or 'any version'}{pinned}{detail}",
                             hint="`fusion drivers list` shows what the trusted indexes offer")
        selection = best[2]
        pinned_hash = self.policy.pin_hashes.get(name)
        if pinned_hash and pinned_hash != selection.artifact.lib_sha256:
            raise TrustError(f"policy pins {name} to library hash {pinned_hash}, but the signed index "
                             f"has {selection.artifact.lib_sha256}")
        return selection

    # --- install and load --------------------------------------------------------------
    def install(self, selection: Selection) -> Path:
        artifact = selection.artifact
        path = self.cache.library_path(artifact.lib_sha256, artifact.lib_name)
        if path.is_file():
            return path
        source = self.sources().get(artifact.source)
        if source is None:
            raise TrustError(f"no driver source named {artifact.source!r} is installed",
                             hint="install the plugin that provides it (`fusion plugins list` shows those installed)")
        events.emit("DriverInstall", f"Installing {selection.label} ({artifact.lib_length / 1e6:.1f} MB)")
        with self.cache.lock(f"install-{artifact.lib_sha256}"):
            if path.is_file():
                return path
            data = source.fetch(artifact, selection.repository)
            if len(data) != artifact.lib_length or hashlib.sha256(data).hexdigest() != artifact.lib_sha256:
                raise TrustError(f"the library fetched for {selection.label} does not match the signed index",
                                 hint="wrong or tampered software was served; nothing was installed")
            return self.cache.install_library(data, artifact.lib_sha256, artifact.lib_name)

    def library(self, name: str, versions: str = "") -> VerifiedLibrary:
        from fusion.drivers.loader import VerifiedLibrary

        dev = self._dev_library(name)
        if dev is not None:
            return dev
        selection = self.select(name, versions)
        path = self.install(selection)
        return VerifiedLibrary(path, selection.artifact.lib_sha256, selection.artifact.lib_length,
                               selection.version.entrypoint, selection.label)

    def _dev_library(self, name: str) -> VerifiedLibrary | None:
        """``FUSION_DEV_DRIVER_<NAME>=/abs/lib.so:Entrypoint`` — unsigned, only if policy allows."""
        spec = os.environ.get(f"FUSION_DEV_DRIVER_{name.upper()}")
        if not spec:
            return None
        if not self.policy.allow_dev_drivers:
            raise TrustError(f"FUSION_DEV_DRIVER_{name.upper()} is set, but policy forbids unsigned dev drivers",
                             hint="set allow_dev_drivers = true in your user policy.toml (if your "
                                  "administrator permits it), or unset the variable")
        path_text, _, entrypoint = spec.rpartition(":")
        path = Path(path_text)
        if not path.is_absolute() or not path.is_file() or not entrypoint:
            raise TrustError(f"FUSION_DEV_DRIVER_{name.upper()} must be /absolute/path.so:EntrypointSymbol")
        from fusion.drivers.loader import VerifiedLibrary

        data = path.read_bytes()
        events.emit("DevDriver", f"Warning: loading UNSIGNED dev driver {path} for {name!r}", level="warn")
        return VerifiedLibrary(path, hashlib.sha256(data).hexdigest(), len(data), entrypoint,
                               f"dev driver {path}")

    def load(self, name: str, versions: str = "") -> int:
        from fusion.drivers.loader import load_entrypoint

        return load_entrypoint(self.library(name, versions))
