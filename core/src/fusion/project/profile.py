"""``profiles.yml``: found where dbt looks for it; one target chosen and rendered."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fusion.errors import ProjectError
from fusion.project.render import base_members, render_value
from fusion.yamlio import load_yaml_file

#: target keys that never reach templates (``target`` in Jinja) or artifacts
SECRET_KEYS = frozenset({"password", "pass", "token", "private_key", "private_key_passphrase", "secret"})


@dataclass
class Profile:
    name: str
    target_name: str
    target: dict[str, Any]
    path: str
    threads: int

    def public_target(self, target: dict[str, Any] | None = None) -> dict[str, Any]:
        """``target`` as templates see it: credentials without secrets, plus name/threads.

        ``target`` is the profile's target as the adapter completed it (defaults filled in).
        """
        out = {k: v for k, v in (self.target if target is None else target).items() if k not in SECRET_KEYS}
        out.update(name=self.target_name, target_name=self.target_name, profile_name=self.name,
                   threads=self.threads, type=self.target.get("type"))
        return out


def find_profiles_file(profiles_dir: str | None, project_dir: Path) -> Path:
    candidates: list[Path] = []
    if profiles_dir:
        candidates.append(Path(profiles_dir).expanduser())
    elif os.environ.get("DBT_PROFILES_DIR"):
        candidates.append(Path(os.environ["DBT_PROFILES_DIR"]).expanduser())
    else:
        candidates += [project_dir, Path.cwd(), Path.home() / ".dbt"]
    for folder in candidates:
        if (folder / "profiles.yml").is_file():
            return folder / "profiles.yml"
    raise ProjectError(
        "no profiles.yml found (looked in " + ", ".join(str(c) for c in candidates) + ")",
        hint="create profiles.yml in the project folder or ~/.dbt, or pass --profiles-dir")


def load_profile(profile_name: str, project_dir: Path, profiles_dir: str | None, target: str | None,
                 threads: int | None, env_var, cli_vars: dict[str, Any]) -> Profile:
    path = find_profiles_file(profiles_dir, project_dir)
    shown = str(path)
    raw = load_yaml_file(path, shown) or {}
    if not isinstance(raw, dict):
        raise ProjectError("profiles.yml must be a mapping of profile names", path=shown)
    profile = raw.get(profile_name)
    if not isinstance(profile, dict):
        known = ", ".join(sorted(k for k in raw if k != "config")) or "none"
        raise ProjectError(f"profile {profile_name!r} is not defined (profiles found: {known})",
                           path=shown, hint="the `profile:` key of dbt_project.yml names a profile")
    members = base_members(env_var, cli_vars)
    target_name = target or render_value(profile.get("target", "default"), members, shown)
    outputs = profile.get("outputs") or {}
    if target_name not in outputs:
        raise ProjectError(
            f"target {target_name!r} is not defined in profile {profile_name!r} "
            f"(targets: {', '.join(outputs) or 'none'})", path=shown)
    rendered = render_value(dict(outputs[target_name]), members, shown)
    if not rendered.get("type"):
        raise ProjectError(f"target {target_name!r} of profile {profile_name!r} has no `type`",
                           path=shown, hint="set `type: duckdb` (or your warehouse)")
    chosen_threads = threads if threads is not None else int(rendered.get("threads", 1) or 1)
    if chosen_threads < 1:
        chosen_threads = os.cpu_count() or 1
    return Profile(profile_name, str(target_name), rendered, shown, chosen_threads)
