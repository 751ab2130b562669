"""A Python model on Spark Connect (Sail) with a dbt-databricks profile, run locally: its input
read through the driver as Arrow, its result staged with batched INSERTs and the table replaced
with `create or replace table ... as select` (Spark has no transactional rename)."""

from __future__ import annotations

import pytest
from conftest import run_fusion

from .fixtures import spark_target, write_spark_project

pytestmark = pytest.mark.spark


def test_a_python_model_runs_locally_on_spark(tmp_path, sail, lake):
    files = {"models/src.sql": "{{ config(materialized='table') }}\nselect 1 as id union all select 2 as id\n",
             "models/py.py": "def model(dbt, session):\n"
                             "    return dbt.ref('src').df().assign(twice=lambda d: d['id'] * 2)\n"}
    project = write_spark_project(tmp_path, files, spark_target(sail.port))
    for _ in range(2):  # built, then replaced
        result = run_fusion(project, "run")
        assert result.code == 0, result.output
    assert sorted(lake.query(f"select id, twice from delta.`{tmp_path / 'lake' / 'py'}`")) == [(1, 2), (2, 4)]
