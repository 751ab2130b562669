"""The last dbt Core behaviours the extra corpus relies on, each in a tiny project of its own."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project


def _results(project) -> dict[str, dict]:
    data = json.loads((project / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r for r in data["results"]}


def test_a_test_materialization_block_can_call_the_builtin_one_as_a_macro(tmp_path):
    """dbt exposes its materializations as ``dbt.materialization_<name>_<adapter>``; a wrapping
    block's test keeps the built-in's verdict (pass / fail with the failure count)."""
    project = write_project(tmp_path, {
        "macros/mat.sql": "{% materialization test, default %}{{ log('wrapped ' ~ model.name, info=true) }}"
                          "{% do return(dbt.materialization_test_default()) %}{% endmaterialization %}\n",
        "models/a.sql": "select 1 as id union all select null\n",
        "models/s.yml": "models:\n  - name: a\n    columns:\n      - name: id\n"
                        "        data_tests: [not_null, unique]\n",
    })
    result = run_fusion(project, "build")
    assert "wrapped not_null_a_id" in result.output, result.output
    statuses = {uid.split(".")[2]: (r["status"], r["failures"]) for uid, r in _results(project).items()}
    assert statuses == {"a": ("success", None), "not_null_a_id": ("fail", 1), "unique_a_id": ("pass", 0)}


def test_raw_code_is_stripped_and_errors_keep_the_files_line_numbers(tmp_path):
    """dbt strips each file's raw_code; a model compiling to nothing gets no compiled file; an
    error still names the line in the file."""
    project = write_project(tmp_path, {
        "models/a.sql": "\n\n  select 1 as id  \n\n",
        "models/empty.sql": "\n{{ config(materialized='view') }}\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    nodes = json.loads((project / "target" / "manifest.json").read_text())["nodes"]
    assert nodes["model.proj.a"]["raw_code"] == "select 1 as id"
    assert nodes["model.proj.a"]["compiled_code"] == "select 1 as id"
    assert not (project / "target" / "compiled" / "proj" / "models" / "empty.sql").exists()
    (project / "models" / "a.sql").write_text("\n\n\nselect {{ no_such_macro() }}\n")
    result = run_fusion(project, "compile")
    assert result.code != 0
    assert "models/a.sql:4:" in result.output, result.output


def test_as_bool_in_a_test_config_is_a_truthy_marker_as_in_dbts_native_rendering(tmp_path):
    """dbt renders test configs natively, where ``as_bool`` makes a string marker: ``(false |
    as_bool) and ...`` is truthy, so a test on a disabled model stays in ``nodes`` (disabled by
    its missing ref); a lone ``false | as_bool`` is still False. SQL rendering is unchanged."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n"
                           "    old:\n      +enabled: false\n",
        "models/old/b.sql": "select 1 as id\n",
        "models/a.sql": "select {% if (var('x', false) | as_bool) %}1{% else %}2{% endif %} as a\n",
        "models/s.yml": "models:\n  - name: b\n    data_tests:\n"
                        "      - not_null:\n          column_name: id\n          config:\n"
                        "            enabled: \"{{ (var('x', false) | as_bool) and (var('y', true) | as_bool) }}\"\n"
                        "      - unique:\n          column_name: id\n          config:\n"
                        "            enabled: \"{{ var('x', false) | as_bool }}\"\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    kept = manifest["nodes"]["test.proj.not_null_b_id.37be81e63b"]
    assert (kept["config"]["enabled"], kept["depends_on"]["nodes"]) == (False, [])
    assert "test.proj.unique_b_id.fd91545187" in manifest["disabled"]
    assert manifest["nodes"]["model.proj.a"]["compiled_code"] == "select 2 as a"


def test_duckdb_rejects_a_partition_by_that_is_not_a_string_or_list_of_strings(tmp_path):
    """dbt-duckdb's table/incremental materializations check ``partition_by`` (BigQuery's dict
    shape is an error there) before ignoring it outside DuckLake."""
    project = write_project(tmp_path, {
        "models/bad.sql": "{{ config(materialized='table', partition_by={'field': 'id'}) }}select 1 as id\n",
        "models/ok.sql": "{{ config(materialized='table', partition_by=['id']) }}select 1 as id\n",
    })
    result = run_fusion(project, "run")
    assert result.code != 0
    assert "models/bad.sql" in result.output and "must be a list of strings or a string" in result.output
    statuses = {uid: r["status"] for uid, r in _results(project).items()}
    assert statuses == {"model.proj.bad": "error", "model.proj.ok": "success"}
