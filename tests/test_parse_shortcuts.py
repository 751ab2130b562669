"""Parse shortcuts (reused naming answers, built-in generic tests captured from their arguments)
must give what a full render gives whenever the user's code could tell the difference."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project


def _nodes(project):
    assert (result := run_fusion(project, "parse")).code == 0, result.output
    return json.loads((project / "target" / "manifest.json").read_text())["nodes"]


def test_naming_macro_reading_the_node_is_called_per_node(tmp_path):
    project = write_project(tmp_path, {
        "macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
                             "  {{ target.schema }}_{{ node.name }}"
                             "{{ '_' ~ custom_schema_name if custom_schema_name }}\n"
                             "{%- endmacro %}\n",
        "models/a.sql": "select 1 as id", "models/b.sql": "{{ config(schema='x') }}select 1 as id",
        "models/c.sql": "select 1 as id",
    })
    nodes = _nodes(project)
    assert [nodes[f"model.proj.{n}"]["schema"] for n in "abc"] == ["main_a", "main_b_x", "main_c"]


def test_naming_macro_ignoring_the_node_still_sees_package_vars(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nvars:\n  suffix: s1\n",
        "macros/naming.sql": "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
                             "  {%- if custom_schema_name -%}{{ custom_schema_name }}_{{ var('suffix') }}"
                             "{%- else -%}{{ target.schema }}{%- endif -%}\n{%- endmacro %}\n",
        "models/a.sql": "{{ config(schema='one') }}select 1 as id",
        "models/b.sql": "{{ config(schema='two') }}select 1 as id",
        "models/c.sql": "{{ config(schema='one') }}select 1 as id", "models/d.sql": "select 1 as id",
    })
    nodes = _nodes(project)
    assert [nodes[f"model.proj.{n}"]["schema"] for n in "abcd"] == ["one_s1", "two_s1", "one_s1", "main"]


def test_overridden_builtin_test_macro_is_rendered_at_parse(tmp_path):
    """A project's own ``test_not_null`` may call ref(): that dependency must be captured."""
    project = write_project(tmp_path, {
        "macros/not_null.sql": "{% test not_null(model, column_name) %}\n"
                               "select * from {{ model }} where {{ column_name }} is null\n"
                               "and 1 = (select 1 from {{ ref('helper') }} limit 1)\n{% endtest %}\n",
        "models/helper.sql": "select 1 as id", "models/m.sql": "select 1 as id",
        "models/schema.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n"
                             "        data_tests: [not_null, unique]\n",
    })
    nodes = _nodes(project)
    tests = {n["name"]: n for n in nodes.values() if n["resource_type"] == "test"}
    assert tests["not_null_m_id"]["depends_on"]["nodes"] == ["model.proj.m", "model.proj.helper"]
    assert tests["unique_m_id"]["depends_on"]["nodes"] == ["model.proj.m"]
    relationships = write_project(tmp_path / "r", {
        "models/parent.sql": "select 1 as id", "models/child.sql": "select 1 as parent_id",
        "models/schema.yml": "version: 2\nmodels:\n  - name: child\n    columns:\n      - name: parent_id\n"
                             "        data_tests:\n          - relationships:\n              arguments:\n"
                             "                to: ref('parent')\n                field: id\n",
    })
    test = next(n for n in _nodes(relationships).values() if n["resource_type"] == "test")
    assert sorted(test["depends_on"]["nodes"]) == ["model.proj.child", "model.proj.parent"]
