"""``profiles.yml``: found where dbt looks for it; one target chosen and rendered."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fusion.errors import ProjectError
from fusion.project.render import base_members, render_value
from fusion.shapes import Shapes
from fusion.yamlio import load_yaml_with_lines

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
    if profiles_dir:  # --profiles-dir, FUSION_PROFILES_DIR or DBT_PROFILES_DIR
        candidates.append(Path(profiles_dir).expanduser())
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
    raw, lines = load_yaml_with_lines(path, shown)
    shapes = Shapes(shown, lines, show_values=False)
    raw = shapes.check(raw, (), "a mapping", hint="profiles.yml maps profile names to their targets") or {}
    profile = raw.get(profile_name)
    if profile is None:
        known = ", ".join(sorted(str(k) for k in raw if k != "config")) or "none"
        raise ProjectError(f"profile {profile_name!r} is not defined (profiles found: {known})",
                           path=shown, hint="the `profile:` key of dbt_project.yml names a profile")
    shapes.check(profile, (profile_name,), "a mapping",
                 hint=f"profile {profile_name!r} needs `target:` and `outputs:`")
    members = base_members(env_var, cli_vars)
    target_name = target or render_value(profile.get("target") or "default", members, shown)
    shapes.check(target_name, (profile_name, "target"), "a string")
    outputs = shapes.check(profile.get("outputs"), (profile_name, "outputs"), "a mapping",
                           hint="write each target as `name:` with its settings indented below it") or {}
    if target_name not in outputs:
        raise ProjectError(
            f"target {target_name!r} is not defined in profile {profile_name!r} "
            f"(targets: {', '.join(map(str, outputs)) or 'none'})", path=shown,
            line=shapes.line((profile_name, "outputs")))
    keys = (profile_name, "outputs", target_name)
    rendered = render_value(shapes.check(outputs[target_name], keys, "a mapping") or {}, members, shown)
    if not rendered.get("type"):
        raise ProjectError(f"target {target_name!r} of profile {profile_name!r} has no `type`",
                           path=shown, line=shapes.line(keys), hint="set `type: duckdb` (or your warehouse)")
    shapes.check_keys(rendered, dict.fromkeys(("type", "schema", "database"), ("a string",)), keys)
    chosen_threads = threads if threads is not None else _threads(rendered.get("threads"), shapes, keys)
    if chosen_threads < 1:
        chosen_threads = os.cpu_count() or 1
    return Profile(profile_name, str(target_name), rendered, shown, chosen_threads)


def _threads(value: Any, shapes: Shapes, keys: tuple[str | int, ...]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return int(shapes.check(value, (*keys, "threads"), "a number") or 1)
