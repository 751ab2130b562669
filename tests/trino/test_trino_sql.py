"""The SQL fusion-trino renders, checked against Trino's grammar: models that call the DDL,
incremental, snapshot and cross-database macros are compiled by the real CLI (compiling never
connects) and every statement is parsed with sqlglot's Trino dialect."""

from __future__ import annotations

import pytest
import sqlglot
from conftest import run_fusion
from servers import write_target_project
from sqlglot import exp

TARGET = {"type": "trino", "host": "trino.example.com", "port": 8080, "user": "dbt", "catalog": "hive",
          "schema": "analytics", "threads": 1}
ROWS = "select 1 as id, 'a' as kind"
FILES: dict[str, str] = {}


def model(name: str, body: str) -> str:
    FILES[f"models/{name}.sql"] = body
    return name


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    project = write_target_project(tmp_path_factory.mktemp("trino_sql"), FILES, TARGET)
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    return lambda name: (project / "target" / "compiled" / "proj" / "models" / f"{name}.sql").read_text()


def parsed(sql: str) -> list[exp.Expression]:
    """Every statement, parsed as Trino; none may fall back to an unparsed command."""
    statements = [s for s in sqlglot.parse(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE) if s]
    assert statements and not any(isinstance(s, exp.Command) for s in statements), sql
    return statements


def text_of(statement: exp.Expression) -> str:
    return statement.sql("trino", normalize_functions="upper")


def table(name: str, config: str) -> str:
    return model(name, f"{{{{ config(materialized='table', {config}) }}}}\n"
                       f"{{{{ get_create_table_as_sql(False, this, {ROWS!r}) }}}}")


PROPERTIES = table("with_properties", "properties={'format': \"'PARQUET'\", 'partitioned_by': \"ARRAY['kind']\"}")
SHORTHANDS = table("shorthands", "file_format='ORC', table_format='iceberg'")
REPLACED = table("replaced", "on_table_exists='replace'")
STAGED = model("staged", "{{ config(materialized='table', on_table_exists='replace', properties={'format': "
                         "\"'ORC'\"}) }}\n{{ get_create_table_as_sql(False, this.incorporate(path={'identifier': "
                         f"this.identifier ~ '__dbt_tmp'}}), {ROWS!r}) }}}}")


def test_table_properties_are_a_with_clause(compiled):
    (create,) = parsed(compiled(PROPERTIES))
    assert isinstance(create, exp.Create) and create.kind == "TABLE" and not create.args.get("replace")
    assert text_of(create) == ('CREATE TABLE "hive"."analytics"."with_properties" '
                               "WITH (format='PARQUET', PARTITIONED_BY=ARRAY['kind']) AS (SELECT 1 AS id, 'a' AS kind)")
    (create,) = parsed(compiled(SHORTHANDS))
    assert "WITH (format='ORC', type='iceberg') AS" in text_of(create)


def test_on_table_exists_replace_creates_or_replaces_the_model_table_only(compiled):
    (create,) = parsed(compiled(REPLACED))
    assert create.args.get("replace")
    assert text_of(create).startswith('CREATE OR REPLACE TABLE "hive"."analytics"."replaced"')
    (staged,) = parsed(compiled(STAGED))  # staged rows: a plain table, without the model's properties
    assert text_of(staged) == "CREATE TABLE \"hive\".\"analytics\".\"staged__dbt_tmp\" AS (SELECT 1 AS id, 'a' AS kind)"


INVOKER = model("invoker_view", "{{ config(materialized='view', view_security='invoker') }}\n"
                                "{{ get_create_view_as_sql(this, 'select 1 as id') }}")
DEFINER = model("definer_view", "{{ config(materialized='view') }}\n"
                                "{{ get_create_view_as_sql(this, 'select 1 as id') }}")


def test_views_are_replaced_with_their_security(compiled):
    (view,) = parsed(compiled(INVOKER))
    assert view.kind == "VIEW" and view.args.get("replace")
    assert text_of(view) == ('CREATE OR REPLACE VIEW "hive"."analytics"."invoker_view" SECURITY INVOKER '
                             "AS SELECT 1 AS id")
    assert "SECURITY DEFINER AS" in text_of(parsed(compiled(DEFINER))[0])


MATERIALIZED = model("materialized", "{{ config(materialized='materialized_view', grace_period=\"interval '1' hour\", "
                                     "properties={'format': \"'ORC'\"}) }}\n"
                                     "{{ get_create_materialized_view_as_sql(this, 'select 1 as id') }};\n"
                                     "{{ refresh_materialized_view(this) }}")


def test_materialized_view_with_grace_period_and_refresh(compiled):
    create, refresh = compiled(MATERIALIZED).split(";\n")
    # sqlglot has no grammar for GRACE PERIOD: Trino's documented syntax, compared as text
    assert " ".join(create.split()) == ('create or replace materialized view "hive"."analytics"."materialized" '
                                        "grace period interval '1' hour with (format = 'ORC') as select 1 as id")
    assert refresh.strip() == 'refresh materialized view "hive"."analytics"."materialized"'


ARGS = ("{'target_relation': this, 'temp_relation': this.incorporate(path={'identifier': 'new_rows'}), "
        "'unique_key': KEY, 'incremental_predicates': none, "
        "'dest_columns': [api.Column.create('id', 'integer'), api.Column.create('kind', 'varchar')]}")
MERGE = model("merged", "{{ config(materialized='incremental', unique_key='id') }}\n"
                        f"{{{{ get_incremental_merge_sql({ARGS.replace('KEY', repr('id'))}) }}}}")
