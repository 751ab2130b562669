"""The SQL fusion-bigquery renders, checked against BigQuery's grammar: models that call the DDL,
incremental and cross-database macros are compiled by the real CLI (compiling never connects)
and every statement is parsed with sqlglot's BigQuery dialect. Where sqlglot has no grammar for a
statement (``ALTER ... SET OPTIONS`` on a column, ``CALL``) the text is compared with BigQuery's
documented syntax instead."""

from __future__ import annotations

import pytest
import sqlglot
from conftest import run_fusion
from servers import write_target_project
from sqlglot import exp

TARGET = {"type": "bigquery", "method": "service-account-json", "project": "my-project", "dataset": "analytics",
          "keyfile_json": {"type": "service_account", "project_id": "my-project"}}
ROWS = "select 1 as user_id, 'a' as kind, current_timestamp() as created_at"


class Models:
    """Models collected by the tests below, compiled together once (one CLI run): ``MODELS.add``
    returns the name to read the compiled SQL by."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def add(self, name: str, body: str, yml: str | None = None) -> str:
        self.files[f"models/{name}.sql"] = body
        if yml:
            self.files[f"models/{name}.yml"] = yml
        return name


MODELS, BAD = Models(), Models()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    project = write_target_project(tmp_path_factory.mktemp("good"), MODELS.files, TARGET)
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    return lambda name: (project / "target" / "compiled" / "proj" / "models" / f"{name}.sql").read_text()


@pytest.fixture
def compile_error(tmp_path):
    """The output of compiling a project holding one of the bad models (an error stops the parse)."""
    def error(name: str) -> str:
        path = f"models/{name}.sql"
        project = write_target_project(tmp_path, {path: BAD.files[path]}, TARGET)
        result = run_fusion(project, "compile")
        assert result.code != 0 and "Traceback" not in result.output, result.output
        assert result.output.startswith("Error: ") and f"called from {path}:2" in result.output, result.output
        return result.output
    return error


def parsed(sql: str) -> list[exp.Expression]:
    """Every statement, parsed as BigQuery; none may fall back to an unparsed command."""
    statements = [s for s in sqlglot.parse(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE) if s]
    assert statements and not any(isinstance(s, exp.Command) for s in statements), sql
    return statements


def text_of(statement: exp.Expression) -> str:
    """sqlglot's rendering, function names in upper case (it keeps some as written otherwise)."""
    return statement.sql("bigquery", normalize_functions="upper")


def table_model(config: str) -> str:
    return f"{{{{ config(materialized='table', {config}) }}}}\n{{{{ get_create_table_as_sql(False, this, {ROWS!r}) }}}}"


TABLE = MODELS.add("full_table", table_model(
    "partition_by={'field': 'created_at', 'data_type': 'timestamp', 'granularity': 'day'}, "
    "cluster_by=['user_id', 'kind'], labels={'team': 'data', 'tier': 1}, require_partition_filter=true, "
    "partition_expiration_days=30, kms_key_name='projects/p/locations/eu/keyRings/r/cryptoKeys/k', "
    "persist_docs={'relation': true}"),
    "version: 2\nmodels:\n  - name: full_table\n    description: \"Users' events\"\n")


def test_table_with_partitioning_clustering_and_options(compiled):
    (create,) = parsed(compiled(TABLE))
    assert isinstance(create, exp.Create) and create.kind == "TABLE" and create.args.get("replace")
    assert text_of(create.this) == "`my-project`.`analytics`.`full_table`"
    text = text_of(create)
    assert "PARTITION BY TIMESTAMP_TRUNC(created_at, DAY) CLUSTER BY user_id, kind" in text
    assert ("OPTIONS (description='Users\\' events', labels=[('team', 'data'), ('tier', '1')], "
            "require_partition_filter=TRUE, partition_expiration_days=30, "
            "kms_key_name='projects/p/locations/eu/keyRings/r/cryptoKeys/k')") in text
    assert text.endswith("AS (SELECT 1 AS user_id, 'a' AS kind, CURRENT_TIMESTAMP() AS created_at)")


PARTITIONS = [
    ("{'field': 'day'}", "PARTITION BY day"),  # date by day: the column itself
    ("{'field': 'day', 'granularity': 'month'}", "PARTITION BY DATE_TRUNC(day, MONTH)"),
    ("{'field': 'ts', 'data_type': 'datetime', 'granularity': 'hour'}", "PARTITION BY DATETIME_TRUNC(ts, HOUR)"),
    ("{'field': 'id', 'data_type': 'int64', 'range': {'start': 0, 'end': 100, 'interval': 10}}",
     "PARTITION BY RANGE_BUCKET(id, GENERATE_ARRAY(0, 100, 10))"),
]
PARTITIONED = [MODELS.add(f"partitioned_{i}", table_model(f"partition_by={config}")) for i, (config, _) in
               enumerate(PARTITIONS)]


