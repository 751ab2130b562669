"""The adapter's quote policy and dbt_project.yml's ``quoting:`` decide how relation names are
written: in refs, ``this``, ``api.Relation.create`` and the manifest (on DuckDB, whose default is
to quote every part, as dbt-duckdb's)."""

from __future__ import annotations

import json

from conftest import query, run_fusion, write_project

MODEL = ("select 1 as id, '{{ api.Relation.create(database='d', schema='s', identifier='t') }}' as made, "
         "'{{ this }}' as me\n")


def test_default_policy_quotes_every_part(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": MODEL, "models/b.sql": "select * from {{ ref('a') }}\n"})
    assert run_fusion(project, "run").code == 0
    assert 'from "db"."main"."a"' in (project / "target/compiled/proj/models/b.sql").read_text()
    assert query(project / "db.duckdb", "select made, me from main.a") == [('"d"."s"."t"', '"db"."main"."a"')]


def test_project_quoting_turns_quoting_off(tmp_path):
    project_yml = ("name: proj\nprofile: proj\nconfig-version: 2\n"
                   "quoting:\n  database: false\n  schema: false\n  identifier: false\n")
    project = write_project(tmp_path, {"dbt_project.yml": project_yml, "models/a.sql": MODEL,
                                       "models/b.sql": "select * from {{ ref('a') }}\n"})
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert "from db.main.a" in (project / "target/compiled/proj/models/b.sql").read_text()
    assert query(project / "db.duckdb", "select made, me from main.a") == [("d.s.t", "db.main.a")]
    manifest = json.loads((project / "target/manifest.json").read_text())
    assert manifest["metadata"]["quoting"] == {"database": False, "schema": False, "identifier": False,
                                               "column": None}
    assert manifest["nodes"]["model.proj.b"]["relation_name"] == "db.main.b"
