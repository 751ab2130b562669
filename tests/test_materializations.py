"""Incremental options, --empty and store_failures on DuckDB and PostgreSQL; test configs and
indirect selection (warehouse-independent) on DuckDB."""

from __future__ import annotations

import pytest
from conftest import run_fusion, write_project

INCREMENTAL = """{{{{ config(materialized='incremental', unique_key={key}, incremental_strategy='{strategy}',
                  on_schema_change='{policy}'{extra}) }}}}
select * from (values {rows}) as t({columns})
{{% if is_incremental() %}}where id >= 2{{% endif %}}
"""


def _project(warehouse, tmp_path, rows: str, columns: str, strategy="merge", policy="ignore", key="'id'", extra=""):
    return warehouse.project(tmp_path, {"models/inc.sql": INCREMENTAL.format(
        key=key, strategy=strategy, policy=policy, extra=extra, rows=rows, columns=columns)})


def _rewrite(project, rows: str, columns: str, strategy="merge", policy="ignore", key="'id'", extra=""):
    (project / "models" / "inc.sql").write_text(INCREMENTAL.format(
        key=key, strategy=strategy, policy=policy, extra=extra, rows=rows, columns=columns))


def _rows(warehouse):
    return warehouse.query("select * from main.inc order by 1, 2")


@pytest.mark.parametrize("strategy", ["merge", "delete+insert"])
def test_unique_key_updates_and_inserts(warehouse, tmp_path, strategy):
    project = _project(warehouse, tmp_path, "(1, 'a'), (2, 'b')", "id, v", strategy)
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(1, 'x'), (2, 'B'), (3, 'c')", "id, v", strategy)
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, "a"), (2, "B"), (3, "c")]


def test_append_keeps_duplicates(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a'), (2, 'b')", "id, v", "append", key="none")
    assert run_fusion(project, "run").code == 0
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, "a"), (2, "b"), (2, "b")]


def test_composite_unique_key_and_merge_update_columns(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 1, 'a', 'keep'), (2, 1, 'b', 'keep')", "id, k, v, w",
                       key="['id', 'k']", extra=", merge_update_columns=['v']")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 1, 'B', 'changed'), (2, 2, 'n', 'new')", "id, k, v, w", key="['id', 'k']",
             extra=", merge_update_columns=['v']")
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, 1, "a", "keep"), (2, 1, "B", "keep"), (2, 2, "n", "new")]


def test_incremental_predicates_limit_what_merge_touches(warehouse, tmp_path):
    extra = ", incremental_predicates=['dbt_internal_dest.id > 5']"
    project = _project(warehouse, tmp_path, "(1, 'a')", "id, v", extra=extra)
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(1, 'x'), (2, 'b')", "id, v", extra=extra.replace("where id >= 2", ""))
    (project / "models" / "inc.sql").write_text((project / "models" / "inc.sql").read_text().replace(
        "where id >= 2", "where true"))
    assert run_fusion(project, "run").code == 0
    # id 1 is outside the predicate: not matched, so it is inserted again rather than updated
    assert _rows(warehouse) == [(1, "a"), (1, "x"), (2, "b")]


def test_on_schema_change_fail_stops_and_keeps_the_table(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a'), (2, 'b')", "id, v", policy="fail")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 'b', 9)", "id, v, extra", policy="fail")
    result = run_fusion(project, "run")
    assert result.code == 1 and "out of sync" in result.output and "new columns extra" in result.output
    assert _rows(warehouse) == [(1, "a"), (2, "b")]


def test_on_schema_change_append_new_columns(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a'), (2, 'b')", "id, v", policy="append_new_columns")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 'B', 9), (3, 'c', 8)", "id, v, extra", policy="append_new_columns")
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, "a", None), (2, "B", 9), (3, "c", 8)]


def test_on_schema_change_sync_all_columns_drops_and_adds(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a', true), (2, 'b', false)", "id, v, gone", policy="sync_all_columns")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 'B', 9)", "id, v, extra", policy="sync_all_columns")
    assert run_fusion(project, "run").code == 0
    cols = warehouse.query("select column_name from information_schema.columns "
                           "where table_schema = 'main' and table_name = 'inc' order by ordinal_position")
    assert [c for (c,) in cols] == ["id", "v", "extra"]
    assert _rows(warehouse) == [(1, "a", None), (2, "B", 9)]


def test_on_schema_change_ignore_drops_new_columns(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a')", "id, v")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 'b', 9)", "id, v, extra")
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, "a"), (2, "b")]


