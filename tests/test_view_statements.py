"""A view that is one ``create or replace`` runs without begin/commit; hooks, grants, persisted
docs or an override of the macros that run them keep the transaction and every step."""

from __future__ import annotations

import pytest
from conftest import query, write_project
from fusion.adapter import Adapter
from fusion.api import FusionRunner

AUDIT = ("on-run-start: [\"create table if not exists main.audit (what varchar(20))\"]\n")


@pytest.fixture
def statements(monkeypatch):
    """Every statement the adapter runs, in order."""
    seen: list[str] = []
    original = Adapter._run

    def recording(self, statement, fetch):
        seen.append(" ".join(statement.split()).lower())
        return original(self, statement, fetch)

    monkeypatch.setattr(Adapter, "_run", recording)
    return seen


def _run(root, files):
    project = write_project(root, {"dbt_project.yml": "name: proj\nprofile: proj\n" + AUDIT, **files},
                            profile_path=str(root / "db.duckdb"))
    res = FusionRunner().invoke(["run", "--project-dir", str(project)])
    assert res.success, res.exception
    return project


def _builds(statements):
    """The statements from the view's build on: transaction control and DDL, catalog reads left out."""
    return [s for s in statements if s.startswith(("begin", "commit", "create or replace view", "insert"))]


def test_a_plain_view_is_one_statement(tmp_path, statements):
    project = _run(tmp_path, {"models/v.sql": "select 1 as id\n"})
    assert _builds(statements) == ['create or replace view "db"."main"."v" as ( select 1 as id )']
    assert query(project / "db.duckdb", "select id from main.v") == [(1,)]


def test_a_view_with_a_hook_builds_in_a_transaction(tmp_path, statements):
    project = _run(tmp_path, {"models/v.sql": "{{ config(post_hook=\"insert into main.audit values ('hook')\") }}"
                                              "select 1 as id\n"})
    assert _builds(statements) == ["begin", 'create or replace view "db"."main"."v" as ( select 1 as id )',
                                   "insert into main.audit values ('hook')", "commit"]
    assert query(project / "db.duckdb", "select what from main.audit") == [("hook",)]


@pytest.mark.parametrize("macro", [
    "{% macro run_hooks(hooks, inside_transaction=True) %}{% do run_query(\"insert into main.audit values ('"
    "own hooks')\") %}{% endmacro %}",
    "{% macro default__apply_grants(relation, grant_config, should_revoke=True) %}{% do run_query(\"insert into "
    "main.audit values ('own grants')\") %}{% endmacro %}",
])
def test_an_overridden_step_macro_still_runs(tmp_path, statements, macro):
    project = _run(tmp_path, {"models/v.sql": "select 1 as id\n", "macros/own.sql": macro})
    assert "begin" in _builds(statements)
    assert query(project / "db.duckdb", "select count(*) from main.audit")[0][0] >= 1
