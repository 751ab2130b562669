"""fusion-databricks on a real Spark Connect server (Sail, started by tests/spark/fixtures.py).

Each test drives the real CLI on a small project whose tables live under its own folder
(``location_root``), and reads them back by path. Where Sail differs from Apache Spark and
Databricks the test says so; the documented behaviour is what the adapter sends.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import run_fusion

from .fixtures import spark_target, write_spark_project

pytestmark = pytest.mark.spark


def _reregister(target: dict, lake, tables: dict[str, str]) -> str:
    """on-run-start hooks putting tables of an earlier run back into Sail's per-session catalog
    (``tables``: name -> columns and format; Sail describes a table registered without columns
    as having none)."""
    hooks = [f"create schema if not exists {target['schema']}"]
    hooks += [f"create table if not exists {target['schema']}.{name} {spec} location '{lake / name}'"
              for name, spec in tables.items()]
    return "on-run-start:\n" + "".join(f'  - "{hook}"\n' for hook in hooks)


def test_seeds_views_tables_quoting_and_file_formats(tmp_path, sail, lake):
    csv = "id,name,amount,day,ok\n1,plain,1.5,2024-01-01,true\n2,\"it's \\\\ back`tick\",,2024-01-02,false\n3,,3,,\n"
    files = {
        "seeds/people.csv": csv,
        "models/names.sql": "select id, name as label, ok from {{ ref('people') }}",
        "models/delta_table.sql": "{{ config(materialized='table', partition_by='day', "
                                  "tblproperties={'fusion.test': 'yes'}) }}\nselect * from {{ ref('people') }}",
        "models/parquet_table.sql": "{{ config(materialized='table', file_format='parquet', partition_by=['ok']) }}\n"
                                    "select id, label, ok from {{ ref('names') }}",
    }
    target = spark_target(sail.port)
    project = write_spark_project(tmp_path, files, target)
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    root = tmp_path / "lake"
    assert lake.query(f"select * from delta.`{root / 'people'}` order by id") == [
        (1, "plain", 1.5, dt.date(2024, 1, 1), True),
        (2, "it's \\\\ back`tick", None, dt.date(2024, 1, 2), False),
        (3, None, 3.0, None, None)]
    # databricks: Delta by default, partitioned as configured; parquet where file_format says so
    assert (root / "delta_table" / "_delta_log").is_dir() and (root / "delta_table" / "day=2024-01-01").is_dir()
    assert not (root / "parquet_table" / "_delta_log").exists() and (root / "parquet_table" / "ok=true").is_dir()
    assert sorted(lake.query(f"select id, label from parquet.`{root / 'parquet_table'}`")) == [
        (1, "plain"), (2, "it's \\\\ back`tick"), (3, None)]
    compiled = (project / "target" / "run" / "proj" / "models" / "names.sql").read_text()
    assert f"`{target['schema']}`.`people`" in compiled


def test_merge_and_delete_insert_update_delta_tables_across_runs(tmp_path, sail, lake):
    model = ("{{{{ config(materialized='incremental', unique_key='id', incremental_strategy='{strategy}') }}}}\n"
             "select * from (values {rows}) as t(id, v)")
    target = spark_target(sail.port)
    columns = "(id int not null, v string not null) using delta"
    tables = {"merged": columns, "replaced": columns}
    for run, rows in enumerate(("(1, 'a'), (2, 'b')", "(2, 'B'), (3, 'C')")):
        files = {"models/merged.sql": model.format(strategy="merge", rows=rows),
                 "models/replaced.sql": model.format(strategy="delete+insert", rows=rows)}
        hooks = _reregister(target, tmp_path / "lake", tables) if run else ""
        result = run_fusion(write_spark_project(tmp_path, files, target, hooks), "run")
        assert result.code == 0, result.output
    for name in ("merged", "replaced"):
        assert sorted(lake.query(f"select id, v from delta.`{tmp_path / 'lake' / name}`")) == [
            (1, "a"), (2, "B"), (3, "C")], name


def test_append_and_insert_overwrite_on_parquet(tmp_path, sail, lake):
    model = "{{{{ config(materialized='incremental', incremental_strategy='{strategy}') }}}}\nselect {n} as n"
    target = spark_target(sail.port, type_="spark")  # dbt-spark: parquet and `append` by default
    tables = {"appended": "(n int) using parquet", "overwritten": "(n int) using parquet"}
    for n in (1, 2):
        files = {"models/appended.sql": model.format(strategy="append", n=n),
                 "models/overwritten.sql": model.format(strategy="insert_overwrite", n=n)}
        hooks = _reregister(target, tmp_path / "lake", tables) if n > 1 else ""
        result = run_fusion(write_spark_project(tmp_path, files, target, hooks), "run")
        assert result.code == 0, result.output
    root = tmp_path / "lake"
    assert sorted(lake.query(f"select n from parquet.`{root / 'appended'}`")) == [(1,), (2,)]
    # without partition_by insert_overwrite replaces the whole table (partitions: see the
    # real-Spark test; Sail cannot set spark.sql.sources.partitionOverwriteMode)
    assert lake.query(f"select n from parquet.`{root / 'overwritten'}`") == [(2,)]


def test_merge_on_parquet_is_refused_before_any_ddl(tmp_path, sail):
    files = {"models/upserts.sql": "{{ config(materialized='incremental', file_format='parquet', "
                                   "incremental_strategy='merge', unique_key='id') }}\nselect 1 as id"}
    project = write_spark_project(tmp_path, files, spark_target(sail.port))
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "incremental_strategy 'merge' updates rows in place, which file_format 'parquet' cannot do" in result.output
    assert "models/upserts.sql" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "lake" / "upserts").exists()


def test_server_errors_are_shown_clearly_and_a_failed_rebuild_keeps_the_delta_table(tmp_path, sail, lake):
    target = spark_target(sail.port)
    tables = {"kept": "(id int not null) using delta"}
    write_spark_project(tmp_path, {"models/kept.sql": "{{ config(materialized='table') }}\nselect 1 as id"}, target)
    assert run_fusion(tmp_path, "run").code == 0
    broken = "{{ config(materialized='table') }}\nselect id, no_such_column from (select 1 as id)"
    project = write_spark_project(tmp_path, {"models/kept.sql": broken}, target,
                                  _reregister(target, tmp_path / "lake", tables))
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "no_such_column" in result.output
    assert "Vendor code" not in result.output and "INTERNAL:" not in result.output and "Traceback" not in result.output
    # `create or replace table` on Delta is one commit: the failed build left the old rows
    assert lake.query(f"select id from delta.`{tmp_path / 'lake' / 'kept'}`") == [(1,)]


def test_snapshot_row_ids_hash_string_casts(tmp_path, sail, lake):
    # Spark has no bare `varchar` (it needs a length): the key parts are cast to `string`
    snapshot = ("{% snapshot snap %}\n{{ config(unique_key='id', strategy='check', check_cols='all', "
                "target_schema=target.schema) }}\nselect 1 as id, 'a' as v\n{% endsnapshot %}\n")
    target = spark_target(sail.port)
    project = write_spark_project(tmp_path, {"snapshots/snap.sql": snapshot}, target,
                                  f"snapshots:\n  proj:\n    +location_root: {tmp_path / 'lake'}\n")
    result = run_fusion(project, "snapshot")
    assert result.code == 0, result.output
    assert lake.query(f"select id, v, length(dbt_scd_id) from delta.`{tmp_path / 'lake' / 'snap'}`") == [
        (1, "a", 32)]
