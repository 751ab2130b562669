"""Static analysis: planted errors are caught at their file:line in three dialects, correct SQL is
never an error (and really runs on DuckDB and PostgreSQL), modes, manifest columns, lineage, cache."""

from __future__ import annotations

import json
import os
import re
import shutil

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import SCHEMAS, run_fusion, write_project
from fusion.analysis.diagnostics import locate
from fusion.cli import cli

from analysis.corpus import DIALECTS, diagnostics, expected, make_project, score


@pytest.mark.parametrize("dialect", DIALECTS)
def test_planted_errors_are_caught_at_their_line_and_nothing_else(tmp_path, dialect):
    project = make_project(tmp_path, dialect)
    result = score(project, dialect)
    assert result.missed == set() and result.false_errors == set(), result.line()
    assert result.planted >= 11 and result.warnings == 0
    code, _ = diagnostics(project)
    assert code == 1  # strict: the nodes with errors fail, the others compile


def test_diagnostics_name_file_line_column_and_hint(tmp_path):
    _, found = diagnostics(make_project(tmp_path, "duckdb"))
    by_path = {e["path"]: e for e in found}
    typo = by_path["models/bad/customer_value_typo.sql"]
    assert (typo["line"], typo["column"]) == (8, 11)
    assert "'order_cnt' is not in 't'" in typo["msg"] and "did you mean 'order_count'?" in typo["msg"]
    loop = by_path["models/bad/after_a_loop.sql"]  # after a Jinja loop that rendered more lines
    assert (loop["line"], loop["column"]) == (7, 9)
    syntax = by_path["models/bad/unparseable.sql"]
    assert syntax["code"] == "syntax-error" and (syntax["line"], syntax["column"]) == (3, 26)
    assert sum(1 for e in found if e["path"] == "models/bad/unparseable.sql") == 1
    assert "did you mean the CTE 'recent_orders'?" in by_path["models/bad/cte_typo.sql"]["msg"]


def test_positions_map_back_through_rendering():
    raw = "select\n  {{ cols() }},\n  amout\nfrom t"
    rendered = "select\n  a,\n  b,\n  c,\n  amout\nfrom t"
    assert locate(raw, rendered, rendered.index("amout"), "amout") == (3, 3)
    assert locate(rendered, rendered, rendered.index("c,"), "c") == (4, 3)


def test_correct_corpus_builds_and_planted_errors_fail_in_the_warehouse(tmp_path, warehouse):
    """What analysis calls correct really runs; what it calls an error really fails."""
    project = make_project(tmp_path, warehouse.name)
    (project / "profiles.yml").write_text(warehouse.profile.replace("proj:", "corpus:", 1))
    built = run_fusion(project, "build", "--exclude", "path:models/bad")
    assert built.code == 0, built.output
    assert "warning[" not in built.output and "error[" not in built.output
    failed = run_fusion(project, "run", "--static-analysis", "off", "--select", "path:models/bad")
    planted = {path.split("/")[-1].removesuffix(".sql") for path, _, _ in expected(project) if path.endswith(".sql")}
    errors = set(re.findall(r"ERROR creating sql \w+ model \w+\.(\w+) ", failed.output))
    assert planted <= errors, failed.output
    assert "contracted" in errors  # the contract the analysis flagged fails at run time too


def test_baseline_warns_and_carries_on(tmp_path):
    project = make_project(tmp_path, "duckdb")
    result = run_fusion(project, "compile", "--profiles-dir", str(project))
    assert result.code == 0, result.output
    assert result.output.count("warning[") == len(expected(project))
    assert "error[" not in result.output


def test_strict_fails_the_node_before_it_runs_and_the_rest_builds(tmp_path):
    project = write_project(tmp_path, {
        "models/base.sql": "select 1 as id, 'a' as name",
        "models/good.sql": "select id from {{ ref('base') }}",
        "models/bad.sql": "select nme from {{ ref('base') }}",
    })
    result = run_fusion(project, "run", "--static-analysis", "strict")
    assert result.code == 1
    assert "models/bad.sql:1:8: error[unknown-column] column 'nme' is not in any table" in result.output
    assert "hint: did you mean 'name'?" in result.output
    assert "OK created sql view model main.good" in result.output
    assert "static analysis found 1 error(s) in bad" in result.output


def test_off_cascades_and_a_child_is_never_stricter_than_its_parent(tmp_path):
    project = write_project(tmp_path, {
        "models/base.sql": "{{ config(static_analysis='off') }}\nselect 1 as id",
        "models/child.sql": "{{ config(static_analysis='strict') }}\nselect nope from {{ ref('base') }} where id2 > 0",
        "models/mid.sql": "{{ config(static_analysis='baseline') }}\nselect 1 as id",
        "models/leaf.sql": "{{ config(static_analysis='strict') }}\nselect idd from {{ ref('mid') }}",
    })
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert "child.sql" not in result.output  # its parent is off: its inputs are unknown
    assert "models/leaf.sql:2:8: warning[unknown-column]" in result.output  # baseline, as its parent


