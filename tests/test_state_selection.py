"""state: and result: selectors against a previous run's artifacts (--state DIR)."""

from __future__ import annotations

import shutil

import pytest
from conftest import run_fusion, write_project

FILES = {
    "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n    +materialized: view\n",
    "macros/m.sql": "{% macro inner() %}1{% endmacro %}\n{% macro outer() %}{{ inner() }}{% endmacro %}\n",
    "models/a.sql": "select {{ outer() }} as id",
    "models/b.sql": "select id from {{ ref('a') }}",
    "models/c.sql": "select 2 as id",
    "models/d.sql": "{{ config(persist_docs={'relation': true}) }}\nselect 3 as id",
    "models/e.sql": "select 4 as id",
    "models/schema.yml": "version: 2\nmodels:\n  - name: d\n    description: first\n"
                         "  - name: e\n    config: {contract: {enforced: true}}\n"
                         "    columns: [{name: id, data_type: integer}]\n",
}


def _ls(project, *select: str) -> set[str]:
    result = run_fusion(project, "ls", "-o", "name", "--resource-type", "model", "--state", "prod",
                        "-s", *select)
    assert result.code == 0, result.output
    return {line for line in result.stdout.splitlines() if not line.startswith("[WARNING]")}  # nothing matched


@pytest.fixture
def project(tmp_path):
    root = write_project(tmp_path / "p", FILES)
    assert run_fusion(root, "parse").code == 0
    shutil.copytree(root / "target", root / "prod")
    return root


def _edit(project, path, old, new):
    file = project / path
    file.write_text(file.read_text().replace(old, new))


def test_unchanged_project_has_nothing_modified(project):
    assert _ls(project, "state:modified") == set()
    assert _ls(project, "state:old") == {"a", "b", "c", "d", "e"}


def test_body_change_and_new_model(project):
    _edit(project, "models/c.sql", "2", "20")
    (project / "models/f.sql").write_text("select 5 as id")
    assert _ls(project, "state:modified") == {"c", "f"}
    assert _ls(project, "state:modified.body") == {"c", "f"}
    assert _ls(project, "state:new") == {"f"}
    assert _ls(project, "state:modified.configs") == {"f"}


def test_comment_only_change_is_modified_but_not_logic(project):
    _edit(project, "models/c.sql", "select 2", "-- why\nSELECT   2")
    _edit(project, "models/b.sql", "select id", "select id + 1 as id")
    assert _ls(project, "state:modified") == {"b", "c"}
    assert _ls(project, "state:modified.logic") == {"b"}


def test_config_and_relation_changes(project):
    _edit(project, "dbt_project.yml", "+materialized: view", "+materialized: table")
    _edit(project, "models/c.sql", "select", "{{ config(alias='c2') }}\nselect")
    assert _ls(project, "state:modified.configs") == {"a", "b", "c", "d", "e"}
    assert _ls(project, "state:modified.relation") == {"c"}
    assert _ls(project, "state:modified.body") == {"c"}


def test_macro_change_reaches_models_through_macro_calls(project):
    _edit(project, "macros/m.sql", "{% macro inner() %}1", "{% macro inner() %}2")
    assert _ls(project, "state:modified.macros") == {"a"}
    assert _ls(project, "state:modified+") == {"a", "b"}


def test_persisted_description_and_contract(project):
    _edit(project, "models/schema.yml", "description: first", "description: second")
    _edit(project, "models/schema.yml", "data_type: integer", "data_type: varchar")
    assert _ls(project, "state:modified.persisted_descriptions") == {"d"}
    assert _ls(project, "state:modified.contract") == {"e"}
    assert _ls(project, "state:modified") == {"d", "e"}


def test_result_selectors_with_graph_operators(tmp_path):
    root = write_project(tmp_path / "r", {
        "models/ok.sql": "select 1 as id", "models/bad.sql": "select * from nowhere",
        "models/after_bad.sql": "select * from {{ ref('bad') }}",
        "models/dup.sql": "select 1 as id union all select 1",
        "models/after_dup.sql": "select * from {{ ref('dup') }}",
        "models/schema.yml": "version: 2\nmodels:\n  - name: dup\n    columns: [{name: id, data_tests: [unique]}]\n"})
    assert run_fusion(root, "build").code == 1
    shutil.copytree(root / "target", root / "prod")
    assert _ls(root, "result:error") == {"bad"}
    assert _ls(root, "result:skipped") == {"after_bad", "after_dup"}
    assert _ls(root, "result:success", "--exclude", "result:error") == {"ok", "dup"}
    assert _ls(root, "result:error+") == {"bad", "after_bad"}
    result = run_fusion(root, "ls", "-o", "name", "--state", "prod", "-s", "result:fail")
    assert result.stdout.split() == ["unique_dup_id"]


def test_state_selector_without_state_is_a_clear_error(project):
    result = run_fusion(project, "ls", "-s", "state:modified")
    assert result.code == 2
    assert "Error: state:modified needs --state" in result.output and "Traceback" not in result.output
    result = run_fusion(project, "ls", "-s", "state:changed", "--state", "prod")
    assert "Error: unknown state selector state:changed" in result.output
    result = run_fusion(project, "ls", "-s", "state:new", "--state", "missing")
    assert "Error: the --state folder" in result.output and "does not exist" in result.output
    (project / "prod" / "manifest.json").write_text("{not json")
    result = run_fusion(project, "ls", "-s", "state:new", "--state", "prod")
    assert result.code == 2 and "cannot read manifest.json" in result.output
    assert "prod/manifest.json" in result.output and "Traceback" not in result.output


def test_configs_compare_as_written_not_as_rendered_for_a_target(tmp_path):
    files = {**FILES, "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n"
             "    +materialized: \"{{ 'table' if target.name == 'prod' else 'view' }}\"\n"}
    root = write_project(tmp_path / "p", files)
    profile = (root / "profiles.yml").read_text()
    (root / "profiles.yml").write_text(profile + profile.split("outputs:\n", 1)[1].replace("dev:", "prod:", 1))
    assert run_fusion(root, "parse", "--target", "prod").code == 0
    shutil.copytree(root / "target", root / "prod")
    # target dev renders `view`: the config as written is the same
    assert _ls(root, "state:modified.configs") == set()
    assert _ls(root, "state:modified.body") == set()
    _edit(root, "dbt_project.yml", "'table'", "'incremental'")
    assert _ls(root, "state:modified.configs") == {"a", "b", "c", "d", "e"}
