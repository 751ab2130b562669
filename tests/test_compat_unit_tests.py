"""Unit tests as dbt Core runs them in ``build``: macro overrides may name a package's macro
(``pkg.macro``), which then replaces it wherever that package's namespace is used."""

from __future__ import annotations

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
