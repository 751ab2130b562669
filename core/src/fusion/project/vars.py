"""``var()``: command-line vars, then the root project's vars (scoped to the package, then global),
then the package's own ``vars:`` (as dbt orders them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fusion.errors import CompilationError

#: default of ``var()`` when the caller gives none
MISSING = object()


@dataclass
class Vars:
    cli: dict[str, Any] = field(default_factory=dict)
    global_vars: dict[str, Any] = field(default_factory=dict)
    package_vars: dict[str, dict[str, Any]] = field(default_factory=dict)  # the root's, per package
    package_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # each package's own

    @classmethod
    def from_project(cls, project_vars: dict[str, Any], package_names: set[str], cli: dict[str, Any],
                     package_defaults: dict[str, dict[str, Any]] | None = None):
        """Split ``vars:`` into package-scoped blocks (keys naming a package) and globals; a
        package's own ``vars:`` (its globals, overridden by its block for itself) come last."""
        globals_, scoped = _split(project_vars, package_names)
        defaults = {}
        for name, own in (package_defaults or {}).items():
            own_globals, own_scoped = _split(own, package_names)
            defaults[name] = {**own_globals, **own_scoped.get(name, {})}
        return cls(dict(cli), globals_, scoped, defaults)

    def get(self, name: str, package: str, default: Any = MISSING, node=None) -> Any:
        for scope in (self.cli, self.package_vars.get(package, {}), self.global_vars,
                      self.package_defaults.get(package, {})):
            if name in scope:
                return scope[name]
        if default is not MISSING:
            return default
        where = f" in {node.unique_id}" if node is not None else ""
        raise CompilationError(
            f"Required var {name!r} not found in config{where}",
            path=getattr(node, "original_file_path", None),
            hint=f"define it under `vars:` in dbt_project.yml or pass --vars '{{{name}: ...}}'")

    def fingerprint(self) -> dict[str, Any]:
        return {"cli": self.cli, "global": self.global_vars, "packages": self.package_vars,
                "defaults": self.package_defaults}


def _split(project_vars: dict[str, Any] | None, package_names: set[str]) -> tuple[dict, dict[str, dict]]:
    """(global vars, {package: its block}) of one ``vars:`` mapping."""
    globals_: dict[str, Any] = {}
    scoped: dict[str, dict[str, Any]] = {}
    for key, value in (project_vars or {}).items():
        if key in package_names and isinstance(value, dict):
            scoped[key] = {**scoped.get(key, {}), **value}
        else:
            globals_[key] = value
    return globals_, scoped
