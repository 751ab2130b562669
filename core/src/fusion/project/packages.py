"""Installed packages: every folder under ``packages-install-path`` holding a dbt_project.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fusion.errors import ProjectError
from fusion.project.project import PROJECT_FILE, Project, load_project
from fusion.yamlio import load_yaml_file

PACKAGE_FILES = ("packages.yml", "dependencies.yml")


def declared_packages(project: Project) -> tuple[list[dict[str, Any]], str | None]:
    """The ``packages:`` entries of packages.yml (or dependencies.yml) and the file's name."""
    for name in PACKAGE_FILES:
        path = project.root / name
        if path.is_file():
            doc = load_yaml_file(path, name) or {}
            entries = doc.get("packages") or [] if isinstance(doc, dict) else None
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ProjectError("`packages:` must be a list of mappings (local:, git:, tarball:, package:)",
                                   path=name)
            return entries, name
    return [], None


def install_dir(project: Project) -> Path:
    return project.root / project.packages_install_path


def load_packages(project: Project, env_var, cli_vars: dict[str, Any],
                  target_for=lambda _profile: None) -> list[Project]:
    """The installed packages, by name; a declared but missing package is an error.
    ``target_for``: as for ``load_project`` (packages see the root project's target)."""
    entries, declared_in = declared_packages(project)
    folder = install_dir(project)
    packages = []
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            if (child / PROJECT_FILE).is_file():
                packages.append(load_project(child, env_var, cli_vars, target_for))
    if entries and len(packages) < len(entries):
        raise ProjectError(f"{declared_in} declares {len(entries)} package(s) but {len(packages)} are installed "
                           f"in {project.packages_install_path}/", path=declared_in,
                           hint="run `fusion deps`")
    names = [p.name for p in packages]
    if project.name in names or len(set(names)) != len(names):
        raise ProjectError(f"package names must be unique and differ from the project's ({', '.join(names)})",
                           path=declared_in or PROJECT_FILE)
    return packages
