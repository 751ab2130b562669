"""manifest.json and run_results.json validate against dbt's published JSON schemas."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import SCHEMAS, run_fusion


def _validate(path, schema_name: str) -> dict:
    schema = json.loads((SCHEMAS / schema_name).read_text())
    document = json.loads(path.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    return document


@pytest.fixture(scope="module")
def built_shop(tmp_path_factory):
    import os
    import shutil

    from conftest import EXAMPLES

    root = tmp_path_factory.mktemp("artifacts")
    project = root / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "*.duckdb*"))
    env = {**os.environ, "SHOP_DUCKDB_PATH": str(root / "shop.duckdb")}
    result = run_fusion(project, "build", env=env)
    assert result.code == 0, result.output
    return project


def test_manifest_is_valid_v12(built_shop):
    manifest = _validate(built_shop / "target" / "manifest.json", "manifest/v12.json")
    nodes = manifest["nodes"]
    orders = nodes["model.shop.orders"]
    assert orders["relation_name"] == '"shop"."main_marts"."orders"'
    assert orders["config"]["materialized"] == "table"
    assert "model.shop.int_order_payments" in orders["depends_on"]["nodes"]
    assert manifest["parent_map"]["model.shop.orders"] == sorted(orders["depends_on"]["nodes"])
    assert "model.shop.orders" in manifest["child_map"]["model.shop.int_order_payments"]
    assert "source.shop.raw.events" in manifest["sources"]
    assert "exposure.shop.weekly_sales_dashboard" in manifest["exposures"]


def test_run_results_are_valid_v6(built_shop):
    results = _validate(built_shop / "target" / "run_results.json", "run-results/v6.json")
    by_id = {r["unique_id"]: r for r in results["results"]}
    assert by_id["model.shop.orders"]["status"] == "success"
    assert by_id["test.shop.not_null_stg_customers_email.d7cf761533"]["status"] == "warn"


def test_compiled_and_run_sql_are_written(built_shop):
    compiled = built_shop / "target" / "compiled" / "shop" / "models" / "marts" / "orders.sql"
    assert "__dbt__cte__int_order_payments" in compiled.read_text()
    assert (built_shop / "target" / "run" / "shop" / "models" / "marts" / "orders.sql").is_file()
    tests = list((built_shop / "target" / "compiled" / "shop" / "models").rglob("*.yml/*.sql"))
    assert any(p.name.startswith("not_null_") for p in tests)


def test_json_log_format_emits_one_object_per_line(built_shop):
    import os

    env = {**os.environ, "SHOP_DUCKDB_PATH": str(built_shop.parent / "shop.duckdb")}
    result = run_fusion(built_shop, "run", "--select", "stg_orders", "--log-format", "json", env=env)
    assert result.code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    finished = [r["data"] for r in records if r["info"]["name"] == "LogModelResult"]
    assert [r["node_info"]["unique_id"] for r in finished] == ["model.shop.stg_orders"]
    assert finished[0]["node_info"]["node_status"] == "success"
