"""``policy.toml``: who may supply drivers, merged across levels with the strictest value winning.

Levels, in order: system (``/etc/fusion/policy.toml``, must be root-owned and not writable by
others), user (``$XDG_CONFIG_HOME/fusion/policy.toml``), project (``<project>/.fusion/policy.toml``).
A lower level can only narrow what a higher one allows.

Keys::

    repositories = ["official", "acme"]   # repositories that may be used (absent: any trusted)
    allow_drivers = ["duckdb", "postgresql"]  deny_drivers = ["snowflake"]
    allow_adapters = ["fusion-duckdb"]    deny_adapters = ["fusion-evil"]   # distributions
    [pins]  postgresql = "1.13.0"         # exact driver versions
    [pin_hashes]  postgresql = "<lib_sha256>"
    allow_dev_drivers = false             allow_user_trust_roots = true
    offline = false                       offline_grace_days = 7
    ca_bundle = "/etc/ssl/corp.pem"       proxy = "http://proxy:3128"
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fusion.errors import ProjectError

SYSTEM_POLICY = Path("/etc/fusion/policy.toml")
_LIST_KEYS = ("repositories", "allow_drivers", "deny_drivers", "allow_adapters", "deny_adapters")
_KNOWN = frozenset({*_LIST_KEYS, "pins", "pin_hashes", "allow_dev_drivers", "allow_user_trust_roots",
                    "offline", "offline_grace_days", "ca_bundle", "proxy"})


def user_config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "fusion"


@dataclass
class Policy:
    repositories: set[str] | None = None
    allow_drivers: set[str] | None = None
    deny_drivers: set[str] = field(default_factory=set)
    allow_adapters: set[str] | None = None
    deny_adapters: set[str] = field(default_factory=set)
    pins: dict[str, str] = field(default_factory=dict)
    pin_hashes: dict[str, str] = field(default_factory=dict)
    allow_dev_drivers: bool = False
    allow_user_trust_roots: bool = True
    offline: bool = False
    offline_grace_days: int = 0
    ca_bundle: str | None = None
    proxy: str | None = None
    origins: dict[str, str] = field(default_factory=dict)

    def driver_allowed(self, name: str) -> bool:
        return name not in self.deny_drivers and (self.allow_drivers is None or name in self.allow_drivers)

    def adapter_allowed(self, distribution: str) -> bool:
        return distribution not in self.deny_adapters and (
            self.allow_adapters is None or distribution in self.allow_adapters)

    def repository_allowed(self, name: str) -> bool:
        return self.repositories is None or name in self.repositories


def _read(path: Path, level: str) -> dict[str, Any]:
    if not path.is_file():
        return {}
    if level == "system":
        info = path.stat()
        if info.st_uid != 0 or info.st_mode & 0o022 or stat.S_ISLNK(os.lstat(path).st_mode):
            raise ProjectError("the system policy file must be owned by root and not writable by others",
                               path=str(path), hint=f"chown root {path} && chmod 644 {path}")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"invalid policy file: {exc}", path=str(path)) from exc
    unknown = set(doc) - _KNOWN
    if unknown:
        raise ProjectError(f"unknown policy keys: {', '.join(sorted(unknown))}", path=str(path),
                           hint="known keys: " + ", ".join(sorted(_KNOWN)))
    return doc


def _merge(policy: Policy, doc: dict[str, Any], origin: str) -> None:
    for key in ("repositories", "allow_drivers", "allow_adapters"):
        if key in doc:
            values = set(doc[key])
            current = getattr(policy, key)
            setattr(policy, key, values if current is None else current & values)
            policy.origins[key] = origin
    for key in ("deny_drivers", "deny_adapters"):
        if key in doc:
            getattr(policy, key).update(doc[key])
            policy.origins[key] = origin
    for key in ("pins", "pin_hashes"):
        for name, value in (doc.get(key) or {}).items():
            existing = getattr(policy, key).get(name)
            if existing is not None and existing != value:
                raise ProjectError(f"policy pins {name} to {value!r} but a stricter level pins it to "
                                   f"{existing!r}", path=origin)
            getattr(policy, key)[name] = value
            policy.origins[f"{key}.{name}"] = origin
    for key in ("allow_dev_drivers", "allow_user_trust_roots"):
        if key in doc:
            if key not in policy.origins:
                setattr(policy, key, bool(doc[key]))
            else:
                setattr(policy, key, getattr(policy, key) and bool(doc[key]))
            policy.origins[key] = origin
    if doc.get("offline"):
        policy.offline = True
        policy.origins["offline"] = origin
    if "offline_grace_days" in doc:
        days = int(doc["offline_grace_days"])
        policy.offline_grace_days = days if "offline_grace_days" not in policy.origins else min(
            days, policy.offline_grace_days)
        policy.origins["offline_grace_days"] = origin
    for key in ("ca_bundle", "proxy"):
        if key in doc and getattr(policy, key) is None:
            setattr(policy, key, str(doc[key]))
            policy.origins[key] = origin


def policy_files(project_dir: Path | None = None) -> list[tuple[Path, str]]:
    """The policy files, strictest first."""
    levels = [(SYSTEM_POLICY, "system"), (user_config_dir() / "policy.toml", "user")]
    if project_dir is not None:
        levels.append((project_dir / ".fusion" / "policy.toml", "project"))
    return levels


def load_policy(project_dir: Path | None = None) -> Policy:
    policy = Policy()
    for path, level in policy_files(project_dir):
        _merge(policy, _read(path, level), f"{level}:{path}")
    if os.environ.get("FUSION_OFFLINE") == "1":  # the environment may only narrow
        policy.offline = True
        policy.origins["offline"] = "env:FUSION_OFFLINE"
    return policy