def test_full_refresh_config_false_protects_the_table(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a'), (2, 'b')", "id, v", extra=", full_refresh=false")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(2, 'B')", "id, v", extra=", full_refresh=false")
    assert run_fusion(project, "run", "--full-refresh").code == 0
    assert _rows(warehouse) == [(1, "a"), (2, "B")]


def test_empty_builds_relations_without_rows(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {
        "seeds/s.csv": "id,name\n1,a\n2,b\n",
        "models/t.sql": "{{ config(materialized='table') }}\nselect id, upper(name) as name from {{ ref('s') }}\n",
    })
    assert run_fusion(project, "seed").code == 0
    result = run_fusion(project, "run", "--empty")
    assert result.code == 0, result.output
    assert warehouse.query("select count(*) from main.t") == [(0,)]
    compiled = (project / "target" / "compiled" / "proj" / "models" / "t.sql").read_text()
    assert "where false limit 0" in compiled


def test_store_failures_keeps_failing_rows(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {
        "models/m.sql": "select 1 as id union all select null union all select null\n",
        "models/schema.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n"
                            "        data_tests: [not_null]\n",
    })
    result = run_fusion(project, "build", "--store-failures")
    assert result.code == 1 and "FAIL 2 not_null_m_id" in result.output
    assert warehouse.query("select count(*) from main_dbt_test__audit.not_null_m_id") == [(2,)]


def test_indirect_selection_modes(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": "select 1 as id\n",
        "models/b.sql": "select 1 as id\n",
        "models/c.sql": "select * from {{ ref('a') }}\n",
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n"
                            "        data_tests:\n          - relationships: {to: ref('b'), field: id}\n"
                            "          - relationships: {to: ref('c'), field: id, name: rel_a_c}\n",
    })

    def names(mode):
        out = run_fusion(project, "ls", "-s", "a", "c", "--indirect-selection", mode, "--output", "name")
        assert out.code == 0, out.output
        return {n for n in out.stdout.split() if n.startswith("rel")}

    assert names("eager") == {"relationships_a_id__id__ref_b_", "rel_a_c"}
    assert names("cautious") == {"rel_a_c"}
    assert names("buildable") == {"rel_a_c"}
    assert names("empty") == set()


def test_test_configs_where_limit_fail_calc_thresholds(tmp_path):
    tests_yml = """version: 2
models:
  - name: m
    columns:
      - name: v
        data_tests:
          - not_null:
              name: nn_where
              config: {where: "id > 2"}
          - not_null:
              name: nn_limit
              config: {limit: 1}
          - accepted_values:
              name: av_warn
              arguments: {values: [1]}
              config: {severity: error, warn_if: ">= 1", error_if: ">= 3"}
          - accepted_values:
              name: av_sum
              arguments: {values: [1]}
              config: {fail_calc: "sum(n_records)", error_if: "> 10"}
"""
    project = write_project(tmp_path, {
        "models/m.sql": "select * from (values (1, 1), (2, null), (3, 2), (4, null)) as t(id, v)\n",
        "models/schema.yml": tests_yml,
    })
    result = run_fusion(project, "build")
    out = result.output
    assert "FAIL 1 nn_where" in out          # only id 4 is both null and id > 2
    assert "FAIL 1 nn_limit" in out          # two nulls, limited to one failing row
    assert "WARN 1 av_warn" in out           # value 2 (null is not compared): warn at >= 1, error at >= 3
    assert "WARN 1 av_sum" in out            # sum(n_records) = 1: not > 10 (error), but != 0 (warn)
    assert result.code == 1


