"""Contracts, persist_docs, grants and hooks on DuckDB."""

from __future__ import annotations

from conftest import query, run_fusion, write_project

CONTRACT_YML = """
version: 2
models:
  - name: c
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
        constraints: [{type: not_null}, {type: primary_key}]
      - name: name
        data_type: varchar
"""


def test_contract_met_builds_with_constraints(tmp_path):
    project = write_project(tmp_path, {
        "models/c.sql": "{{ config(materialized='table') }}\nselect 1 as id, 'a' as name\n",
        "models/c.yml": CONTRACT_YML,
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select id, name from main.c") == [(1, "a")]
    constraints = query(project / "db.duckdb", "select constraint_type from duckdb_constraints() "
                                               "where table_name = 'c' order by 1")
    assert ("PRIMARY KEY",) in constraints and ("NOT NULL",) in constraints


def test_contract_type_or_name_mismatch_stops_before_building(tmp_path):
    project = write_project(tmp_path, {
        "models/c.sql": "{{ config(materialized='table') }}\nselect 'x' as id, 'a' as nom\n",
        "models/c.yml": CONTRACT_YML,
    })
    result = run_fusion(project, "run")
    assert result.code == 1 and "Traceback" not in result.output
    assert "the contract of c is not met" in result.output
    assert "id: declared INTEGER, the query returns VARCHAR" in result.output
    assert "name: declared VARCHAR, missing from the query" in result.output
    assert "nom: returned by the query (VARCHAR) but not in the contract" in result.output
    assert "models/c.yml" in result.output
    assert query(project / "db.duckdb", "select count(*) from information_schema.tables "
                                        "where table_name = 'c'") == [(0,)]


def test_constraint_violation_keeps_previous_table(tmp_path):
    project = write_project(tmp_path, {
        "models/c.sql": "{{ config(materialized='table') }}\nselect 1 as id, 'a' as name\n",
        "models/c.yml": CONTRACT_YML,
    })
    assert run_fusion(project, "run").code == 0
    (project / "models" / "c.sql").write_text(
        "{{ config(materialized='table') }}\nselect cast(null as int) as id, 'b' as name\n")
    result = run_fusion(project, "run")
    assert result.code == 1 and "NOT NULL" in result.output.upper()
    assert query(project / "db.duckdb", "select id, name from main.c") == [(1, "a")]


def test_contract_without_types_is_a_clear_error(tmp_path):
    project = write_project(tmp_path, {
        "models/c.sql": "select 1 as id\n",
        "models/c.yml": "version: 2\nmodels:\n  - name: c\n    config: {contract: {enforced: true}}\n"
                        "    columns: [{name: id}]\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 1 and "needs a data_type for every column (missing: id)" in result.output


def test_persist_docs_writes_comments_and_grants_are_accepted(tmp_path):
    project = write_project(tmp_path, {
        "models/t.sql": "{{ config(materialized='table', persist_docs={'relation': true, 'columns': true},"
                        " grants={'select': ['reporter']}) }}\nselect 1 as id\n",
        "models/v.sql": "{{ config(persist_docs={'relation': true}) }}\nselect 2 as id\n",
        "models/t.yml": "version: 2\nmodels:\n  - name: t\n    description: \"All the t's\"\n"
                        "    columns: [{name: id, description: the key}]\n"
                        "  - name: v\n    description: a view\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    db = project / "db.duckdb"
    assert query(db, "select comment from duckdb_tables() where table_name = 't'") == [("All the t's",)]
    assert query(db, "select comment from duckdb_views() where view_name = 'v'") == [("a view",)]
    assert query(db, "select comment from duckdb_columns() where table_name = 't'") == [("the key",)]


def test_hooks_run_in_order_with_results_in_on_run_end(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\n"
                           "on-run-start: [\"create table if not exists main.log (step varchar)\"]\n"
                           "on-run-end: [\"insert into main.log values ('end {{ results | length }}')\"]\n"
                           "models:\n  proj:\n    +pre-hook: \"insert into main.log values ('pre {{ this.name }}')\"\n",
        "models/a.sql": "{{ config(post_hook=\"insert into main.log values ('post {{ this.name }}')\") }}\n"
                        "select 1 as id\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select step from main.log") == [("pre a",), ("post a",), ("end 1",)]
