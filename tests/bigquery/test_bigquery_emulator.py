"""fusion-bigquery through the real signed driver against bqemulator (BigQuery's REST and
Storage APIs over DuckDB), with every request kept on this machine: the driver has no endpoint
option, so the emulator runs in a private network namespace where Google's hostnames are local
TLS fronts with a throwaway CA (tests/bigquery/emulator_child.py).

What the emulator can and cannot do, as measured (bqemulator 1.4.0, adbc-driver-bigquery 1.11.0):
DDL, DML and the catalog (listing a dataset's relations, a table's nested column types: API
calls) work. Every statement that returns rows fails: the driver reads a query's rows with
the Storage Read API from the job's anonymous destination table, and bqemulator's
``BigQueryRead/CreateReadSession`` answers NOT_FOUND for it (``Table read failed: Catalog Error:
... schema "my-project___bqemu_anonymous" does not exist``: anonymous result tables are not kept
in its DuckDB catalog); the driver reports that as ``UNAUTHORIZED: Arrow reader requires
roles/bigquery.readSessionUser``. So nothing that reads rows (data tests, ``run_query``,
snapshots, unit tests) can be tested here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fusion.drivers.manager import DriverManager
from servers import write_target_project

EMULATOR_PYTHON = Path(__file__).parents[2] / ".venv-bqemulator" / "bin" / "python"
CHILD = Path(__file__).with_name("emulator_child.py")


@pytest.fixture(scope="module")
def on_emulator(tmp_path_factory):
    """Run statements through the adapter against the emulator; return their outcomes."""
    if not EMULATOR_PYTHON.exists():
        pytest.skip("bqemulator's virtualenv is missing (make .venv-bqemulator/bin/bqemulator)")
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "-m", "true"]).returncode != 0:
        pytest.skip("unshare -n -m (private network and mount namespaces) is not available here")
    DriverManager().library("bigquery", ">=1.11")  # fetched and verified through the signed index

    def run(statements: list[tuple[str, bool]]) -> list[list]:
        work = tmp_path_factory.mktemp("bqemulator")
        proc = subprocess.run(["unshare", "-n", "-m", sys.executable, str(CHILD), str(EMULATOR_PYTHON), str(work)],
                              input=json.dumps(statements), capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout)
    return run


def test_ddl_dml_and_the_catalog_work_but_rows_cannot_be_read(on_emulator):
    table = "`my-project`.`analytics`.`orders`"
    outcomes = on_emulator([
        ["relations", "my-project", "analytics"],  # the dataset does not exist yet
        ["execute", "create schema if not exists `my-project`.`analytics`"],
        ["execute", f"create or replace table {table} (id INT64, day DATE, name STRING, "
                    "customer STRUCT<id INT64, tags ARRAY<STRING>>, lines ARRAY<STRUCT<sku STRING, qty INT64>>) "
                    "partition by day cluster by id"],
        ["execute", f"insert into {table} (id, day, name) values (1, date '2024-01-01', 'a'), "
                    "(2, date '2024-01-02', 'it\\'s')"],
        ["execute", f"merge into {table} as t using (select 2 as id, 'b' as name) as s on t.id = s.id "
                    "when matched then update set name = s.name"],
        ["execute", f"create or replace view `my-project`.`analytics`.`v` as (select id from {table})"],
        ["relations", "my-project", "analytics"],
        ["columns", "my-project", "analytics", "orders"],
        ["columns", "my-project", "analytics", "missing"],
        ["execute", f"select id, name from {table} order by id", True],
        ["execute", f"drop table if exists {table}"],
        ["relations", "my-project", "analytics"],
    ])
    assert [status for status, _ in outcomes] == ["ok"] * 9 + ["StatementError", "ok", "ok"], outcomes
    assert outcomes[0][1] == []
    assert outcomes[6][1] == [["orders", "table"], ["v", "view"]]
    # nested columns as BigQuery's API types them (dbt-bigquery's legacy names: INTEGER, not INT64)
    assert outcomes[7][1] == [["id", "INTEGER"], ["day", "DATE"], ["name", "STRING"],
                              ["customer", "STRUCT<`id` INTEGER, `tags` ARRAY<STRING>>"],
                              ["lines", "ARRAY<STRUCT<`sku` STRING, `qty` INTEGER>>"]]
    assert outcomes[8][1] == []  # no such table: no columns
    # the emulator cannot serve a query's rows (see the module docstring): the driver's words for it
    assert "Arrow reader requires roles/bigquery.readSessionUser" in outcomes[9][1]
    assert outcomes[11][1] == [["v", "view"]]


PROJECT = {
    "seeds/raw_orders.csv": "id,day,amount\n1,2024-01-01,10.5\n2,2024-01-02,3\n",
    "models/stg_orders.sql": "select id, day, amount from {{ ref('raw_orders') }}\n",
    "models/daily.sql": ("{{ config(materialized='table', partition_by={'field': 'day'}, cluster_by='id', "
                         "labels={'team': 'data'}) }}\nselect day, sum(amount) as total from {{ ref('stg_orders') }} "
                         "group by day\n"),
    "models/orders_log.sql": ("{{ config(materialized='incremental', unique_key='id', partition_by={'field': 'day'}, "
                              "on_schema_change='append_new_columns') }}\n"
                              "select id, day, amount{% if is_incremental() %}, 'late' as note{% endif %} "
                              "from {{ ref('stg_orders') }}\n"),
}


def test_the_cli_builds_seeds_and_models_twice_on_the_emulator(on_emulator, tmp_path):
    project = write_target_project(tmp_path, PROJECT, {
        "type": "bigquery", "method": "service-account", "keyfile": "sa.json", "project": "my-project",
        "dataset": "shop", "threads": 2})
    outcomes = on_emulator([
        ["fusion", str(project), "seed"],
        ["fusion", str(project), "run"],
        ["columns", "my-project", "shop", "orders_log"],
        ["fusion", str(project), "run"],  # the incremental model merges, and adds its new column
        ["relations", "my-project", "shop"],
    ])
    assert all(status == "ok" for status, _ in outcomes), outcomes
    for code, output in (outcomes[i][1] for i in (0, 1, 3)):
        assert code == 0 and "ERROR=0 SKIP=0" in output, output
    assert outcomes[2][1] == [["id", "INTEGER"], ["day", "DATE"], ["amount", "FLOAT"]]
    # (bqemulator runs `alter table ... add column` but its API schema does not show the new column,
    # which BigQuery's does: the added `note` cannot be checked here)
    assert "OK created sql incremental model shop.orders_log" in outcomes[3][1][1]
    assert outcomes[4][1] == [["daily", "table"], ["orders_log", "table"], ["raw_orders", "table"],
                              ["stg_orders", "view"]]