def test_materialized_view_builds_refreshes_and_rebuilds(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {
        "models/base.sql": "{{ config(materialized='table') }}\nselect {{ var('n', 1) }} as n\n",
        "models/mv.sql": "{{ config(materialized='materialized_view') }}\n"
                         "select n * 10 as n10 from {{ ref('base') }}\n",
    })
    first = run_fusion(project, "run")
    if warehouse.name == "duckdb":
        assert first.code == 1 and "duckdb has no materialized views" in first.output
        return
    assert first.code == 0, first.output
    assert warehouse.query("select n10 from main.mv") == [(10,)]
    assert run_fusion(project, "run", "--vars", "{n: 2}").code == 0  # base rebuilt: the view follows
    assert warehouse.query("select n10 from main.mv") == [(20,)]
    assert warehouse.query("select count(*) from pg_matviews where matviewname = 'mv'") == [(1,)]
    (project / "models" / "mv.sql").write_text(
        "{{ config(materialized='materialized_view') }}\nselect n * 100 as n100 from {{ ref('base') }}\n")
    assert run_fusion(project, "run", "--full-refresh", "--vars", "{n: 2}").code == 0
    assert warehouse.query("select n100 from main.mv") == [(200,)]


def test_merge_exclude_columns_keeps_them(warehouse, tmp_path):
    project = _project(warehouse, tmp_path, "(1, 'a', 'first')", "id, v, loaded",
                       extra=", merge_exclude_columns=['loaded']")
    assert run_fusion(project, "run").code == 0
    _rewrite(project, "(1, 'A', 'second'), (2, 'b', 'second')", "id, v, loaded",
             extra=", merge_exclude_columns=['loaded']")
    (project / "models" / "inc.sql").write_text((project / "models" / "inc.sql").read_text().replace(
        "where id >= 2", "where true"))
    assert run_fusion(project, "run").code == 0
    assert _rows(warehouse) == [(1, "A", "first"), (2, "b", "second")]


def test_hooks_outside_the_transaction_survive_a_failed_build(warehouse, tmp_path):
    hooks = ("pre_hook=[{'sql': \"insert into main.audit values ('outside')\", 'transaction': false},"
             " \"insert into main.audit values ('inside')\"]")
    project = warehouse.project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\n"
                           "on-run-start: [\"create schema if not exists main\", "
                           "\"create table if not exists main.audit (what varchar(20))\"]\n",
        "models/t.sql": f"{{{{ config(materialized='table', {hooks}) }}}}\nselect cast('x' as integer) as broken\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 1
    # the failed build rolled back the in-transaction hook, not the one that ran before it
    assert warehouse.query("select what from main.audit") == [("outside",)]


SEED = ("id,name,born,score,active,ts\n"
        "1,O'Brien,2020-01-31,1.5,true,2020-01-31 10:11:12\n"
        "2,,2021-02-28,,false,\n"
        "3,\"comma, inside\",2022-03-01,-2.25,true,2022-03-01 00:00:00\n")


def test_seed_without_bulk_ingest_loads_the_same_rows_in_batches(warehouse, tmp_path, monkeypatch):
    """Drivers without ``adbc_ingest`` (Snowflake emulator, Spark Connect) load seeds with batched
    INSERTs; the rows and types must equal the bulk path's."""
    from click.testing import CliRunner
    from fusion.adapter import Adapter
    from fusion.cli import cli
    from fusion.invocation import registered_adapters

    adapter_class = registered_adapters()[warehouse.name].adapter_class
    project = warehouse.project(tmp_path, {"seeds/s.csv": SEED})
    assert run_fusion(project, "seed").code == 0
    bulk = warehouse.query("select * from main.s order by id")
    assert len(bulk) == 3

    statements = []
    monkeypatch.setattr(Adapter, "supports_bulk_ingest", False)
    monkeypatch.setattr(Adapter, "insert_batch_rows", 2)
    original = adapter_class.execute

    def counting(self, sql, fetch=False):
        statements.append(sql)
        return original(self, sql, fetch)

    monkeypatch.setattr(adapter_class, "execute", counting)
    monkeypatch.chdir(project)
    for args in (["seed"], ["seed", "--full-refresh"]):  # truncate + insert, then drop + create + insert
        statements.clear()
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert warehouse.query("select * from main.s order by id") == bulk
        assert sum(s.lstrip().startswith("insert into") for s in statements) == 2  # 3 rows, 2 per batch
        assert not any("__dbt_seed_stage" in s for s in statements)
