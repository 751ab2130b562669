"""``builtins.ref.config``: what dbt's RuntimeConfig tells templates about the invocation.

Packages read it for their own version (``.dependencies['pkg'].version``) and the project's name;
only plain values are exposed (no paths, no credentials)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class VarsView(dict):
    """``config.vars``: the root project's ``vars:``; ``to_dict()`` as dbt's var provider has."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


@dataclass(frozen=True)
class ProjectInfo:
    """One project as ``config.dependencies[name]`` shows it."""

    project_name: str
    version: str


@dataclass(frozen=True)
class RuntimeConfigView:
    project_name: str
    version: str
    profile_name: str
    target_name: str
    dependencies: dict[str, ProjectInfo] = field(default_factory=dict)
    vars: VarsView = field(default_factory=VarsView)
    cli_vars: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)  # the invocation's flags, lower-case

    @classmethod
    def of(cls, project, packages, profile_name: str, target_name: str, cli_vars: dict[str, Any],
           flags: dict[str, Any]):
        deps = {p.name: ProjectInfo(p.name, p.version) for p in (*packages, project)}
        return cls(project.name, project.version, profile_name, target_name, deps,
                   VarsView(project.vars), dict(cli_vars),
                   {k.lower(): v for k, v in flags.items()})
