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
#: the artifacts the page reads
DATA = ("manifest.json", "catalog.json", "lineage.json")


def _asset(name: str) -> bytes:
    return (resources.files("fusion.docs") / "site" / name).read_bytes()


def write_site(target_path: Path) -> None:
    """Write (or refresh) the site's files in ``target_path``."""
    target_path.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        write_atomic(target_path / name, _asset(name))


def write_static(target_path: Path) -> Path:
    """static_index.html: the page with its script, style and the artifacts inside, to open as a file.

    Artifacts go into ``<script type="application/json">`` blocks with every ``<`` written as
    ``\\u003c``, so that no text from the project can close the block.
    """
    page = _asset("index.html").decode()
    page = page.replace('<link rel="stylesheet" href="fusion-docs.css">',
                        f"<style>\n{_asset('fusion-docs.css').decode()}</style>")
    page = page.replace('<script src="fusion-docs.js" defer></script>\n', "")
    blocks = []
    for name in DATA:
        if (target_path / name).is_file():
            text = (target_path / name).read_text(encoding="utf-8").replace("<", "\\u003c")
            blocks.append(f'<script type="application/json" id="data-{name}">{text}</script>')
    script = f"<script>\n{_asset('fusion-docs.js').decode()}</script>"
    page = page.replace("</body>", "\n".join([*blocks, script, "</body>"]))
    path = target_path / "static_index.html"
    write_atomic(path, page.encode())
    return path


def copy_assets(project_dir: Path, asset_paths: list[str], target_path: Path) -> None:
    """Each of dbt_project.yml's ``asset-paths`` folders replaces its copy in ``target_path`` (as dbt
    does). Symbolic links are left out: the copy holds only the project's own files."""
    root = project_dir.resolve()
    target = target_path.resolve()
    for name in asset_paths:
        source = (root / name).resolve()
        if root not in source.parents or source == target or {source, target} & {*target.parents, *source.parents}:
            raise ProjectError(f"asset-paths entry {name!r} is not a folder of the project outside its target path",
                               path="dbt_project.yml", hint="list folders of the project, e.g. assets")
        copy = target / source.relative_to(root)
        if copy.is_dir() and not copy.is_symlink():
            shutil.rmtree(copy)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=lambda folder, names: [
                n for n in names if (Path(folder) / n).is_symlink()])
