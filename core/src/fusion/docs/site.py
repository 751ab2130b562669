"""The documentation site: our own static page set, copied into target/ beside the JSON it reads.

The page loads manifest.json, catalog.json and lineage.json (column lineage from static
analysis) from the folder it is served from; everything from the project is shown as text.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from fusion.errors import ProjectError
from fusion.fileio import write_atomic

#: the site's files, as package data in fusion/docs/site/
ASSETS = ("index.html", "fusion-docs.js", "fusion-docs.css")


def write_site(target_path: Path) -> None:
    """Write (or refresh) the site's files in ``target_path``."""
    folder = resources.files("fusion.docs") / "site"
    target_path.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        write_atomic(target_path / name, (folder / name).read_bytes())


def copy_assets(project_dir: Path, asset_paths: list[str], target_path: Path) -> None:
    """Each of dbt_project.yml's ``asset-paths`` folders replaces its copy in ``target_path`` (as dbt
    does). Symbolic links are left out: the copy holds only the project's own files."""
    root = project_dir.resolve()
    for name in asset_paths:
        source = (root / name).resolve()
        if root not in source.parents:
            raise ProjectError(f"asset-paths entry {name!r} is not a folder inside the project",
                               path="dbt_project.yml", hint="list folders of the project, e.g. assets")
        copy = target_path / name
        if copy.is_dir() and not copy.is_symlink():
            shutil.rmtree(copy)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=lambda folder, names: [
                n for n in names if (Path(folder) / n).is_symlink()])
