"""``fusion adapter new NAME``: a new adapter distribution from the templates in ``template/``.

The generated adapter runs at once (it starts on the embedded DuckDB driver and inherits
DuckDB's macros), so its conformance test passes before the author changes anything; the
author then replaces the driver, the credentials and the macros with the warehouse's own.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import click
from fusion.hookspecs import hookimpl

TEMPLATE = Path(__file__).parent / "template"
NAME = re.compile(r"[a-z][a-z0-9_]*")


def scaffold(name: str, parent: Path) -> Path:
    """Write the distribution ``fusion-NAME`` into ``parent``; its folder."""
    if not NAME.fullmatch(name):
        raise click.ClickException(
            f"{name!r} is not a valid adapter name: use lower-case letters, digits and underscores, "
            "starting with a letter (it becomes the profiles.yml `type:` and the package fusion_NAME)")
    root = parent / f"fusion-{name.replace('_', '-')}"
    if root.exists():
        raise click.ClickException(f"{root} already exists: choose another name or folder (--dir)")
    values = {"name": name, "package": f"fusion_{name}", "dist": root.name,
              "Class": "".join(part.capitalize() for part in name.split("_"))}
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = Template(str(source.relative_to(TEMPLATE).with_suffix(""))).substitute(values)
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(source.read_text()).substitute(values))
    return root


@click.group("adapter")
def adapter_group():
    """Tools for adapter authors (fusion-adapter-tests)."""


@adapter_group.command("new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="folder to create the distribution in")
def new_command(name: str, parent: Path):
    """Scaffold the adapter distribution fusion-NAME: pyproject with the entry point, the adapter
    and its spec, a macros folder and a test module running the conformance suite."""
    root = scaffold(name, parent)
    click.echo(f"Created {root}\nNext: pip install -e {root} && pytest {root / 'tests'}  (see its README.md)")


@hookimpl
def fusion_register_commands(cli):
    cli.add_command(adapter_group)
