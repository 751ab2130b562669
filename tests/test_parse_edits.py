"""One-edit parses: a model whose text changed but not what it declares is re-rendered alone,
manifest.json is patched in place, and the result is still a cold parse's (fusion.parse.edits)."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project
from test_parse_cache import _manifest_text

FILES = {
    "models/a.sql": "select 1 as id",
    "models/b.sql": "{{ config(materialized='table', tags=['t']) }}\nselect id from {{ ref('a') }}",
    "models/c.sql": "select id from {{ ref('b') }}",
    "models/g.sql": "{% if graph.nodes | length > 0 %}select 1 as id{% else %}select 2 as id{% endif %}",
    "models/e.sql": "select '{{ env_var('EDIT_SUFFIX', 'x') }}' as s",
    "models/schema.yml": "version: 2\nmodels:\n  - name: b\n    columns:\n"
                         "      - name: id\n        data_tests: [not_null]\n",
}
FAST = "re-rendered"
B_CONFIG = "{{ config(materialized='table', tags=['t']) }}\n"


def _parse(project, env=None) -> str:
    result = run_fusion(project, "parse", env=env)
    assert result.code == 0, result.output
    return result.stdout


def _same_as_cold(project) -> None:
    cold = run_fusion(project, "parse", "--no-partial-parse", "--target-path", "cold")
    assert cold.code == 0, cold.output
    assert _manifest_text(project, "target") == _manifest_text(project, "cold")


def _write(project, name: str, text: str) -> None:
    (project / "models" / name).write_text(text)


def test_a_body_edit_re_renders_one_model_and_equals_a_cold_parse(tmp_path):
    project = write_project(tmp_path, FILES)
    assert FAST not in _parse(project)

    _write(project, "b.sql", B_CONFIG + "\n select id, 2 as two from {{ ref('a') }}")
    _write(project, "a.sql", "-- a comment\nselect 1 as id")
    assert "re-rendered 2 edited model(s)" in _parse(project)
    _same_as_cold(project)
    assert "nothing changed" in _parse(project)

    _write(project, "b.sql", B_CONFIG + "select id, 3 as three from {{ ref('a') }}")
    assert FAST in _parse(project)  # a second edit on top of the first
    _same_as_cold(project)

    # the cached manifest other commands load carries the edits too, edited again in between
    _write(project, "c.sql", "select id from {{ ref('b') }} where id > 0")
    compiled = run_fusion(project, "compile")
    assert compiled.code == 0, compiled.output
    compiled_dir = project / "target" / "compiled" / "proj" / "models"
    assert "3 as three" in (compiled_dir / "b.sql").read_text()
    assert "id > 0" in (compiled_dir / "c.sql").read_text()
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert "id > 0" in manifest["nodes"]["model.proj.c"]["raw_code"]


def test_a_changed_declaration_or_context_takes_the_full_parse(tmp_path):
    project = write_project(tmp_path, FILES)
    _parse(project)
    changes = [
        ("c.sql", "select id from {{ ref('a') }}"),  # another ref: the DAG changes
        ("b.sql", "{{ config(materialized='view', tags=['t']) }}\nselect id from {{ ref('a') }}"),  # config
        ("g.sql", "{% if graph.nodes | length > 0 %}select 1 as id{% else %}select 3 as id{% endif %}"),
        ("e.sql", "select '{{ env_var('EDIT_SUFFIX', 'y') }}' as s"),  # reads the environment
    ]
    for name, text in changes:
        _write(project, name, text)
        assert FAST not in _parse(project), name
        _same_as_cold(project)
    (project / "models" / "new.sql").write_text("select 1 as id")
    assert FAST not in _parse(project)
    _same_as_cold(project)


def test_a_manifest_json_written_by_someone_else_is_written_again_not_patched(tmp_path):
    project = write_project(tmp_path, FILES)
    _parse(project)
    (project / "target" / "manifest.json").write_text("{}")
    _write(project, "a.sql", "select 1 as id -- edited")
    assert FAST not in _parse(project)
    _same_as_cold(project)
