"""``policy.toml``: who may supply drivers, merged from the defaults down, each level only narrowing.

Levels, in order: system (``/etc/fusion/policy.toml``, must be root-owned and not writable by
others), user (``$XDG_CONFIG_HOME/fusion/policy.toml``), project (``<project>/.fusion/policy.toml``).

The system and user levels may set a key no level above set; otherwise a level only narrows:
booleans move toward the safe value, ``offline_grace_days`` toward 0, allow-lists intersect,
deny-lists grow, pins must agree. A project is untrusted input: it only narrows, even from the
defaults, and setting ``allow_dev_drivers``, ``delegations``, ``ca_bundle`` or ``proxy`` there is
an error. Delegations from the system and user levels add up (a user can delegate in a trust
entry too).

Keys::

    repositories = ["official", "acme"]   # repositories that may be used (absent: any trusted)
    allow_drivers = ["duckdb", "postgresql"]  deny_drivers = ["snowflake"]
    allow_adapters = ["fusion-duckdb"]    deny_adapters = ["fusion-evil"]   # distributions
    [pins]  postgresql = "1.13.0"         # exact driver versions
    [pin_hashes]  postgresql = "<lib_sha256>"
    [delegations]  "community.acme" = ["trino"]   # names a later-trusted repository may serve
    allow_dev_drivers = false             allow_user_trust_roots = true
    offline = false                       offline_grace_days = 7
    allow_python_models = true            # false: Python models fail instead of running locally
    ca_bundle = "/etc/ssl/corp.pem"       proxy = "http://proxy:3128"
"""

from __future__ import annotations

import operator
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fusion.errors import ProjectError

SYSTEM_POLICY = Path("/etc/fusion/policy.toml")
_LIST_KEYS = ("repositories", "allow_drivers", "deny_drivers", "allow_adapters", "deny_adapters")
_BOOL_KEYS = ("allow_dev_drivers", "allow_user_trust_roots", "offline", "allow_python_models")
_TABLE_KEYS = ("pins", "pin_hashes")
_TEXT_KEYS = ("ca_bundle", "proxy")
_KNOWN = frozenset({*_LIST_KEYS, *_BOOL_KEYS, *_TABLE_KEYS, *_TEXT_KEYS, "offline_grace_days", "delegations"})
#: a project's policy may not set these: they widen what runs (dev drivers) or where trust goes
PROJECT_FORBIDDEN = ("allow_dev_drivers", "delegations", "ca_bundle", "proxy")


def _intersect(current: set[str] | None, value: set[str]) -> set[str]:
    return value if current is None else current & value


def _kept(current: str | None, value: str) -> str:
    """A location (CA bundle, proxy) set by a stricter level stays."""
    return value if current is None else current


#: the narrower of two values of each key (booleans: the safe one; numbers: the strict end)
_NARROWER: dict[str, Any] = {
    "repositories": _intersect, "allow_drivers": _intersect, "allow_adapters": _intersect,
    "deny_drivers": operator.or_, "deny_adapters": operator.or_,
    "allow_dev_drivers": operator.and_, "allow_user_trust_roots": operator.and_, "offline": operator.or_,
    "allow_python_models": operator.and_,
    "offline_grace_days": min,
    "ca_bundle": _kept, "proxy": _kept,
}


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
    delegations: dict[str, set[str]] = field(default_factory=dict)
    allow_dev_drivers: bool = False
    allow_user_trust_roots: bool = True
    offline: bool = False
    allow_python_models: bool = True  # the user's own models are code the user chose to run
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
    forbidden = sorted(set(doc) & set(PROJECT_FORBIDDEN)) if level == "project" else []
    if forbidden:
        raise ProjectError(f"a project's policy may not set {', '.join(forbidden)}", path=str(path),
                           hint="remove the key; these belong in your user policy "
                                f"({user_config_dir() / 'policy.toml'}) or the system policy")
    for key, value in doc.items():
        _check_type(key, value, path)
    return doc


def _check_type(key: str, value: Any, path: Path) -> None:
    if key in _LIST_KEYS:
        ok, kind = isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of strings"
    elif key in _TABLE_KEYS:
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        kind = "a table of driver = \"text\""
    elif key == "delegations":
        ok = isinstance(value, dict) and all(isinstance(v, list) and all(isinstance(n, str) for n in v)
                                             for v in value.values())
        kind = "a table of repository = [driver names]"
    elif key in _BOOL_KEYS:
        ok, kind = isinstance(value, bool), "true or false"
    elif key in _TEXT_KEYS:
        ok, kind = isinstance(value, str), "a string"
    else:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        kind = "a whole number of days (0 or more)"
    if not ok:
        raise ProjectError(f"policy key `{key}` must be {kind}, not {value!r}", path=str(path),
                           hint="fix the value or remove the key")


def _merge(policy: Policy, doc: dict[str, Any], level: str, origin: str) -> None:
    """Apply one level: set what no level above set (not for a project), else narrow."""
    for key, raw in doc.items():
        if key in _TABLE_KEYS:
            _merge_pins(policy, key, raw, origin)
            continue
        if key == "delegations":
            for repository, names in raw.items():
                policy.delegations.setdefault(repository, set()).update(names)
                policy.origins[f"delegations.{repository}"] = origin
            continue
        value = set(raw) if key in _LIST_KEYS else raw
        current = getattr(policy, key)
        first = key not in policy.origins and level != "project"
        merged = value if first else _NARROWER[key](current, value)
        if first or merged != current:
            setattr(policy, key, merged)
            policy.origins[key] = origin


def _merge_pins(policy: Policy, key: str, pins: dict[str, str], origin: str) -> None:
    for name, value in pins.items():
        existing = getattr(policy, key).get(name)
        if existing is not None and existing != value:
            raise ProjectError(f"policy pins {name} to {value!r} but a stricter level pins it to "
                               f"{existing!r}", path=origin)
        if existing is None:
            getattr(policy, key)[name] = value
            policy.origins[f"{key}.{name}"] = origin


def policy_files(project_dir: Path | None = None) -> list[tuple[Path, str]]:
    """The policy files, strictest first."""
    levels = [(SYSTEM_POLICY, "system"), (user_config_dir() / "policy.toml", "user")]
    if project_dir is not None:
        levels.append((project_dir / ".fusion" / "policy.toml", "project"))
    return levels


def load_policy(project_dir: Path | None = None) -> Policy:
    policy = Policy()
    for path, level in policy_files(project_dir):
        _merge(policy, _read(path, level), level, f"{level}:{path}")
    if os.environ.get("FUSION_OFFLINE") == "1":  # the environment may only narrow
        policy.offline = True
        policy.origins["offline"] = "env:FUSION_OFFLINE"
    return policy