@pytest.mark.parametrize(("name", "clause"), list(zip(PARTITIONED, [c for _, c in PARTITIONS], strict=True)))
def test_partition_by_kinds(compiled, name, clause):
    (create,) = parsed(compiled(name))
    assert f"`{name}` {clause} AS (" in text_of(create)


BAD_CONFIGS = {
    BAD.add("not_a_mapping", table_model("partition_by='created_at'")): "partition_by must be a mapping with a `field`",
    BAD.add("bad_type", table_model("partition_by={'field': 'x', 'data_type': 'string'}")):
        "partition_by data_type must be date, datetime, timestamp or int64, got 'string'",
    BAD.add("bad_granularity", table_model("partition_by={'field': 'x', 'granularity': 'week'}")):
        "partition_by granularity must be hour, day, month or year, got 'week'",
    BAD.add("no_range", table_model("partition_by={'field': 'x', 'data_type': 'int64'}")):
        "an int64 partition_by needs range: {start, end, interval}",
    BAD.add("five_clusters", table_model("cluster_by=['a', 'b', 'c', 'd', 'e']")):
        "cluster_by takes at most 4 columns in BigQuery, got 5",
}


@pytest.mark.parametrize(("name", "message"), BAD_CONFIGS.items())
def test_bad_partition_or_cluster_config_is_a_clear_error(compile_error, name, message):
    assert message in compile_error(name)


VIEW = MODELS.add("labelled_view", "{{ config(materialized='view', labels={'team': 'data'}) }}\n"
                                   "{{ get_create_view_as_sql(this, 'select 1 as id') }}")
CONTRACTED = MODELS.add("contracted", "{{ config(materialized='table', cluster_by='id') }}\n"
                        "{{ create_table_with_columns(this, '`id` INT64 not null, `name` STRING', "
                        "['`id`', '`name`'], \"select 1 as id, 'a' as name\") }}")


def test_view_and_contracted_table(compiled):
    (view,) = parsed(compiled(VIEW))
    assert view.kind == "VIEW" and view.args.get("replace")
    assert "`labelled_view` OPTIONS (labels=[('team', 'data')]) AS (SELECT 1 AS id)" in text_of(view)

    (table,) = parsed(compiled(CONTRACTED))
    assert [c.name for c in table.this.expressions] == ["id", "name"]
    assert text_of(table).endswith("(`id` INT64 NOT NULL, `name` STRING) CLUSTER BY id AS "
                                   "(SELECT `id`, `name` FROM (SELECT 1 AS id, 'a' AS name) AS model_subq)")


STAGED = MODELS.add("staged", "{{ config(materialized='incremental', partition_by={'field': 'd'}, "
                    "require_partition_filter=true) }}\n{{ get_create_table_as_sql(False, api.Relation.create("
                    "database=this.database, schema=this.schema, identifier=this.identifier ~ '__dbt_tmp'), "
                    "'select current_date() as d') }}")


def test_staged_rows_are_partitioned_but_carry_no_table_options(compiled):
    (create,) = parsed(compiled(STAGED))
    # no require_partition_filter: the staged rows are read whole to find their partitions
    assert text_of(create).endswith("`staged__dbt_tmp` PARTITION BY d AS (SELECT CURRENT_DATE AS d)")


MATERIALIZED = MODELS.add("materialized", (
    "{{ config(materialized='materialized_view', partition_by={'field': 'd'}, cluster_by='k', "
    "enable_refresh=true, refresh_interval_minutes=30, max_staleness=\"interval '4' hour\") }}\n"
    "{{ get_create_materialized_view_as_sql(this, 'select d, k, count(*) as n from t group by d, k') }};\n"
    "{{ refresh_materialized_view(this) }}"))


def test_materialized_view_and_its_refresh(compiled):
    create_sql, refresh = compiled(MATERIALIZED).split(";\n")
    (create,) = parsed(create_sql)
    assert text_of(create).startswith(
        "CREATE OR REPLACE MATERIALIZED VIEW `my-project`.`analytics`.`materialized` PARTITION BY d CLUSTER BY k "
        "OPTIONS (enable_refresh=TRUE, refresh_interval_minutes=30, max_staleness=INTERVAL '4' HOUR) AS")
    # BigQuery's documented procedure (sqlglot has no CALL grammar)
    assert refresh.strip() == "call bq.refresh_materialized_view('my-project.analytics.materialized')"


