"""Bad input gives one clear message naming the file (and line), never a traceback."""

from __future__ import annotations

import pytest
from conftest import run_fusion, write_project

GOOD_MODEL = "select 1 as id\n"


def _fails_clearly(result, *needles: str) -> None:
    assert result.code != 0
    assert "Traceback" not in result.output, result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_missing_ref_names_the_model_file(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": "select * from {{ ref('nope') }}\n"})
    _fails_clearly(run_fusion(project, "parse"), "models/a.sql", "'nope'", "not found")


def test_cycle_is_reported_with_its_members(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select * from {{ ref('b') }}\n",
        "models/b.sql": "select * from {{ ref('a') }}\n",
    })
    _fails_clearly(run_fusion(project, "parse"), "cycle", "model.proj.a", "model.proj.b")


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": GOOD_MODEL,
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns: [\n",
    })
    _fails_clearly(run_fusion(project, "parse"), "models/schema.yml:", "invalid YAML")


def test_undefined_macro_names_file_and_line(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": "select 1 as id\n-- x\n{{ no_such_macro() }}\n"})
    _fails_clearly(run_fusion(project, "compile"), "models/a.sql:3", "no_such_macro")  # parsing tolerates it


def test_jinja_syntax_error_names_file_and_line(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": "select 1\n{% if true %}\n"})
    _fails_clearly(run_fusion(project, "parse"), "models/a.sql", "Jinja syntax error")


@pytest.mark.parametrize(("selector", "message"), [
    ("tag:", "invalid selector 'tag:'"),
    ("bogus_method:x", "unknown selection method 'bogus_method'"),
    ("@2+a", "invalid selector '@2+a'"),
])
def test_bad_select_is_a_clear_error(tmp_path, selector, message):
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    _fails_clearly(run_fusion(project, "ls", "--select", selector), message)


def test_unknown_profile_lists_the_known_ones(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: missing_profile\n",
        "models/a.sql": GOOD_MODEL,
    })
    _fails_clearly(run_fusion(project, "run"), "profiles.yml", "missing_profile", "proj")


def test_unknown_adapter_says_what_to_install(tmp_path):
    project = write_project(tmp_path, {
        "profiles.yml": "proj:\n  target: dev\n  outputs:\n    dev:\n      type: oracle\n      schema: x\n",
        "models/a.sql": GOOD_MODEL,
    })
    _fails_clearly(run_fusion(project, "run"), "pip install fusion-oracle")


def test_missing_project_file(tmp_path):
    _fails_clearly(run_fusion(tmp_path, "parse"), "dbt_project.yml")


def test_database_error_names_the_model_and_keeps_going(tmp_path):
    project = write_project(tmp_path, {
        "models/broken.sql": "select * from table_that_does_not_exist\n",
        "models/fine.sql": GOOD_MODEL,
        "models/after_broken.sql": "select * from {{ ref('broken') }}\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "Traceback" not in result.output
    assert "table_that_does_not_exist" in result.output
    assert "OK created sql view model main.fine" in result.output
    assert "SKIP relation main.after_broken" in result.output


def test_failed_table_build_leaves_previous_table(tmp_path):
    project = write_project(tmp_path, {"models/t.sql": "{{ config(materialized='table') }}\nselect 1 as id\n"})
    assert run_fusion(project, "run").code == 0
    (project / "models" / "t.sql").write_text(
        "{{ config(materialized='table') }}\nselect 2 as id union all select 'x'::integer as id\n")
    failed = run_fusion(project, "run")
    assert failed.code == 1 and "Traceback" not in failed.output
    shown = run_fusion(project, "show", "--inline", "select * from {{ ref('t') }}")
    assert shown.code == 0, shown.output
    assert "|  1 |" in shown.stdout and "|  2 |" not in shown.stdout


def test_failing_test_skips_downstream_in_build(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select null as id\n",
        "models/b.sql": "select * from {{ ref('a') }}\n",
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n"
                            "        data_tests: [not_null]\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 1
    assert "FAIL 1 not_null_a_id" in result.output
    assert "SKIP relation main.b" in result.output


def test_missing_var_names_the_model(tmp_path):
    """At compile time (parsing reads a missing var as None, as dbt does)."""
    project = write_project(tmp_path, {"models/a.sql": "select {{ var('not_set') }} as x\n"})
    _fails_clearly(run_fusion(project, "compile"), "models/a.sql", "not_set")


def test_project_config_values_render_vars(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nvars:\n  as_table: false\nmodels:\n  proj:\n"
                           "    +materialized: \"{{ 'table' if var('as_table') else 'view' }}\"\n",
        "models/a.sql": GOOD_MODEL,
    })
    assert "created sql view model" in run_fusion(project, "run").output
    result = run_fusion(project, "run", "--vars", "{as_table: true}")
    assert result.code == 0 and "created sql table model main.a" in result.output, result.output


def test_seed_with_ragged_row_names_file_and_line(tmp_path):
    project = write_project(tmp_path, {"seeds/s.csv": "a,b\n1,2\n3\n"})
    result = run_fusion(project, "seed")
    assert result.code == 1 and "Traceback" not in result.output
    assert "seeds/s.csv:3" in result.output and "header has 2 columns" in result.output


def test_unsupported_incremental_strategy_is_reported(tmp_path):
    project = write_project(tmp_path, {
        "models/i.sql": "{{ config(materialized='incremental', incremental_strategy='teleport') }}\nselect 1 as id\n"})
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "incremental strategy 'teleport' is not supported by duckdb" in result.output


def test_clean_refuses_targets_outside_the_project(tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    project = write_project(tmp_path / "p", {
        "dbt_project.yml": "name: proj\nprofile: proj\nclean-targets: ['../precious']\n"})
    _fails_clearly(run_fusion(project, "clean"), "refusing to delete")
    assert outside.is_dir()


def test_two_models_with_one_name_are_rejected(tmp_path):
    project = write_project(tmp_path, {"models/a/x.sql": GOOD_MODEL, "models/b/x.sql": GOOD_MODEL})
    _fails_clearly(run_fusion(project, "parse"), "two resources are named 'x'", "models/a/x.sql", "models/b/x.sql")


def test_missing_env_var_in_profile(tmp_path, monkeypatch):
    monkeypatch.delenv("FUSION_TEST_UNSET_VAR", raising=False)
    project = write_project(tmp_path, {
        "profiles.yml": "proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                        "      path: \"{{ env_var('FUSION_TEST_UNSET_VAR') }}\"\n      schema: main\n",
        "models/a.sql": GOOD_MODEL})
    _fails_clearly(run_fusion(project, "run"), "profiles.yml", "FUSION_TEST_UNSET_VAR")


def test_compiled_sql_that_cannot_be_written_is_a_clear_error(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "select 1 as id\n"})
    (project / "target").mkdir()
    (project / "target" / "compiled").write_text("")  # a file where the folder must go
    result = run_fusion(project, "compile")
    assert result.code == 2 and "Traceback" not in result.output
    assert "could not write" in result.output and "compiled" in result.output
    assert "target folder is writable" in result.output
