"""Parse-time behaviours real dbt projects rely on, each in a tiny project of its own."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project


def _manifest(project) -> dict:
    return json.loads((project / "target" / "manifest.json").read_text())


def test_ref_and_source_at_parse_time_are_relations_to_mapping_checks(tmp_path):
    """Utility packages check ``obj is mapping and obj.get('metadata').type endswith 'Relation'``."""
    check = ("{% macro must_be_relation(obj) %}{% if not (obj is mapping and obj.get('metadata', {})"
             ".get('type', '').endswith('Relation')) %}{{ exceptions.raise_compiler_error('not a relation: ' ~ obj) }}"
             "{% endif %}{% endmacro %}\n")
    project = write_project(tmp_path, {
        "macros/check.sql": check,
        "models/a.sql": "select 1 as id\n",
        "models/b.sql": "{% do must_be_relation(ref('a')) %}{% do must_be_relation(source('raw', 't')) %}"
                        "select * from {{ ref('a') }}\n",
        "models/src.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert _manifest(project)["nodes"]["model.proj.b"]["depends_on"]["nodes"] == ["model.proj.a", "source.proj.raw.t"]


def test_dbt_project_yml_sees_target(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n"
                           "    +materialized: \"{{ 'table' if target.type in ['duckdb'] else 'view' }}\"\n"
                           "    +alias: \"{{ target.name }}_a\"\n",
        "models/a.sql": "select 1 as id\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = _manifest(project)["nodes"]["model.proj.a"]
    assert (node["config"]["materialized"], node["alias"]) == ("table", "dev_a")


def test_unknown_yaml_keys_and_entries_for_missing_models_warn(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/props.yml": "version: 2\nx-common: &cols\n  - name: id\nmodels:\n  - name: a\n    columns: *cols\n"
                            "  - name: gone\n    description: no such model\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert "models/props.yml" in result.output and "'x-common'" in result.output and "'gone'" in result.output
    assert list(_manifest(project)["nodes"]["model.proj.a"]["columns"]) == ["id"]


def test_versioned_models_get_one_node_per_version(tmp_path):
    project = write_project(tmp_path, {
        "models/m_v1.sql": "select 1 as id\n",
        "models/m_v2.sql": "select 2 as id\n",
        "models/m_next.sql": "select 3 as id\n",
        "models/c.sql": "select * from {{ ref('m') }} union all select * from {{ ref('m', v=1) }}\n",
        "models/m.yml": "models:\n  - name: m\n    latest_version: 2\n    versions:\n      - v: 1\n      - v: 2\n"
                        "      - v: 3\n        defined_in: m_next\n        config:\n          materialized: table\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    nodes = _manifest(project)["nodes"]
    assert sorted(u for u in nodes if u.startswith("model.proj.m")) == [f"model.proj.m.v{v}" for v in (1, 2, 3)]
    assert (nodes["model.proj.m.v1"]["alias"], nodes["model.proj.m.v3"]["config"]["materialized"]) == ("m_v1", "table")
    assert sorted(nodes["model.proj.c"]["depends_on"]["nodes"]) == ["model.proj.m.v1", "model.proj.m.v2"]


def test_a_test_of_a_missing_model_is_disabled_not_fatal(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/props.yml": "models:\n  - name: a\n    data_tests:\n      - relationships:\n"
                            "          field: id\n          to: ref('missing')\n          column_name: id\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    assert "'missing'" in result.output
    tests = [n for n in _manifest(project)["nodes"].values() if n["resource_type"] == "test"]
    assert [t["config"]["enabled"] for t in tests] == [False]
    ran = json.loads((project / "target" / "run_results.json").read_text())["results"]
    assert [r["unique_id"] for r in ran] == ["model.proj.a"]


def test_exposure_config_tags_and_enabled(tmp_path):
    exposure = "    type: dashboard\n    owner: {name: o}\n    depends_on: [\"ref('a')\"]\n"
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/exp.yml": f"exposures:\n  - name: e1\n    tags: [top]\n    config:\n      tags: [cfg]\n{exposure}"
                          f"  - name: e2\n    config:\n      enabled: false\n{exposure}",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    exposures = _manifest(project)["exposures"]
    assert list(exposures) == ["exposure.proj.e1"]
    assert sorted(exposures["exposure.proj.e1"]["tags"]) == ["cfg", "top"]


def test_unit_test_fixture_files(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/b.sql": "select id * 2 as doubled from {{ ref('a') }}\n",
        "tests/fixtures/a_rows.csv": "id\n2\n3\n",
        "tests/fixtures/doubled.sql": "select 4 as doubled union all select 6 as doubled\n",
        "models/unit.yml": "unit_tests:\n  - name: doubles\n    model: b\n    given:\n      - input: ref('a')\n"
                           "        format: csv\n        fixture: a_rows\n    expect:\n      format: sql\n"
                           "      fixture: doubled\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    manifest = _manifest(project)
    assert "unit_test.proj.b.doubles" in manifest["unit_tests"]
    assert not [u for u in manifest["nodes"] if u.startswith("test.")]  # fixtures are not singular tests
    statuses = {r["unique_id"]: r["status"] for r in
                json.loads((project / "target" / "run_results.json").read_text())["results"]}
    assert statuses["unit_test.proj.b.doubles"] == "pass"


def test_templated_test_config_is_rendered_at_parse_time(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/props.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        data_tests:\n"
                            "          - unique:\n              config:\n"
                            "                enabled: \"{{ target.type in ['bigquery'] }}\"\n"
                            "          - not_null:\n              config:\n"
                            "                severity: \"{{ 'warn' if target.type == 'duckdb' else 'error' }}\"\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    tests = {n["name"]: n for n in _manifest(project)["nodes"].values() if n["resource_type"] == "test"}
    assert list(tests) == ["not_null_a_id"]
    assert tests["not_null_a_id"]["config"]["severity"] == "WARN"


def test_templated_properties_values_are_rendered(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/props.yml": "models:\n  - name: a\n    config:\n      tags: [\"{{ target.name }}_tag\"]\n    columns:\n      - name: id\n"
                            "        data_type: \"{{ 'integer' if target.type == 'duckdb' else 'int64' }}\"\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    node = _manifest(project)["nodes"]["model.proj.a"]
    assert (node["columns"]["id"]["data_type"], node["tags"]) == ("integer", ["dev_tag"])


def test_var_precedence_and_templated_var_values(tmp_path):
    """Root project vars beat a package's own; a var's templated value renders when read."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nvars:\n  who: root\n",
        "dbt_packages/pkg/dbt_project.yml": "name: pkg\nconfig-version: 2\nvars:\n  who: pkg\n"
                                            "  size: \"{{ 5 if target.type == 'duckdb' else 7 }}\"\n",
        "dbt_packages/pkg/models/p.sql": "select {{ var('size') | int }} as size, '{{ var('who') }}' as who\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    compiled = (project / "target" / "compiled" / "pkg" / "models" / "p.sql").read_text()
    assert compiled.strip() == "select 5 as size, 'root' as who"