ARGS = ("{'target_relation': this, 'temp_relation': api.Relation.create(database=this.database, "
        "schema=this.schema, identifier='staged_rows'), 'unique_key': 'id', 'incremental_predicates': none, "
        "'dest_columns': [api.Column.create('id', 'INT64'), api.Column.create('d', 'DATE'), "
        "api.Column.create('name', 'STRING')]}")
MERGE = MODELS.add("merged", f"{{{{ config(materialized='incremental', unique_key='id') }}}}\n"
                             f"{{{{ get_incremental_default_sql({ARGS}) }}}}")
STATIC = MODELS.add("static_overwrite", (
    "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', "
    "partition_by={'field': 'd', 'granularity': 'month'}, "
    "partitions=[\"date('2024-01-01')\", \"date('2024-02-01')\"]) }}\n"
    f"{{{{ get_incremental_insert_overwrite_sql({ARGS}) }}}}"))
DYNAMIC = MODELS.add("dynamic_overwrite", (
    "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', "
    "partition_by={'field': 'created_at', 'data_type': 'timestamp'}) }}\n"
    f"{{{{ get_incremental_insert_overwrite_sql({ARGS}) }}}}"))
NO_PARTITION = BAD.add("overwrite_unpartitioned", (
    "{{ config(materialized='incremental', incremental_strategy='insert_overwrite') }}\n"
    f"{{{{ get_incremental_insert_overwrite_sql({ARGS}) }}}}"))


def test_merge_is_the_default_strategy(compiled):
    (merge,) = parsed(compiled(MERGE))
    assert isinstance(merge, exp.Merge)
    assert text_of(merge) == (
        "MERGE INTO `my-project`.`analytics`.`merged` AS dbt_internal_dest "
        "USING `my-project`.`analytics`.`staged_rows` AS dbt_internal_source "
        "ON dbt_internal_source.id = dbt_internal_dest.id WHEN MATCHED THEN UPDATE SET "
        "`id` = dbt_internal_source.`id`, `d` = dbt_internal_source.`d`, `name` = dbt_internal_source.`name` "
        "WHEN NOT MATCHED THEN INSERT (`id`, `d`, `name`) "
        "VALUES (dbt_internal_source.`id`, dbt_internal_source.`d`, dbt_internal_source.`name`)")


def test_insert_overwrite_static_partitions(compiled):
    (merge,) = parsed(compiled(STATIC))
    assert text_of(merge).upper().endswith(
        "ON FALSE WHEN NOT MATCHED BY SOURCE AND DATE_TRUNC(DBT_INTERNAL_DEST.D, MONTH) IN "
        "(DATE('2024-01-01'), DATE('2024-02-01')) THEN DELETE "
        "WHEN NOT MATCHED THEN INSERT (`ID`, `D`, `NAME`) VALUES (`ID`, `D`, `NAME`)")


def test_insert_overwrite_dynamic_partitions_is_one_script(compiled):
    declare, assign, merge = parsed(compiled(DYNAMIC))
    assert text_of(declare) == "DECLARE dbt_partitions_for_replacement ARRAY<TIMESTAMP>"
    assert text_of(assign) == ("SET dbt_partitions_for_replacement = (SELECT ARRAY_AGG(DISTINCT "
                               "TIMESTAMP_TRUNC(created_at, DAY)) FROM `my-project`.`analytics`.`staged_rows`)")
    assert ("WHEN NOT MATCHED BY SOURCE AND TIMESTAMP_TRUNC(DBT_INTERNAL_DEST.CREATED_AT, DAY) IN "
            "UNNEST(DBT_PARTITIONS_FOR_REPLACEMENT) THEN DELETE") in text_of(merge).upper()


def test_insert_overwrite_without_partition_by_is_a_clear_error(compile_error):
    assert "incremental_strategy 'insert_overwrite' needs the partition_by config" in compile_error(NO_PARTITION)


DESCRIBED = MODELS.add("described", "{{ config(materialized='table') }}{{ alter_column_comment(this, "
                       "{'id': {'name': 'id', 'description': \"the user's id\"}, "
                       "'name': {'name': 'name', 'description': ''}}) }}")


def test_column_descriptions_are_column_options(compiled):
    # BigQuery: ALTER TABLE t ALTER COLUMN c SET OPTIONS(description=...) (sqlglot has no grammar for it)
    assert compiled(DESCRIBED).strip() == (
        "alter table `my-project`.`analytics`.`described` alter column `id` "
        "set options(description='the user\\'s id')")


