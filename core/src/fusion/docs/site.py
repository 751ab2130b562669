"""The documentation site: our own static page set, copied into target/ beside the JSON it reads.

The page loads manifest.json, catalog.json and lineage.json (column lineage from static
analysis) from the folder it is served from; everything from the project is shown as text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fusion.fileio import write_atomic

#: the site's files, as package data in fusion/docs/site/
ASSETS = ("index.html", "fusion-docs.js", "fusion-docs.css")


def write_site(target_path: Path) -> None:
    """Write (or refresh) the site's files in ``target_path``."""
    folder = resources.files("fusion.docs") / "site"
    target_path.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        write_atomic(target_path / name, (folder / name).read_bytes())
