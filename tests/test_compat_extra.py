"""Behaviours of dbt Core that more real projects rely on, each in a tiny project of its own."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project


def _manifest(project) -> dict:
    return json.loads((project / "target" / "manifest.json").read_text())


def _compiled(project, name: str) -> str:
    return _manifest(project)["nodes"][f"model.proj.{name}"]["compiled_code"]


def _package(root, name: str, files: dict[str, str], version: str = "1.2.3"):
    """A package installed under dbt_packages/ of the project at ``root``."""
    write_project(root / "dbt_packages" / name, {
        "dbt_project.yml": f"name: {name}\nversion: '{version}'\nconfig-version: 2\n", **files})


def test_builtins_ref_carries_the_runtime_config(tmp_path):
    """``builtins.ref.config``: the project's name and each package's version, as packages read them."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nversion: '0.4.0'\nconfig-version: 2\n",
        "models/a.sql": "{% set c = builtins.ref.config %}"
                        "select '{{ c.project_name }}' as p, '{{ c.dependencies['pkg'].version }}' as v, "
                        "'{{ c.dependencies['proj'].version }}' as r\n",
    })
    _package(project, "pkg", {}, version="2.1.0")
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _compiled(project, "a").strip() == "select 'proj' as p, '2.1.0' as v, '0.4.0' as r"