SCALARS = MODELS.add("scalars", """
select
  cast('a' as {{ dbt.type_string() }}) as s, cast(1 as {{ dbt.type_bigint() }}) as b,
  cast(1.5 as {{ dbt.type_float() }}) as f, cast(1 as {{ dbt.type_numeric() }}) as n,
  cast(true as {{ dbt.type_boolean() }}) as t, cast(null as {{ dbt.type_timestamp() }}) as ts,
  {{ dbt.current_timestamp() }} as now_ts,
  {{ dbt.dateadd('month', 1, "'2024-01-31'") }} as add_month,
  {{ dbt.datediff("'2024-01-01'", "'2024-03-01'", 'day') }} as diff_day,
  {{ dbt.date_trunc('week', "'2024-05-17'") }} as trunc_week,
  {{ dbt.last_day("'2024-02-10'", 'month') }} as last_day_month,
  {{ dbt.safe_cast("'x'", 'int64') }} as safe_int,
  {{ dbt.hash("'abc'") }} as hashed,
  {{ dbt.concat(["'a'", "'b'"]) }} as joined,
  {{ dbt.split_part("'a,b,c'", "','", 2) }} as second_part,
  {{ dbt.split_part("'a,b,c'", "','", -1) }} as last_part,
  {{ dbt.position("'b'", "'abc'") }} as pos,
  {{ dbt.right("'abc'", 2) }} as right_two,
  {{ dbt.length("'abc'") }} as len,
  {{ dbt.replace("'abc'", "'b'", "'x'") }} as replaced,
  {{ dbt.string_literal(dbt.escape_single_quotes("it's")) }} as quoted,
  {{ dbt.array_construct(['1', '2']) }} as arr,
  {{ dbt.array_construct([], 'int64') }} as empty_arr,
  {{ dbt.array_append(dbt.array_construct(['1']), '2') }} as appended,
  {{ dbt.array_concat(dbt.array_construct(['1']), dbt.array_construct(['2'])) }} as concatenated
from (select 1 as x)
{{ dbt.except() }}
select * from (select 1 as x)
""")
AGGREGATES = MODELS.add("aggregates", """
select
  {{ dbt.listagg('name', "', '", 'order by name', 2) }} as names,
  {{ dbt.bool_or('flag') }} as any_flag,
  {{ dbt.any_value('name') }} as some_name
from t
""")


def test_cross_database_macros_are_bigquery_sql(compiled):
    (scalars,) = parsed(compiled(SCALARS))
    text = text_of(scalars)
    for expected in ("CAST('a' AS STRING)", "CAST(1 AS INT64)", "CAST(1.5 AS FLOAT64)", "CAST(TRUE AS BOOL)",
                     "CAST(NULL AS TIMESTAMP)", "CURRENT_TIMESTAMP() AS now_ts",
                     "DATETIME_ADD(CAST('2024-01-31' AS DATETIME), INTERVAL '1' MONTH)",
                     "DATETIME_DIFF(CAST('2024-03-01' AS DATETIME), CAST('2024-01-01' AS DATETIME), DAY)",
                     "TIMESTAMP_TRUNC(CAST('2024-05-17' AS TIMESTAMP), WEEK)",
                     "LAST_DAY(CAST('2024-02-10' AS DATE), MONTH)", "SAFE_CAST('x' AS INT64)",
                     "TO_HEX(MD5(CAST('abc' AS STRING)))", "SPLIT('a,b,c', ',')[SAFE_OFFSET(2 - 1)]",
                     "SPLIT('a,b,c', ',')[SAFE_OFFSET(ARRAY_LENGTH(SPLIT('a,b,c', ',')) + (-1))]",
                     "INSTR('abc', 'b')", "SUBSTR('abc', -1 * (2))", "'it\\'s' AS quoted", "[1, 2] AS arr",
                     "ARRAY<INT64>[] AS empty_arr", "ARRAY_CONCAT([1], [2]) AS appended",
                     "FROM (SELECT 1 AS x) EXCEPT DISTINCT SELECT"):
        assert expected in text, expected
    (aggregates,) = parsed(compiled(AGGREGATES))
    assert text_of(aggregates) == ("SELECT STRING_AGG(name, ', ' ORDER BY name LIMIT 2) AS names, "
                                   "LOGICAL_OR(flag) AS any_flag, ANY_VALUE(name) AS some_name FROM t")


QUOTED = MODELS.add("quoted_string", "select {{ adapter.quote_string(\"it's a \\\\ path\") }} as v")


def test_string_literals_escape_with_backslashes(compiled):
    (select,) = parsed(compiled(QUOTED))
    assert select.find(exp.Literal).this == "it's a \\ path"  # what BigQuery reads
