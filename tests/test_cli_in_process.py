"""``run_fusion`` runs the CLI in this process: it prints and exits as ``python -m fusion`` does
in a child process (the child is what the ``cli_process`` fixture and ``env=`` still use)."""

from __future__ import annotations

import os

import pytest
from conftest import run_fusion, write_project

MODELS = {"models/a.sql": "select 1 as id\n", "models/b.sql": "select * from {{ ref('a') }}\n"}


@pytest.mark.parametrize("args, files", [
    (["ls"], MODELS),
    (["ls", "-s", "nothing_matches"], MODELS),
    (["nosuch"], MODELS),
    (["compile"], {"models/a.sql": "select * from {{ ref('b') }}\n", "models/b.sql": "select * from {{ ref('a') }}\n"}),
])
def test_in_process_matches_the_child_process(tmp_path, args, files):
    project = write_project(tmp_path, files)
    inside = run_fusion(project, *args)
    child = run_fusion(project, *args, env=dict(os.environ))
    assert (inside.code, inside.stdout, inside.stderr) == (child.code, child.stdout, child.stderr)
