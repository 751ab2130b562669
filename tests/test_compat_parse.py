"""Parse-time behaviours real dbt projects rely on, each in a tiny project of its own."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project


def _manifest(project) -> dict:
    return json.loads((project / "target" / "manifest.json").read_text())


def test_ref_and_source_at_parse_time_are_relations_to_mapping_checks(tmp_path):
    """Utility packages check ``obj is mapping and obj.get('metadata').type endswith 'Relation'``."""
    check = ("{% macro must_be_relation(obj) %}{% if not (obj is mapping and obj.get('metadata', {})"
             ".get('type', '').endswith('Relation')) %}{{ exceptions.raise_compiler_error('not a relation: ' ~ obj) }}"
             "{% endif %}{% endmacro %}\n")
    project = write_project(tmp_path, {
        "macros/check.sql": check,
        "models/a.sql": "select 1 as id\n",
        "models/b.sql": "{% do must_be_relation(ref('a')) %}{% do must_be_relation(source('raw', 't')) %}"
                        "select * from {{ ref('a') }}\n",
        "models/src.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert _manifest(project)["nodes"]["model.proj.b"]["depends_on"]["nodes"] == ["model.proj.a", "source.proj.raw.t"]


def test_dbt_project_yml_sees_target(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n"
                           "    +materialized: \"{{ 'table' if target.type in ['duckdb'] else 'view' }}\"\n"
                           "    +alias: \"{{ target.name }}_a\"\n",
        "models/a.sql": "select 1 as id\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = _manifest(project)["nodes"]["model.proj.a"]
    assert (node["config"]["materialized"], node["alias"]) == ("table", "dev_a")
