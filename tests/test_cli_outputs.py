"""What compile, show and ls print, and the warnings for a selection that matches nothing,
compared with what dbt Core 1.12 prints for the same project (its log-line prefixes left out)."""

from __future__ import annotations

import json

import pytest
from conftest import run_fusion, write_project

FILES = {
    "models/base.sql": "select 1 as id, 'a' as name",
    "models/orders.sql": "select id, name from {{ ref('base') }}",
    "models/schema.yml": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n"
                         "        data_tests: [not_null]\n"
                         "sources:\n  - name: raw\n    tables:\n      - name: events\n"
                         "exposures:\n  - name: dash\n    type: dashboard\n    owner: {email: a@b.c}\n"
                         "    depends_on: [ref('orders')]\n",
    "seeds/codes.csv": "code,label\n1200,one\n7,\n",
    "models/dim_v1.sql": "select 1 as id",
    "models/versions.yml": "models:\n  - name: dim\n    versions:\n      - v: 1\n",
    "analyses/report.sql": "select * from {{ ref('orders') }}",
}

# `dbt show -q --inline` of this query on dbt-duckdb (6 columns at most, 20 characters a cell,
# numbers with thousands separators and their column's decimals, text left-aligned)
QUERY = ("select 7 as i, cast(1234.5 as decimal(18,6)) as dec, cast(-3.25 as decimal(10,2)) as neg, "
         "'a very long string that exceeds twenty chars' as s, true as b, cast(null as integer) as n, "
         "'hidden' as seventh union all select 1000, 0.125, 2, 'short', false, null, 'y' order by 1")
DBT_TABLE = """\
|    i |       dec |   neg | s                    |     b | n | ... |
| ---- | --------- | ----- | -------------------- | ----- | - | --- |
|    7 | 1,234.500 | -3.25 | a very long strin... |  True |   | ... |
| 1000 |     0.125 |  2.00 | short                | False |   | ... |

"""
DBT_ROWS = [
    {"i": 7, "dec": 1234.5, "neg": -3.25, "s": "a very long string that exceeds twenty chars", "b": True,
     "n": None, "seventh": "hidden"},
    {"i": 1000, "dec": 0.125, "neg": 2.0, "s": "short", "b": False, "n": None, "seventh": "y"},
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("outputs"), FILES)


def test_compile_prints_the_node_named_in_the_first_selection_word(project):
    shown = run_fusion(project, "compile", "-s", "+orders base")
    assert shown.code == 0, shown.output
    assert "Compiled node 'orders' is:\nselect id, name from \"db\".\"main\".\"base\"\n" in shown.stdout
    assert "Compiled node 'base'" not in shown.stdout  # dbt prints only names found in the first word
    quiet = run_fusion(project, "compile", "-q", "-s", "orders")
    assert quiet.stdout == 'select id, name from "db"."main"."base"\n'
    as_json = run_fusion(project, "compile", "-q", "-s", "orders", "--output", "json")
    assert json.loads(as_json.stdout) == {"node": "orders", "compiled": 'select id, name from "db"."main"."base"'}
    inline = run_fusion(project, "compile", "--inline", "select * from {{ ref('base') }}")
    assert 'Compiled inline node is:\nselect * from "db"."main"."base"\n' in inline.stdout
    inline_json = run_fusion(project, "compile", "-q", "--output", "json", "--inline", "select 2")
    assert inline_json.stdout == '{\n  "compiled": "select 2"\n}\n'


def test_show_prints_dbts_table_and_json(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {})
    text = run_fusion(project, "show", "-q", "--inline", QUERY)
    assert text.code == 0, text.output
    assert text.stdout == DBT_TABLE
    headed = run_fusion(project, "show", "--inline", QUERY)
    assert "Previewing inline node:\n" + DBT_TABLE in headed.stdout
    as_json = run_fusion(project, "show", "-q", "--output", "json", "--inline", QUERY)
    assert as_json.stdout == json.dumps({"show": DBT_ROWS}, indent=2) + "\n"