def test_bad_static_analysis_value_is_a_clear_error(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "{{ config(static_analysis='sometimes') }}\nselect 1 as id"})
    result = run_fusion(project, "compile")
    assert result.code == 2
    assert "models/m.sql: static_analysis must be one of off, baseline, strict, not 'sometimes'" in result.output
    assert "Traceback" not in result.output


def test_unknown_source_schemas_are_never_errors_until_the_warehouse_is_asked(tmp_path):
    project = write_project(tmp_path, {
        "seeds/raw_people.csv": "id,name\n1,Ada\n",
        "models/_sources.yml": "version: 2\nsources:\n  - name: raw\n    schema: main\n    tables:\n"
                               "      - name: people\n        identifier: raw_people\n",
        "models/people.sql": "select id, nickname from {{ source('raw', 'people') }}",
    })
    assert run_fusion(project, "seed").code == 0
    offline = run_fusion(project, "compile", "--static-analysis", "strict")
    assert offline.code == 0 and "nickname" not in offline.output
    online = run_fusion(project, "compile", "--static-analysis", "strict", "--warehouse-schemas")
    assert online.code == 1
    assert "models/people.sql:1:12: error[unknown-column] column 'nickname'" in online.output
    assert "raw_people" in (project / "target" / "warehouse_schemas.json").read_text()


def test_manifest_carries_inferred_columns_and_still_validates(tmp_path):
    project = make_project(tmp_path, "duckdb")
    (project / "models" / "staging" / "_staging.yml").write_text(
        "version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: order_id\n"
        "        description: The order.\n")
    assert run_fusion(project, "compile", "--profiles-dir", str(project)).code == 0
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    jsonschema.Draft202012Validator(json.loads((SCHEMAS / "manifest/v12.json").read_text())).validate(manifest)
    columns = manifest["nodes"]["model.corpus.stg_orders"]["columns"]
    assert columns["order_id"]["description"] == "The order." and columns["order_id"]["data_type"] == "INT"
    assert {n: c["data_type"] for n, c in columns.items()} == {
        "order_id": "INT", "customer_id": "INT", "order_date": "DATE", "status": "TEXT", "amount": "DOUBLE"}
    totals = manifest["nodes"]["model.corpus.int_customer_totals"]["columns"]
    assert list(totals) == ["customer_id", "order_count", "total_amount", "first_order_date"]
    assert totals["order_count"]["data_type"] == "BIGINT"


def test_lineage_through_ctes_joins_and_ephemeral_models(tmp_path):
    project = make_project(tmp_path, "duckdb")
    up = run_fusion(project, "lineage", "customer_value.total_amount", "--upstream", "--profiles-dir", str(project))
    assert up.code == 0, up.output
    assert up.stdout.splitlines() == [
        "customer_value.total_amount",
        "  upstream:",
        "    <- int_customer_totals.total_amount  (transformed)",
        "      <- int_orders.amount  (transformed)",
        "        <- stg_orders.amount",
        "          <- raw_orders.amount",
    ]
    ephemeral = run_fusion(project, "lineage", "paid_orders.paid", "--upstream", "--profiles-dir", str(project))
    assert "<- eph_paid.paid" in ephemeral.stdout and "<- stg_payments.amount  (transformed)" in ephemeral.stdout
    down = run_fusion(project, "lineage", "stg_orders.amount", "--downstream", "--profiles-dir", str(project))
    assert "-> customer_value.total_amount" in down.stdout and "-> paid_orders.balance  (transformed)" in down.stdout
    document = json.loads((project / "target" / "lineage.json").read_text())
    balance = document["nodes"]["model.corpus.paid_orders"]["columns"]["balance"]
    assert {"node": "model.corpus.stg_orders", "relation": "stg_orders", "column": "amount",
            "direct": False} in balance["depends_on"]
    missing = run_fusion(project, "lineage", "stg_orders.nope", "--profiles-dir", str(project))
    assert missing.code == 2 and "stg_orders has no column 'nope'" in missing.output


def test_unchanged_models_are_not_analysed_again(tmp_path, monkeypatch):
    import fusion.analysis.engine as engine

    project = make_project(tmp_path, "duckdb")
    shutil.rmtree(project / "models" / "bad")
    calls = []
    real = engine.analyse
    monkeypatch.setattr(engine, "analyse", lambda sql, catalog: calls.append(sql) or real(sql, catalog))

    def compile_count() -> int:
        calls.clear()
        result = CliRunner().invoke(cli, ["compile", "--project-dir", str(project), "--profiles-dir", str(project)])
        assert result.exit_code == 0, result.output
        return len(calls)

    first = compile_count()
    assert first >= 15 and compile_count() == 0
    stg = project / "models" / "staging" / "stg_payments.sql"
    stg.write_text(stg.read_text().replace("method,", "method, 1 as extra,"))
    # the model and what reads it (eph_paid, then paid_orders and misc through it) are analysed again
    assert 2 <= compile_count() < first


def test_analysis_off_does_not_import_sqlglot(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "select 1 as id"})
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    for args in (["--help"], ["parse"], ["compile", "--static-analysis", "off"]):
        result = run_fusion(project, *args, env=env)
        assert result.code == 0
        assert "sqlglot" not in result.stderr, args
    assert "sqlglot" in run_fusion(project, "compile", env=env).stderr