DELETE_INSERT = model("delete_insert", "{{ config(materialized='incremental') }}\n"
                                       f"{{{{ get_incremental_delete_insert_sql({ARGS.replace('KEY', '[1,2]')}) }}}}"
                                       .replace("[1,2]", "['id', 'kind']"))
SNAPSHOT_MERGE = model("snapshot_merge", "{{ snapshot_merge_sql(this, this.incorporate(path={'identifier': "
                                         "'staging'}), ['\"id\"', '\"dbt_scd_id\"']) }}")


def test_incremental_and_snapshot_sql_parse_as_trino(compiled):
    (merge,) = parsed(compiled(MERGE))
    assert isinstance(merge, exp.Merge)
    delete, insert = parsed(compiled(DELETE_INSERT))
    assert isinstance(delete, exp.Delete) and isinstance(insert, exp.Insert)
    (snapshot,) = parsed(compiled(SNAPSHOT_MERGE))  # Trino has no UPDATE ... FROM: one MERGE
    assert isinstance(snapshot, exp.Merge)
    assert "WHEN MATCHED AND dbt_internal_dest.dbt_valid_to IS NULL" in text_of(snapshot)


CROSS = model("cross_database", """select
  {{ dbt.dateadd('quarter', -1, "'2024-05-15'") }} as a,
  {{ dbt.datediff("'2024-01-07'", "'2024-01-08'", 'week') }} as b,
  {{ dbt.datediff("'2024-01-01'", "'2024-01-02'", 'hour') }} as c,
  {{ dbt.hash("'abc'") }} as d,
  {{ dbt.right("'abcdef'", 3) }} as e,
  {{ dbt.listagg('kind', "'|'", 'order by id desc', 2) }} as f,
  {{ dbt.array_construct([], 'integer') }} as g,
  {{ dbt.array_append(dbt.array_construct([1], 'integer'), 2) }} as h,
  {{ dbt.safe_cast("'x'", dbt.type_int()) }} as i,
  {{ dbt.split_part("'a,b'", "','", -1) }} as j,
  {{ dbt.type_string() }} as k, {{ dbt.type_float() }} as l, {{ dbt.type_numeric() }} as m
from t""")


def test_cross_database_macros_are_trino_sql(compiled):
    (select,) = parsed(compiled(CROSS))
    text = text_of(select)
    for expected in ("DATE_ADD('QUARTER', -1, CAST('2024-05-15' AS TIMESTAMP)) AS a",
                     "DATE_DIFF('WEEK', DATE_TRUNC('WEEK', CAST('2024-01-07' AS TIMESTAMP)), "
                     "DATE_TRUNC('WEEK', CAST('2024-01-08' AS TIMESTAMP))) AS b",
                     "LOWER(TO_HEX(MD5(TO_UTF8(CAST('abc' AS VARCHAR))))) AS d",
                     "ARRAY_JOIN(SLICE(ARRAY_AGG(kind ORDER BY id DESC), 1, 2), '|') AS f",
                     "CAST(ARRAY[] AS ARRAY(INTEGER)) AS g", "TRY_CAST('x' AS INTEGER) AS i"):
        assert expected in text, text


def test_datediff_has_no_microseconds_on_trino(tmp_path):
    project = write_target_project(tmp_path, {"models/m.sql": "select {{ dbt.datediff('a', 'b', 'microsecond') }}"},
                                   TARGET)
    result = run_fusion(project, "compile")
    assert result.code != 0 and "Traceback" not in result.output
    assert "datediff: unsupported datepart for Trino: microsecond" in result.output


def test_columns_keep_trinos_types():
    from fusion_trino import TrinoColumn

    assert TrinoColumn.from_description("c", "varchar").data_type == "varchar"  # unbounded, not varchar(256)
    sized = TrinoColumn.from_description("c", "varchar(20)")
    assert (sized.char_size, sized.data_type) == (20, "varchar(20)")
    assert TrinoColumn.from_description("n", "decimal(10,2)").data_type == "decimal(10,2)"
    assert TrinoColumn.create("s", "string").data_type == "VARCHAR"  # dbt-trino's label


@pytest.mark.parametrize(("configured", "materialized", "mode"), [
    (None, "table", "rename"), ("drop", "table", "drop"), ("REPLACE", "incremental", "replace"),
    ("skip", "table", "skip"), ("skip", "incremental", "rename"), ("bogus", "table", "rename")])
def test_on_table_exists_as_dbt_trino(configured, materialized, mode):
    from fusion_trino import TrinoAdapter, fusion_register_adapters

    specs = []
    fusion_register_adapters(register=specs.append)
    adapter = TrinoAdapter(specs[0], TARGET, "profiles.yml")
    assert adapter.table_replacement({"on_table_exists": configured, "materialized": materialized}) == mode


CONSTRAINED = model("constrained", "{% set columns = {'id': {'name': 'id', 'data_type': 'integer', 'constraints': "
                    "[{'type': 'not_null'}, {'type': 'check', 'expression': 'id > 0'}, {'type': 'unique'}]}} %}"
                    "{{ adapter.render_raw_columns_constraints(columns) | join(', ') }};\n"
                    "{{ adapter.render_raw_model_constraints([{'type': 'primary_key', 'columns': ['id']}, "
                    "{'type': 'check', 'expression': 'id < 9'}]) | join(', ') }}")


def test_contract_ddl_keeps_only_the_constraints_trino_accepts(compiled):
    """Trino takes `not null` and refuses check, unique and primary key constraints (dbt-trino's
    support table): contracts leave those out instead of failing the create."""
    columns, model_constraints = compiled(CONSTRAINED).split(";")
    assert columns.strip() == "id integer not null"
    assert model_constraints.strip() == ""