def test_show_of_a_node_and_its_limit(project):
    assert run_fusion(project, "run", "-s", "base").code == 0
    shown = run_fusion(project, "show", "-s", "base", "--limit", "1")
    assert "Previewing node 'base':\n| id | name |\n| -- | ---- |\n|  1 | a    |\n\n" in shown.stdout
    as_json = run_fusion(project, "show", "-q", "-s", "base", "--output", "json")
    assert json.loads(as_json.stdout) == {"node": "base", "show": [{"id": 1, "name": "a"}]}
    seed = run_fusion(project, "show", "-q", "-s", "codes")  # as dbt: the file, numbers as decimals
    assert seed.stdout == "|  code | label |\n| ----- | ----- |\n| 1,200 | one   |\n|     7 |       |\n\n"
    seed_json = run_fusion(project, "show", "-q", "-s", "codes", "--output", "json")
    assert json.loads(seed_json.stdout)["show"] == [{"code": 1200.0, "label": "one"}, {"code": 7.0, "label": None}]
    versioned = run_fusion(project, "show", "-s", "dim")
    assert "Previewing node 'dim.v1':" in versioned.stdout
    assert "Compiled node 'dim' is:\nselect 1 as id\n" in run_fusion(project, "compile", "-s", "dim").stdout
    missing = run_fusion(project, "show")
    assert missing.code == 2 and "show needs --select or --inline" in missing.stderr


def test_ls_outputs_as_dbt(project):
    listed = [json.loads(line) for line in run_fusion(project, "ls", "-q", "--output", "json").stdout.splitlines()]
    by_id = {entry["unique_id"]: entry for entry in listed}
    assert "analysis.proj.report" not in by_id  # as dbt: analyses only with --resource-type
    assert list(by_id["model.proj.orders"]) == ["name", "resource_type", "package_name", "original_file_path",
                                                "unique_id", "alias", "config", "tags", "depends_on",
                                                "direct_parents"]
    assert by_id["model.proj.orders"]["direct_parents"] == ["model.proj.base"]
    assert by_id["source.proj.raw.events"]["source_name"] == "raw"
    keys = run_fusion(project, "ls", "-q", "-s", "orders", "--resource-type", "model", "--output", "json",
                      "--output-keys", "name config.materialized", "nope")
    assert keys.stdout == '{"name": "orders", "config.materialized": "view"}\n'
    selectors = run_fusion(project, "ls", "-q", "-s", "dash", "source:raw", "--output", "selector").stdout
    assert selectors == "exposure:proj.dash\nsource:proj.raw.events\n"
    names = run_fusion(project, "ls", "-q", "-s", "source:raw", "--output", "name").stdout
    assert names == "raw.events\n"
    analyses = run_fusion(project, "ls", "-q", "--resource-type", "analysis").stdout
    assert analyses == "proj.analysis.report\n"


def test_a_selection_matching_nothing_warns(project):
    run = run_fusion(project, "run", "-s", "base", "tag:nope", "--exclude", "tag:gone")
    assert run.code == 0, run.output
    assert "The selection criterion 'tag:nope' does not match any enabled nodes" in run.stdout
    assert "The selection criterion 'tag:gone' does not match any enabled nodes" in run.stdout  # as dbt
    assert "'base'" not in run.stdout and "Nothing to do" not in run.stdout
    nothing = run_fusion(project, "build", "-s", "tag:nope")
    assert nothing.code == 0
    assert "[WARNING]: The selection criterion 'tag:nope' does not match any enabled nodes\n" \
           "[WARNING]: Nothing to do. Try checking your model configs and model specification args\n" \
        in nothing.stdout
    assert "Finished running" not in nothing.stdout  # as dbt: no hooks, no summary
    only_tests = run_fusion(project, "run", "-s", "test_type:generic")
    assert "Nothing to do" in only_tests.stdout and "does not match" not in only_tests.stdout
    listed = run_fusion(project, "ls", "-s", "tag:nope")
    assert "[WARNING]: No nodes selected!" in listed.stdout
    compiled = run_fusion(project, "compile", "-s", "tag:nope")
    assert "Nothing to do" in compiled.stdout


def test_version_lists_core_and_each_adapter_plugin(tmp_path):
    from importlib.metadata import version

    shown = run_fusion(tmp_path, "--version")
    assert shown.code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[:4] == ["Core:", f"  - installed: {version('fusion-core')}", "", "Plugins:"]
    duckdb = next(line for line in lines if line.startswith("  - duckdb:"))
    assert duckdb.split() == ["-", "duckdb:", version("fusion-duckdb"), "(fusion-duckdb;", "adapters:", "duckdb)"]
    assert any(line.startswith("  - postgres:") and "adapters: postgres" in line for line in lines)
    assert not any("fusion-core" in line for line in lines)  # built-in plugins are the core
