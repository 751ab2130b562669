"""dbt-databricks / dbt-spark targets -> Spark Connect driver options (no server needed)."""

from __future__ import annotations

import pytest
from fusion.errors import ProjectError
from fusion.sqltext import split_statements
from fusion_databricks import DatabricksAdapter, SparkAdapter, fusion_register_adapters


def make_adapter(target: dict, profile_path: str = "/home/me/.dbt/profiles.yml"):
    specs = {}
    fusion_register_adapters(register=lambda spec: specs.__setitem__(spec.name, spec))
    spec = specs[target.get("type", "databricks")]
    return spec.adapter_class(spec, target, profile_path)


def test_databricks_cluster_target_maps_to_spark_connect_with_token_and_cluster_header():
    adapter = make_adapter({"type": "databricks", "host": "https://dbc-1.cloud.databricks.com/",
                            "http_path": "sql/protocolv1/o/1234567890/0123-456789-abcdefgh", "token": "dapiXYZ",
                            "catalog": "main", "schema": "analytics", "threads": 8})
    options = adapter.driver_options()
    assert isinstance(adapter, DatabricksAdapter)
    assert options["uri"] == "sc://dbc-1.cloud.databricks.com:443"  # the token never goes into the URI
    assert options["adbc.spark.token"] == "dapiXYZ"
    assert options["adbc.spark.tls.enabled"] == "true"
    assert options["adbc.spark.headers.x-databricks-cluster-id"] == "0123-456789-abcdefgh"
    assert len(options["adbc.spark.session_id"]) == 36  # one session shared by every connection
    assert (adapter.default_database, adapter.default_schema) == ("main", "analytics")
    assert adapter.quote("we`ird") == "`we``ird`"
    assert adapter.string_literal("it's a \\ test") == "'it\\'s a \\\\ test'"


def test_dbt_spark_http_and_connect_targets():
    http = make_adapter({"type": "spark", "method": "http", "host": "h.example.com", "port": 8443,
                         "cluster": "c-1", "token": "t", "schema": "s"})
    assert isinstance(http, SparkAdapter) and http.default_database == ""  # two-part names
    assert http.driver_options()["uri"] == "sc://h.example.com:8443"
    assert http.driver_options()["adbc.spark.headers.x-databricks-cluster-id"] == "c-1"
    local = make_adapter({"type": "spark", "method": "connect", "host": "127.0.0.1", "schema": "s", "user": "ana"})
    assert local.driver_options()["uri"] == "sc://127.0.0.1:15002"
    assert local.driver_options()["adbc.spark.user_id"] == "ana"
    assert "adbc.spark.token" not in local.driver_options()


@pytest.mark.parametrize(("change", "message"), [
    ({"method": "thrift"}, "`method: thrift` talks to the Spark Thrift server"),
    ({"method": "session"}, "`method: session` runs Spark inside dbt's own process"),
    ({"method": "carrier-pigeon"}, "unknown `method: carrier-pigeon`"),
    ({"http_path": "/sql/1.0/warehouses/abc123"}, "points at a Databricks SQL warehouse"),
    ({"http_path": "/something/else"}, "cannot read a cluster id from `http_path`"),
    ({"http_path": None}, "needs `http_path` (or `cluster`)"),
    ({"token": None}, "needs `token`"),
    ({"auth_type": "oauth"}, "`auth_type: oauth` is not supported"),
    ({"schema": None}, "needs `schema`"),
    ({"host": None}, "needs `host`"),
    ({"port": "four"}, "`port` must be a whole number"),
    ({"port": 0}, "`port` is out of range"),
])
def test_what_cannot_be_mapped_is_a_clear_profile_error(change, message):
    target = {"type": "databricks", "host": "h", "http_path": "sql/protocolv1/o/1/c-1", "token": "t",
              "schema": "s", **change}
    with pytest.raises(ProjectError) as info:
        make_adapter({k: v for k, v in target.items() if v is not None})
    assert message in str(info.value)
    assert str(info.value).startswith("/home/me/.dbt/profiles.yml: ")
    if change.get("method") in ("thrift", "session"):
        assert "method: connect" in info.value.hint


def test_statements_are_split_outside_strings_identifiers_and_comments():
    sql = ("delete from t where a = 'x;y' and `b;c` = 1; -- done; really\n"
           "insert into t values ('it\\'s;', \"q;\") /* ; */ ;\n;  -- only a comment\n")
    assert split_statements(sql, "spark") == [
        "delete from t where a = 'x;y' and `b;c` = 1",
        "-- done; really\ninsert into t values ('it\\'s;', \"q;\") /* ; */"]
