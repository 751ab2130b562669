"""``fusion init``'s new project: the folders dbt projects use and two example models with tests,
written whole (into a temporary folder, then renamed) or not at all."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from fusion.errors import FusionError
from fusion.fileio import _UMASK

#: a project name is a Jinja/SQL identifier (as dbt requires): letters, digits, underscores
NAME = re.compile(r"\A[^\W\d]\w*\Z")
RESERVED = frozenset({"dbt", "fusion"})

_PROJECT = """\
# Project name (letters, digits, underscores) and version
name: '{name}'
version: '1.0.0'

# The entry of profiles.yml that holds this project's connection
profile: '{profile}'

# Where each kind of file lives
model-paths: ["models"]
analysis-paths: ["analyses"]
test-paths: ["tests"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]

# Folders that `fusion clean` deletes
clean-targets:
  - "target"
  - "dbt_packages"

# Configs by folder: models/example/ builds views unless a model's config() says otherwise
models:
  {name}:
    example:
      +materialized: view
"""

_FILES = {
    "models/example/my_first_model.sql": """\
-- A table built from literal rows: replace it with a query of your own data.
{{ config(materialized='table') }}

select 1 as id, 'first' as label
union all
select 2 as id, 'second' as label
""",
    "models/example/my_second_model.sql": """\
-- A view on the first model: ref() names a model and orders the build.
select id, upper(label) as label
from {{ ref('my_first_model') }}
where id = 1
""",
    "models/example/schema.yml": """\
version: 2

models:
  - name: my_first_model
    description: "Two literal rows"
    columns:
      - name: id
        description: "The row's key"
        data_tests:
          - unique
          - not_null

  - name: my_second_model
    description: "The first model's first row, its label in capitals"
    columns:
      - name: id
        description: "The row's key"
        data_tests:
          - unique
          - not_null
""",
    "README.md": """\
# {name}

A dbt project. `fusion build` (or `dbt build`) builds the models in `models/` and runs their tests;
`fusion ls` lists what the project holds.
""",
    ".gitignore": "target/\ndbt_packages/\nlogs/\n",
    **{f"{folder}/.gitkeep": "" for folder in ("analyses", "macros", "seeds", "snapshots", "tests")},
}


def check_name(name: str) -> str | None:
    """Why ``name`` cannot name a project, or None."""
    if not NAME.match(name):
        return f"{name!r} is not a valid project name: use letters, digits and underscores, not starting with a digit"
    if name in RESERVED or name.startswith("dbt_"):
        return f"{name!r} is the name of a package Fusion or dbt provides"
    return None


def create_project(root: Path, name: str, profile: str) -> None:
    """The starter project at ``root`` (which must not exist), naming ``profile`` for its connection."""
    files = {"dbt_project.yml": _PROJECT.format(name=name, profile=profile),
             **{rel: text.replace("{name}", name) for rel, text in _FILES.items()}}
    staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}."))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o777 & ~_UMASK)  # mkdtemp makes 0700 folders
        os.rename(staging, root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise FusionError(f"could not create the project at {root}: {exc.strerror or exc}",
                          hint="check that the folder is writable and no file of that name exists") from exc

