"""Unit tests as dbt Core runs them: macro overrides may name a package's macro (``pkg.macro``),
which then replaces it wherever that package's namespace is used; in ``build`` a model's unit
tests run one after another, and the first that fails skips the rest and the model."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project

FILES = {
    "macros/bounds.sql": "{% macro bounds(x) %}{{ return({'low': 0, 'high': x}) }}{% endmacro %}\n"
                         "{% macro high_of(x) %}{{ return(proj.bounds(x)['high']) }}{% endmacro %}\n",
    "models/m.sql": "select {{ high_of(5) }} as high, {{ current_timestamp() }} is not null as now_known\n",
    "models/unit.yml": """
unit_tests:
  - name: qualified_override
    model: m
    overrides:
      macros:
        proj.bounds: {low: 1, high: 7}
    given: []
    expect:
      rows:
        - {high: 7, now_known: true}
  - name: dbt_override_reaches_the_bare_name
    model: m
    overrides:
      macros:
        dbt.current_timestamp: "null"
    given: []
    expect:
      rows:
        - {high: 5, now_known: false}
""",
}


def test_unit_test_overrides_a_package_qualified_macro(tmp_path):
    project = write_project(tmp_path, FILES)
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    assert "PASS" in result.output and "FAIL" not in result.output


FAILING_TWICE = """
unit_tests:
  - name: first_wrong
    model: n
    given: []
    expect:
      rows:
        - {id: 2}
  - name: second_wrong
    model: n
    given: []
    expect:
      rows:
        - {id: 3}
"""


def test_in_build_a_models_first_failing_unit_test_skips_its_other_unit_tests(tmp_path):
    """dbt's build runs a model's unit tests one after another and skips the rest (and the model)
    after the first that fails."""
    project = write_project(tmp_path, {"models/n.sql": "select 1 as id\n", "models/unit.yml": FAILING_TWICE})
    result = run_fusion(project, "build")
    assert result.code == 1
    statuses = {r["unique_id"].split(".")[-1]: r["status"]
                for r in json.loads((project / "target/run_results.json").read_text())["results"]}
    assert sorted(statuses.values()) == ["fail", "skipped", "skipped"], statuses
    assert statuses["n"] == "skipped"
    # `fusion test` runs every unit test
    result = run_fusion(project, "test")
    statuses = [r["status"] for r in json.loads((project / "target/run_results.json").read_text())["results"]]
    assert statuses == ["fail", "fail"]