def test_backcompat_timestamp_macros(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select {{ dbt.current_timestamp_backcompat() }} as n, "
                        "{{ current_timestamp_in_utc_backcompat() }} as u\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _compiled(project, "a").strip() == "select current_timestamp::timestamp as n, current_timestamp::timestamp as u"


def test_root_default_generate_schema_name_wins(tmp_path):
    """dbt's generate_*_name dispatch: the root project's ``default__``/``<adapter>__`` macros win."""
    project = write_project(tmp_path, {
        "macros/naming.sql": "{% macro default__generate_schema_name(custom_schema_name, node) %}"
                             "{{ custom_schema_name or target.schema }}{% endmacro %}\n"
                             "{% macro duckdb__generate_alias_name(custom_alias_name, node) %}"
                             "{{ node.name }}_x{% endmacro %}\n",
        "models/a.sql": "{{ config(schema='raw') }} select 1 as id\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = _manifest(project)["nodes"]["model.proj.a"]
    assert (node["schema"], node["alias"]) == ("raw", "a_x")


def test_dispatch_without_a_namespace_finds_the_calling_packages_macros(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": "select 1 as id\n"})
    _package(project, "pkg", {
        "macros/pm.sql": "{% macro pm() %}{{ return(adapter.dispatch('pm')()) }}{% endmacro %}"
                         "{% macro default__pm() %}7{% endmacro %}"
                         "{% macro qm() %}{{ return(adapter.dispatch('qm', 'not_a_package')()) }}{% endmacro %}"
                         "{% macro default__qm() %}8{% endmacro %}\n",
        "models/b.sql": "select {{ pm() }} as p, {{ qm() }} as q\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _manifest(project)["nodes"]["model.pkg.b"]["compiled_code"].strip() == "select 7 as p, 8 as q"


def test_a_generic_tests_description_is_not_an_argument(tmp_path):
    project = write_project(tmp_path, {
        "macros/is_small.sql": "{% test is_small(model, column_name) %}"
                               "select * from {{ model }} where {{ column_name }} > 10{% endtest %}\n",
        "models/a.sql": "select 1 as id\n",
        "models/a.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests:\n"
                        "          - is_small:\n              description: ids stay small\n              arguments: {}\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    tests = [n for n in _manifest(project)["nodes"].values() if n["resource_type"] == "test"]
    assert [(t["name"], t["description"], t["test_metadata"]["kwargs"].get("description")) for t in tests] == [
        ("is_small_a_id", "ids stay small", None)]


def test_a_var_without_default_is_none_while_parsing_and_an_error_at_compile(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": "select '{{ var(\"never_defined\") }}' as v\n"})
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    result = run_fusion(project, "compile")
    assert result.code != 0 and "Required var 'never_defined'" in result.output, result.output


def test_context_is_the_render_context_and_shows_no_internals(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "{% do context.update({'k': 1}) %}select {{ context.get('k') }} as c\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _compiled(project, "a").strip() == "select 1 as c"
    (project / "models" / "b.sql").write_text("select '{{ context.runtime }}' as r\n")
    result = run_fusion(project, "parse")
    assert result.code != 0 and "models/b.sql:1: access to attribute 'runtime'" in result.output, result.output


def test_api_column_type_helpers(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select '{{ api.Column.translate_type('string') }}' as t, "
                        "'{{ api.Column.translate_type('varchar') }}' as u, '{{ api.Column.string_type(16) }}' as s, "
                        "'{{ api.Column.numeric_type('numeric', 12, 2) }}' as n, "
                        "'{{ api.Column.numeric_type('numeric', none, 2) }}' as m, "
                        "'{{ api.Column.create('x', 'integer').data_type }}' as c\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _compiled(project, "a").strip() == ("select 'TEXT' as t, 'varchar' as u, 'character varying(16)' as s, "
                                               "'numeric(12,2)' as n, 'numeric' as m, 'INT' as c")


def test_on_run_end_results_carry_their_node(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\non-run-end:\n"
                           "  - \"{% for r in results %}{{ log('result ' ~ r.node.unique_id ~ ' ' ~ r.node.resource_type"
                           " ~ ' ' ~ r.node.config.materialized ~ ' ' ~ r.status, info=true) }}{% endfor %}\"\n",
        "models/a.sql": "select 1 as id\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert "result model.proj.a model view success" in result.output


def test_packages_hooks_are_parsed_and_run_before_the_root_projects(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n    +materialized: table\n"
                           "on-run-start: \"{{ log('root start', info=true) }}\"\n",
        "models/a.sql": "select 1 as id\n",
    })
    write_project(project / "dbt_packages" / "pkg", {
        "dbt_project.yml": "name: pkg\nconfig-version: 2\non-run-start: \"{{ log('pkg start', info=true) }}\"\n"})
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert 0 <= result.output.index("pkg start") < result.output.index("root start"), result.output
    nodes = _manifest(project)["nodes"]
    assert [(nodes[u]["fqn"], nodes[u]["config"]["materialized"])
            for u in ("operation.pkg.pkg-on-run-start-0", "operation.proj.proj-on-run-start-0")] == [
        (["pkg", "hooks", "pkg-on-run-start-0"], "view"), (["proj", "hooks", "proj-on-run-start-0"], "table")]


def test_analyses_are_configured_from_the_models_tree(tmp_path):
    """dbt 1.12 (checked with dbt Core 1.12.6): fqn [pkg, 'analysis', ...], path analysis/..., the
    ``models:`` tree's config; the ``analyses:`` tree configures nothing."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n    +materialized: table\n"
                           "    analysis:\n      +tags: [from_models]\nanalyses:\n  proj:\n    +tags: [from_analyses]\n",
        "analyses/sub/an.sql": "select 1 as x\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = _manifest(project)["nodes"]["analysis.proj.an"]
    assert (node["fqn"], node["path"], node["config"]["materialized"], node["tags"]) == (
        ["proj", "analysis", "sub", "an"], "analysis/sub/an.sql", "table", ["from_models"])


def test_query_results_rename_columns(tmp_path):
    """agate's ``Table.rename``, which elementary's on-run-start hook uses."""
    project = write_project(tmp_path, {
        "models/a.sql": "{% if execute %}{% set t = run_query('select 1 as \"A\", 2 as b').rename({'A': 'a'}) %}"
                        "{% set u = t.rename(['x', 'y']) %}"
                        "select '{{ t.column_names | join(\",\") }}|{{ u.column_names | join(\",\") }}|"
                        "{{ u.rows[0]['y'] }}' as c{% else %}select 1 as c{% endif %}\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert _compiled(project, "a").strip() == "select 'a,b|x,y|2' as c"


def test_graph_is_shared_by_the_hooks_and_nodes_of_a_run(tmp_path):
    """Packages keep run-wide caches in ``graph`` (elementary sets them up in on-run-start)."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n"
                           "on-run-start: \"{% do graph.setdefault('cache', {'seen': []}) %}\"\n"
                           "on-run-end: \"{{ log('seen ' ~ graph.get('cache').seen | join(','), info=true) }}\"\n",
        "models/a.sql": "{% if execute %}{% do graph.get('cache')['seen'].append(model.name) %}{% endif %}"
                        "select {{ graph.nodes | length }} as n\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert "seen a" in result.output