def test_python_error_in_template_code_fails_its_node_only(tmp_path):
    project = write_project(tmp_path, {
        "macros/ratio.sql": "{% macro ratio(n) %}{{ 10 / n }}{% endmacro %}\n",
        "models/good.sql": "select 1 as id\n",
        "models/bad.sql": "select {{ ratio(0) if execute else 1 }} as r\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    assert "division by zero" in result.output and "macros/ratio.sql" in result.output
    statuses = {r["unique_id"]: r["status"] for r in
                json.loads((project / "target" / "run_results.json").read_text())["results"]}
    assert statuses == {"model.proj.good": "success", "model.proj.bad": "error"}


def test_seed_with_a_byte_order_mark(tmp_path):
    project = write_project(tmp_path, {
        "seeds/s.csv": "\ufeffparent,n\nx,1\n",
        "models/m.sql": "select parent, n from {{ ref('s') }}\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 0, result.output


def _statuses(project) -> dict[str, str]:
    return {r["unique_id"]: r["status"] for r in
            json.loads((project / "target" / "run_results.json").read_text())["results"]}


def test_undefined_macro_and_misspelt_generic_test_fail_their_node_at_run_time(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/b.sql": "select {{ no_such_macro('x') }} as v from {{ ref('a') }}\n",
        "models/c.sql": "select * from {{ ref('b') }}\n",
        "models/d.sql": "select 1 as id\n",
        "models/props.yml": "models:\n  - name: d\n    columns:\n      - name: id\n        data_tests: [uniqe, not_null]\n",
    })
    result = run_fusion(project, "build")
    assert result.code == 1, result.output
    assert "Traceback" not in result.output and "no_such_macro" in result.output and "uniqe" in result.output
    statuses = _statuses(project)
    assert statuses["model.proj.a"] == statuses["model.proj.d"] == "success" and statuses["model.proj.b"] == "error"
    assert statuses["model.proj.c"] == "skipped"
    assert {u.split(".")[2]: s for u, s in statuses.items() if u.startswith("test.")} == {
        "uniqe_d_id": "error", "not_null_d_id": "pass"}
    nodes = _manifest(project)["nodes"]
    assert nodes["model.proj.b"]["depends_on"]["nodes"] == ["model.proj.a"]
    not_null = next(n for n in nodes.values() if n["name"] == "not_null_d_id")
    assert not_null["depends_on"]["macros"] == [
        "macro.dbt.test_not_null", "macro.dbt.get_where_subquery"]


def test_result_table_columns_are_a_mapping_by_name(tmp_path):
    macro = ("{% macro cols() %}{% call statement('q', fetch_result=True) %}select 1 as a, 'x' as b{% endcall %}"
             "{% set out = [] %}{% if execute %}{% set columns = load_result('q').table.columns %}"
             "{% for name, column in columns.items() %}{% do out.append(name ~ '=' ~ column.values()[0]) %}{% endfor %}"
             "{% do out.append(columns['b'].values()[0] ~ columns[0].values()[0]) %}{% endif %}"
             "{{ return(out) }}{% endmacro %}\n")
    project = write_project(tmp_path, {"macros/cols.sql": macro,
                                       "models/m.sql": "select '{{ cols() | join(\",\") }}' as v\n"})
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert "'a=1,b=x,x1'" in (project / "target" / "compiled" / "proj" / "models" / "m.sql").read_text()


def test_macro_files_keep_only_their_top_level_blocks(tmp_path):
    """Text and tags between blocks are ignored (dbt compiles each block alone): even ``{% #### %}``."""
    macros = ("{% ########## helpers ########## %}\n{% set ignored = 1 / 0 %}\n"
              "{% macro greet() %}'{{ \"%}\" }}hi'{% endmacro %}\n{# {% macro commented() %} #}\n"
              "{% ####### %}\n{% macro broken() %}\n{{ oops( }}\n{% endmacro %}\n")
    project = write_project(tmp_path, {"macros/m.sql": macros.replace("{% macro broken() %}\n{{ oops( }}\n"
                                                                      "{% endmacro %}\n", ""),
                                       "models/a.sql": "select {{ greet() }} as g\n"})
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert "select '%}hi' as g" in (project / "target" / "compiled" / "proj" / "models" / "a.sql").read_text()
    (project / "macros" / "m.sql").write_text(macros)
    result = run_fusion(project, "parse")
    assert result.code == 2 and "macros/m.sql:7" in result.output, result.output


def test_doc_blocks_render_into_descriptions(tmp_path):
    project = write_project(tmp_path, {
        "models/docs.md": "{% docs orders %}All **orders**.{% enddocs %}\n{% docs id %}The key.{% enddocs %}\n",
        "models/a.sql": "select 1 as id\n",
        "models/props.yml": "models:\n  - name: a\n    description: \"{{ doc('orders') }} ({{ target.name }})\"\n"
                            "    columns:\n      - name: id\n        description: \"{{ doc('proj', 'id') }}\"\n"
                            "sources:\n  - name: raw\n    description: \"{{ doc('orders') }}\"\n    tables:\n"
                            "      - name: t\n        description: \"{{ doc('id') }}\"\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    manifest = _manifest(project)
    node, source = manifest["nodes"]["model.proj.a"], manifest["sources"]["source.proj.raw.t"]
    assert (node["description"], node["columns"]["id"]["description"]) == ("All **orders**. (dev)", "The key.")
    assert (source["source_description"], source["description"]) == ("All **orders**.", "The key.")
    (project / "models" / "docs.md").write_text("")
    result = run_fusion(project, "parse")
    assert result.code == 2 and "models/props.yml" in result.output and "'orders'" in result.output, result.output


def test_query_comment_is_not_rendered_when_the_project_loads(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n"
                           "query-comment: \"{{ comment_for(node) }}\"\n",
        "macros/c.sql": "{% macro comment_for(node) %}{{ node.unique_id }}{% endmacro %}\n",
        "models/a.sql": "select 1 as id\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output


def test_deps_local_package_that_holds_the_project(tmp_path):
    """``local: ../`` from a package's integration-test project (the package contains the project)."""
    package = write_project(tmp_path, {"dbt_project.yml": "name: pkg\nconfig-version: 2\n",
                                       "macros/m.sql": "{% macro seven() %}7{% endmacro %}\n"})
    project = write_project(package / "integration_tests", {
        "packages.yml": "packages:\n  - local: ../\n",
        "models/a.sql": "select {{ pkg.seven() }} as n\n",
    })
    result = run_fusion(project, "deps")
    assert result.code == 0, result.output
    assert (project / "dbt_packages" / "pkg" / "macros" / "m.sql").is_file()
    assert not list((project / "dbt_packages" / "pkg").rglob(".fusion-deps-*"))
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output


def test_python_models_are_parsed_with_ast_never_run_by_the_parse(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/py.py": "import os\n\ndef model(dbt, session):\n    dbt.config(materialized='incremental', tags=['py'])\n"
                        "    os.system('touch SHOULD_NOT_EXIST')\n"
                        "    return dbt.ref('a').join(dbt.source('raw', 't'))\n",
        "models/after.sql": "select * from {{ ref('py') }}\n",
        "models/other.sql": "select * from {{ ref('a') }}\n",
        "models/src.yml": "sources:\n  - name: raw\n    tables:\n      - name: t\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert not list(tmp_path.rglob("SHOULD_NOT_EXIST"))
    node = _manifest(project)["nodes"]["model.proj.py"]
    assert (node["language"], node["config"]["materialized"], node["tags"]) == ("python", "incremental", ["py"])
    assert node["depends_on"]["nodes"] == ["model.proj.a", "source.proj.raw.t"]
    result = run_fusion(project, "build")  # the source's table does not exist: the model fails before it runs
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert not list(tmp_path.rglob("SHOULD_NOT_EXIST"))
    assert _statuses(project) == {"model.proj.a": "success", "model.proj.other": "success",
                                  "model.proj.py": "error", "model.proj.after": "skipped"}
    (project / "models" / "py.py").write_text("def model(dbt, session):\n    return dbt.ref(name_of_it)\n")
    result = run_fusion(project, "parse")
    assert result.code == 2 and "models/py.py:2" in result.output and "literals" in result.output, result.output


SEMANTIC = """
semantic_models:
  - name: orders_sm
    model: ref('orders')
    defaults: {agg_time_dimension: ordered_at}
    entities: [{name: order_id, type: primary}]
    dimensions: [{name: ordered_at, type: time, type_params: {time_granularity: day}}]
    measures: [{name: total, agg: sum, expr: amount}, {name: cost, agg: sum}]
metrics:
  - name: revenue
    label: Revenue
    type: simple
    type_params: {measure: total}
    filter: "{{ Dimension('order_id__ordered_at') }} is not null"
  - name: margin
    label: Margin
    type: derived
    type_params:
      expr: revenue - cost
      metrics: [revenue, {name: cost_metric, alias: cost, offset_window: 1 month}]
  - name: cost_metric
    label: Cost
    type: simple
    type_params: {measure: cost}
saved_queries:
  - name: q
    query_params: {metrics: [margin], group_by: ["TimeDimension('metric_time', 'day')"]}
    exports: [{name: q_export, config: {export_as: table}}]
"""


def test_semantic_models_metrics_and_saved_queries_reach_the_manifests(tmp_path):
    project = write_project(tmp_path, {"models/orders.sql": "select 1 as order_id, 2 as amount, 1 as cost\n",
                                       "models/sem.yml": SEMANTIC})
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    manifest = _manifest(project)
    sm = manifest["semantic_models"]["semantic_model.proj.orders_sm"]
    assert sm["depends_on"]["nodes"] == ["model.proj.orders"] and sm["node_relation"]["alias"] == "orders"
    metrics = manifest["metrics"]
    assert metrics["metric.proj.revenue"]["depends_on"]["nodes"] == ["semantic_model.proj.orders_sm"]
    assert metrics["metric.proj.revenue"]["filter"] == {
        "where_filters": [{"where_sql_template": "{{ Dimension('order_id__ordered_at') }} is not null"}]}
    margin = metrics["metric.proj.margin"]
    assert margin["depends_on"]["nodes"] == ["metric.proj.revenue", "metric.proj.cost_metric"]
    assert [m["name"] for m in margin["type_params"]["input_measures"]] == ["total", "cost"]
    assert margin["type_params"]["metrics"][1]["offset_window"] == {"count": 1, "granularity": "month"}
    query = manifest["saved_queries"]["saved_query.proj.q"]
    assert query["depends_on"]["nodes"] == ["metric.proj.margin"]
    assert query["exports"][0]["config"]["alias"] == "q_export"
    semantic = json.loads((project / "target" / "semantic_manifest.json").read_text())
    assert [m["name"] for m in semantic["metrics"]] == ["revenue", "margin", "cost_metric"]
    assert semantic["semantic_models"][0]["node_relation"]["relation_name"].endswith('"orders"')


def test_semantic_resources_are_selectable_and_saved_queries_are_build_no_ops(tmp_path):
    project = write_project(tmp_path, {"models/orders.sql": "select 1 as order_id, 2 as amount, 1 as cost\n",
                                       "models/sem.yml": SEMANTIC})
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    assert _statuses(project) == {"model.proj.orders": "success", "saved_query.proj.q": "no-op"}
    result = run_fusion(project, "ls", "-s", "orders+")
    assert result.code == 0, result.output
    assert result.stdout.split() == ["metric:proj.cost_metric", "metric:proj.margin", "metric:proj.revenue",
                                     "proj.orders", "saved_query:proj.q", "semantic_model:proj.orders_sm"]


def test_a_generic_test_with_a_custom_name_compiles_to_a_file_of_that_name(tmp_path):
    project = write_project(tmp_path, {
        "models/m.sql": "select 1 as id\n",
        "models/m.yml": "models:\n  - name: m\n    data_tests:\n      - accepted_values:\n          name: custom_check\n"
                        "          column_name: id\n          values: [1]\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert (project / "target" / "compiled" / "proj" / "models" / "m.yml" / "custom_check.sql").is_file()


def test_dbt_project_yml_target_has_the_adapters_defaults(tmp_path):
    """A dbt-duckdb profile without ``schema:`` means ``main``, in dbt_project.yml's ``target`` too."""
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\nmodels:\n  proj:\n"
                           "    +alias: \"{{ target.database }}_{{ target.schema }}_a\"\n",
        "profiles.yml": "proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
        "models/a.sql": "select 1 as id\n",
    })
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert _manifest(project)["nodes"]["model.proj.a"]["alias"] == "shop_main_a"
