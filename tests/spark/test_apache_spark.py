"""Smoke test on Apache Spark's own Connect server (pyspark wheel, Java 17, ~15 s to start):
a dbt-spark profile (Parquet, two-part names) builds a seed, a view, a partitioned table and an
incremental model, twice; the second run's insert_overwrite replaces only the partitions it
writes (dynamic partition overwrite), which Sail cannot show. Spark keeps its catalog across
sessions, so nothing is re-registered here."""

from __future__ import annotations

import pytest
from conftest import run_fusion
from servers import profile_yaml

from .fixtures import Lake, spark_target

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PROJECT = "name: proj\nprofile: proj\nconfig-version: 2\n"
EVENTS = ("{{{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='day') }}}}\n"
          "select * from (values {rows}) as t(n, day)")


def test_dbt_spark_project_on_apache_spark(tmp_path, apache_spark):
    target = spark_target(apache_spark.port, type_="spark")
    files = {"dbt_project.yml": PROJECT, "profiles.yml": profile_yaml(target),
             "seeds/people.csv": "id,name\n1,it's\n2,b\n",
             "models/names.sql": "select id, name from {{ ref('people') }}",
             "models/by_name.sql": "{{ config(materialized='table', partition_by='name') }}\n"
                                   "select * from {{ ref('names') }}",
             "models/schema.yml": "version: 2\nmodels:\n  - name: by_name\n    columns:\n      - name: id\n"
                                  "        data_tests: [unique, not_null]\n"}
    schema = target["schema"]
    lake = Lake(apache_spark.port)
    try:
        for rows in ("(1, 'mon'), (2, 'tue')", "(3, 'tue')"):
            files["models/events.sql"] = EVENTS.format(rows=rows)
            for rel, text in files.items():
                (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / rel).write_text(text)
            result = run_fusion(tmp_path, "build")
            assert result.code == 0, result.output
            assert "ERROR=0" in result.output
        assert sorted(lake.query(f"select id, name from {schema}.by_name")) == [(1, "it's"), (2, "b")]
        assert lake.query(f"show views in {schema}")[0][1] == "names"
        # `tue` was overwritten by the second run, `mon` untouched
        assert sorted(lake.query(f"select n, day from {schema}.events")) == [(1, "mon"), (3, "tue")]
        partitions = [r[0] for r in lake.query(f"describe table {schema}.by_name")]
        assert "# Partition Information" in partitions
    finally:
        lake.close()
