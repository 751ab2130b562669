"""Node selection: methods, graph operators, intersections, exclusion, indirect test selection."""

from __future__ import annotations

import pytest
from conftest import run_fusion


def _ls(project, *args) -> set[str]:
    result = run_fusion(project, "ls", "--output", "name", *args)
    assert result.code == 0, result.output
    return set(result.stdout.split())


@pytest.fixture(scope="module")
def shop_project(tmp_path_factory):
    import shutil

    from conftest import EXAMPLES

    project = tmp_path_factory.mktemp("sel") / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "*.duckdb*"))
    return project


def test_graph_operators(shop_project):
    assert _ls(shop_project, "-s", "+orders", "--resource-type", "model") == {
        "orders", "int_order_payments", "stg_orders", "stg_payments", "stg_products"}
    assert _ls(shop_project, "-s", "stg_payments+1", "--resource-type", "model") == {
        "stg_payments", "int_order_payments"}
    assert "customers" in _ls(shop_project, "-s", "stg_payments+", "--resource-type", "model")
    assert "stg_customers" in _ls(shop_project, "-s", "@stg_payments", "--resource-type", "model")


def test_methods_and_set_operations(shop_project):
    marts = _ls(shop_project, "-s", "tag:marts", "--resource-type", "model")
    assert marts == {"customers", "orders", "product_revenue", "orders_current", "web_events_log"}
    assert _ls(shop_project, "-s", "config.materialized:incremental") >= {"orders_current", "web_events_log"}
    assert _ls(shop_project, "-s", "path:models/staging", "--exclude", "stg_events",
               "--resource-type", "model") == {"stg_customers", "stg_orders", "stg_payments", "stg_products"}
    assert _ls(shop_project, "-s", "tag:marts,config.materialized:table", "--resource-type", "model") == {
        "customers", "orders", "product_revenue"}
    assert _ls(shop_project, "-s", "source:raw+1", "--resource-type", "model") == {"stg_events"}


def test_tests_follow_their_models_unless_indirect_selection_is_empty(shop_project):
    with_tests = _ls(shop_project, "-s", "stg_orders")
    assert "unique_stg_orders_order_id" in with_tests
    assert _ls(shop_project, "-s", "stg_orders", "--indirect-selection", "empty") == {"stg_orders"}
    assert _ls(shop_project, "-s", "test_name:unique,stg_orders") == {"unique_stg_orders_order_id"}
    staging = _ls(shop_project, "-s", "path:models/staging", "--exclude", "stg_events")
    assert "unique_stg_orders_order_id" in staging
    assert not any("stg_events" in name for name in staging)
