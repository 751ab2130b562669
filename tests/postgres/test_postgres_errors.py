"""Error paths on a real PostgreSQL server: bad credentials, failing models, SQL errors.

Every failure is one clear message (naming profiles.yml or the model), never a traceback, and a
failed model leaves what was there before (PostgreSQL rolls the whole transaction back).
"""

from __future__ import annotations

import pytest
from conftest import run_fusion
from servers import write_target_project

pytestmark = pytest.mark.postgres


def _fails_clearly(result, *needles: str) -> None:
    assert result.code != 0, result.output
    assert "Traceback" not in result.output, result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_wrong_password_names_profiles_yml(tmp_path, postgres, pg_database):
    target = postgres.target(pg_database, "main", password="not-the-password")
    project = write_target_project(tmp_path, {"models/a.sql": "select 1 as id\n"}, target)
    result = run_fusion(project, "build")
    _fails_clearly(result, "profiles.yml", "password authentication failed")
    assert "not-the-password" not in result.output


def test_missing_database_key_names_profiles_yml(tmp_path, postgres):
    target = postgres.target("x", "main")
    del target["dbname"]
    project = write_target_project(tmp_path, {"models/a.sql": "select 1 as id\n"}, target)
    _fails_clearly(run_fusion(project, "parse"), "profiles.yml", "needs `dbname` (or `database`)")


def test_unknown_role_names_profiles_yml(tmp_path, postgres, pg_database):
    target = postgres.target(pg_database, "main", role="no_such_role")
    project = write_target_project(tmp_path, {"models/a.sql": "select 1 as id\n"}, target)
    _fails_clearly(run_fusion(project, "build"), "profiles.yml", "could not set role 'no_such_role'",
                   'role "no_such_role" does not exist', "SQLSTATE 22023")


def test_sql_error_shows_sqlstate_and_keeps_going(tmp_path, postgres, pg_database, pg_query):
    project = write_target_project(tmp_path, {
        "models/bad.sql": "select nope from (select 1 as x) as t\n",
        "models/good.sql": "select 1 as id\n",
    }, postgres.target(pg_database, "main"))
    result = run_fusion(project, "run")
    _fails_clearly(result, "bad", 'column "nope" does not exist (SQLSTATE 42703)', "LINE ")
    assert "Query was" not in result.output
    assert pg_query('select id from main.good') == [(1,)]


def test_failing_model_leaves_previous_table(tmp_path, postgres, pg_database, pg_query):
    files = {"models/t.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
             "models/v.sql": "select 'old' as version\n"}
    project = write_target_project(tmp_path, files, postgres.target(pg_database, "main"))
    assert run_fusion(project, "run").code == 0

    # fails while building: nothing was swapped yet
    (project / "models" / "t.sql").write_text("{{ config(materialized='table') }}\nselect 1 / 0 as id\n")
    # fails after the swap (a post-hook), so only the rollback can bring the old relations back
    (project / "models" / "v.sql").write_text(
        "{{ config(post_hook='select * from no_such_table') }}\nselect 'new' as version\n")
    result = run_fusion(project, "run")
    _fails_clearly(result, "division by zero (SQLSTATE 22012)", 'relation "no_such_table" does not exist')

    assert pg_query("select id from main.t") == [(1,)]
    assert pg_query("select version from main.v") == [("old",)]
    left = pg_query("select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where nspname = 'main' order by 1")
    assert left == [("t",), ("v",)]  # no __dbt_tmp / __dbt_backup left behind


def test_failing_incremental_keeps_its_rows(tmp_path, postgres, pg_database, pg_query):
    model = ("{{ config(materialized='incremental', unique_key='id') }}\n"
             "select {{ var('id') }} as id, {{ var('value') }} as value\n")
    project = write_target_project(tmp_path, {"models/inc.sql": model}, postgres.target(pg_database, "main"))
    assert run_fusion(project, "run", "--vars", '{"id": 1, "value": 10}').code == 0
    _fails_clearly(run_fusion(project, "run", "--vars", '{"id": 1, "value": "1/0"}'), "SQLSTATE 22012")
    assert pg_query("select id, value from main.inc") == [(1, 10)]
