"""fusion-postgres on a real PostgreSQL server: credentials, statements, results, relations.

Most tests drive the real CLI on a small project; a few call the adapter in-process where the
thing under test is a Python value (decimals from NUMERIC, error text).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from conftest import run_fusion
from fusion.errors import DatabaseError, ProjectError
from fusion.invocation import Flags, Invocation
from fusion_postgres import PostgresAdapter, fit_identifier, fusion_register_adapters
from servers import write_target_project

pytestmark = pytest.mark.postgres


def make_adapter(target: dict, profile_path: str = "profiles.yml") -> PostgresAdapter:
    specs = []
    fusion_register_adapters(register=specs.append)
    return PostgresAdapter(specs[0], target, profile_path)


@pytest.fixture
def adapter(tmp_path, postgres, pg_database):
    """The adapter of a small project's invocation (its catalog queries are the project's macros)."""
    project = write_target_project(tmp_path, {}, postgres.target(pg_database, "main"))
    adapter = Invocation(Flags(which="run", project_dir=str(project), profiles_dir=str(project))).adapter
    yield adapter
    adapter.close()


# --- profile -> libpq URI (no server needed) ------------------------------------------------

def test_dbt_postgres_profile_keys_map_to_a_libpq_uri():
    adapter = make_adapter({
        "type": "postgres", "host": "db.internal", "user": "ana lyst@corp", "pass": "p@ss:w/rd?#&=% x",
        "database": "ware house", "schema": "dbt_ana", "port": 5432, "threads": 4, "sslmode": "require",
        "keepalives_idle": 30, "connect_timeout": 5, "search_path": "dbt_ana, public", "role": "transformer",
    })
    assert adapter.uri() == (
        "postgresql://ana%20lyst%40corp:p%40ss%3Aw%2Frd%3F%23%26%3D%25%20x@db.internal:5432/ware%20house"
        "?connect_timeout=5&keepalives_idle=30&sslmode=require&application_name=fusion"
        "&options=-c%20search_path%3Ddbt_ana%2C%5C%20public")
    assert adapter.default_database == "ware house"
    assert adapter.default_schema == "dbt_ana"


def test_unix_socket_and_ipv6_hosts():
    socket = make_adapter({"host": "/var/run/postgresql", "user": "u", "password": "", "dbname": "d",
                           "schema": "s", "port": 5433})
    assert socket.uri() == "postgresql://u@:5433/d?host=%2Fvar%2Frun%2Fpostgresql&connect_timeout=10&application_name=fusion"
    ipv6 = make_adapter({"host": "::1", "user": "u", "password": "pw", "dbname": "d", "schema": "s", "port": 5432})
    assert ipv6.uri().startswith("postgresql://u:pw@[::1]:5432/d?")


@pytest.mark.parametrize("host", ["h?sslmode=disable&x=", "h/evil?sslmode=disable", "h:1@evil#y"])
def test_host_text_cannot_inject_uri_options(host):
    """libpq itself (through the ADBC driver) reads the whole text as the host name."""
    import re
    import urllib.parse

    dbapi = pytest.importorskip("adbc_driver_postgresql.dbapi")
    uri = make_adapter({"host": host, "user": "u", "password": "p", "dbname": "d", "schema": "s",
                        "port": 5432, "connect_timeout": 1}).uri()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query).keys() == {"connect_timeout", "application_name"}
    with pytest.raises(dbapi.Error, match=re.escape(f'could not translate host name "{host}"')):
        dbapi.connect(uri)


@pytest.mark.parametrize(("change", "message"), [
    ({"host": None}, "needs `host`"),
    ({"password": None}, "needs `password` (or `pass`)"),
    ({"schema": ""}, "needs `schema`"),
    ({"port": "fivefour"}, "`port` of the postgres target must be a whole number"),
    ({"port": 70000}, "`port` of the postgres target is out of range"),
])
def test_bad_credentials_name_the_profile(change, message):
    target = {"host": "h", "user": "u", "password": "p", "dbname": "d", "schema": "s", "port": 5432, **change}
    target = {k: v for k, v in target.items() if v is not None}
    with pytest.raises(ProjectError) as info:
        make_adapter(target, "/home/me/.dbt/profiles.yml")
    assert message in str(info.value)
    assert "/home/me/.dbt/profiles.yml" in str(info.value)


def test_long_names_are_fitted_like_postgresql_keeps_them():
    assert fit_identifier("a" * 63) == "a" * 63
    assert fit_identifier("a" * 70) == "a" * 63
    assert fit_identifier("m" * 60 + "__dbt_tmp") == "m" * 54 + "__dbt_tmp"
    assert fit_identifier("m" * 60 + "__dbt_backup") == "m" * 51 + "__dbt_backup"
    assert fit_identifier("é" * 40) == "é" * 31  # 63 bytes at most, never half a character


# --- statements and results -----------------------------------------------------------------

def test_fetch_gives_decimals_for_numeric(adapter):
    _, table = adapter.execute(
        "select 24.50::numeric(10,2) as price, x as unconstrained, 'NaN'::numeric as nan, 7::bigint as n "
        "from (values (1.5::numeric), (2), (null)) as v(x) order by x nulls last", fetch=True)
    assert table.schema.field("price").type == pa.decimal128(10, 2)
    assert table.column("price").to_pylist() == [Decimal("24.50")] * 3
    assert table.column("unconstrained").to_pylist() == [Decimal("1.5"), Decimal("2.0"), None]
    assert str(table.column("nan")[0].as_py()) == "nan"
    assert table.column("n").to_pylist() == [7, 7, 7]


def test_show_and_several_statements_in_one_text(adapter):
    _, table = adapter.execute("-- what zone?\nshow timezone", fetch=True)
    assert table.to_pylist() == [{"TimeZone": "UTC"}]
    response, _ = adapter.execute("create table t (a int); insert into t values (1), (2); insert into t values (3)")
    assert response.rows_affected == 1
    _, table = adapter.execute("select sum(a) as s from t", fetch=True)
    assert table.column("s").to_pylist() == [6]


def test_error_text_has_message_sqlstate_and_position(adapter):
    with pytest.raises(DatabaseError) as info:
        adapter.execute("select 1 as a,\n  nope from (select 1) as t")
    text = str(info.value)
    assert text.startswith('column "nope" does not exist (SQLSTATE 42703)\nLINE 2:   nope from')
    with pytest.raises(DatabaseError) as info:
        adapter.execute("select 1 / 0", fetch=True)
    assert str(info.value) == "division by zero (SQLSTATE 22012)"


def test_transactions_roll_back_ddl(adapter):
    adapter.execute("create schema main")
    with pytest.raises(DatabaseError):
        with adapter.transaction():
            adapter.execute("create table main.kept (a int)")
            adapter.execute("select * from no_such_table")
    assert adapter.get_relation(adapter.default_database, "main", "kept") is None
    _, table = adapter.execute("select count(*) as n from pg_tables where tablename = 'kept'", fetch=True)
    assert table.column("n").to_pylist() == [0]


# --- projects -------------------------------------------------------------------------------

def test_relations_are_database_schema_name_and_views_are_swapped(tmp_path, postgres, pg_database, pg_query):
    files = {"models/base.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
             "models/over_base.sql": "select id from {{ ref('base') }}\n",
             "models/flip.sql": "{{ config(materialized=var('flip', 'view')) }}\nselect 2 as id\n"}
    project = write_target_project(tmp_path, files, postgres.target(pg_database, "main"))
    for flip in ("view", "view", "table", "view"):  # rebuilds, then type changes both ways
        result = run_fusion(project, "run", "--vars", f'{{"flip": "{flip}"}}')
        assert result.code == 0, result.output
        kinds = pg_query("select table_name, table_type from information_schema.tables "
                         "where table_schema = 'main' order by 1")
        assert kinds == [("base", "BASE TABLE"), ("flip", "VIEW" if flip == "view" else "BASE TABLE"),
                         ("over_base", "VIEW")]
    compiled = (project / "target" / "run" / "proj" / "models" / "over_base.sql").read_text()
    assert f'"{pg_database}"."main"."base"' in compiled
    assert pg_query("select id from main.over_base") == [(1,)]


def test_seed_types_are_dbt_postgres_types(tmp_path, postgres, pg_database, pg_query):
    csv = ("i,f,whole,d,ts,b,t\n"
           "1,1.5,20.0,2024-01-02,2024-01-02 09:55:00,true,x\n"
           "2,,3,,,false,\n")
    project = write_target_project(tmp_path, {"seeds/s.csv": csv}, postgres.target(pg_database, "main"))
    for _ in range(2):  # create, then truncate + insert
        result = run_fusion(project, "seed")
        assert result.code == 0, result.output
    assert pg_query("select column_name, data_type from information_schema.columns "
                    "where table_name = 's' order by ordinal_position") == [
        ("i", "integer"), ("f", "double precision"), ("whole", "integer"), ("d", "date"),
        ("ts", "timestamp without time zone"), ("b", "boolean"), ("t", "text")]
    assert pg_query("select * from main.s order by i") == [
        (1, 1.5, 20, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 9, 55), True, "x"),
        (2, None, 3, None, None, False, None)]


INCREMENTAL = """{{{{ config(materialized='incremental', {config}) }}}}
select * from (values {{{{ var('rows') }}}}) as v(k1, k2, value)
"""
STRATEGIES = {  # model: (config, rows after the second run)
    "default_with_key": ("unique_key='k1'", [(1, 1, "new"), (2, 1, "new")]),  # dbt-postgres: delete+insert
    "delete_insert_two_keys": ("unique_key=['k1', 'k2'], incremental_strategy='delete+insert'",
                               [(1, 1, "new"), (1, 2, "old"), (2, 1, "new")]),
    "merge": ("unique_key='k1', incremental_strategy='merge'", [(1, 1, "new"), (1, 1, "new"), (2, 1, "new")]),
    "append": ("incremental_strategy='append'", [(1, 1, "new"), (1, 1, "old"), (1, 2, "old"), (2, 1, "new")]),
}


def test_incremental_strategies(tmp_path, postgres, pg_database, pg_query):
    files = {f"models/{name}.sql": INCREMENTAL.format(config=config) for name, (config, _) in STRATEGIES.items()}
    project = write_target_project(tmp_path, files, postgres.target(pg_database, "main"))
    for rows in ("(1, 1, 'old'), (1, 2, 'old')", "(1, 1, 'new'), (2, 1, 'new')"):
        result = run_fusion(project, "run", "--vars", f'{{"rows": "{rows}"}}')
        assert result.code == 0, result.output
    for name, (_, expected) in STRATEGIES.items():
        assert pg_query(f"select k1, k2, value from main.{name} order by 1, 2, 3") == expected, name


def test_long_model_names_rebuild(tmp_path, postgres, pg_database, pg_query):
    table, view = "t" * 60, "v" * 70
    files = {f"models/{table}.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
             f"models/{view}.sql": f"select id from {{{{ ref('{table}') }}}}\n"}
    project = write_target_project(tmp_path, files, postgres.target(pg_database, "main"))
    for _ in range(2):
        result = run_fusion(project, "run")
        assert result.code == 0, result.output
    assert pg_query("select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where nspname = 'main' order by 1") == [(table,), ("v" * 63,)]


def test_role_and_search_path_apply_to_every_connection(tmp_path, postgres, pg_database, pg_admin, pg_query):
    pg_admin.run("do $$ begin if not exists (select from pg_roles where rolname = 'transformer') then "
                 "create role transformer; end if; end $$")
    pg_admin.run(f'grant all on database "{pg_database}" to transformer')
    target = postgres.target(pg_database, "main", role="transformer", search_path="main, public", threads=2)
    files = {f"models/m{i}.sql": "{{ config(materialized='table') }}\n"
                                 "select current_user::text as who, current_setting('search_path') as path\n"
             for i in range(4)}
    project = write_target_project(tmp_path, files, target)
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    for i in range(4):
        assert pg_query(f"select who, path from main.m{i}") == [("transformer", "main, public")]
    assert pg_query("select distinct tableowner from pg_tables where schemaname = 'main'") == [("transformer",)]


def test_special_characters_in_password(tmp_path, postgres, pg_database, pg_admin):
    password = "p@ss:w/rd?#&=% x'\""
    pg_admin.run("do $$ begin if not exists (select from pg_roles where rolname = 'odd user') then "
                 "create role \"odd user\" login; end if; end $$")
    pg_admin.run(f"alter role \"odd user\" password '{password.replace(chr(39), chr(39) * 2)}'")
    pg_admin.run(f'grant all on database "{pg_database}" to "odd user"')
    target = postgres.target(pg_database, "main", user="odd user", password=password)
    project = write_target_project(tmp_path, {"models/a.sql": "select 1 as id\n"}, target)
    result = run_fusion(project, "run")
    assert result.code == 0, result.output


def test_contract_persist_docs_and_grants(tmp_path, postgres, pg_database, pg_admin, pg_query):
    pg_admin.run("do $$ begin if not exists (select from pg_roles where rolname = 'reporter') then "
                 "create role reporter; end if; end $$")
    project = write_target_project(tmp_path, {
        "models/c.sql": "{{ config(materialized='table', grants={'select': ['reporter']},"
                        " persist_docs={'relation': true, 'columns': true}) }}\n"
                        "select 1 as id, 'a'::varchar as name, 2.5::numeric(10,2) as amount\n",
        "models/v.sql": "{{ config(persist_docs={'relation': true}) }}\nselect 'a' as name\n",
        "models/c.yml": "version: 2\nmodels:\n  - name: c\n    description: \"the c's\"\n"
                        "    config: {contract: {enforced: true}}\n    columns:\n"
                        "      - {name: id, data_type: int, description: the key,"
                        " constraints: [{type: not_null}, {type: primary_key}]}\n"
                        "      - {name: name, data_type: varchar}\n"
                        "      - {name: amount, data_type: 'numeric(10,2)'}\n"
                        "  - name: v\n    description: a view\n"
                        "    config: {contract: {enforced: true}}\n    columns: [{name: name, data_type: varchar}]\n",
    }, postgres.target(pg_database, "main"))
    result = run_fusion(project, "run")
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert "name: declared character varying, the query returns text" in result.output  # v: 'a' is text
    assert pg_query("select obj_description('main.c'::regclass), col_description('main.c'::regclass, 1), "
                    "has_table_privilege('reporter', 'main.c', 'select'), "
                    "(select count(*) from pg_constraint where conrelid = 'main.c'::regclass and contype = 'p')"
                    ) == [("the c's", "the key", True, 1)]


def test_temporary_tables_have_no_schema(tmp_path, postgres, pg_database, pg_query):
    hook = "{{ create_table_as(True, api.Relation.create(database=target.database, schema=target.schema, " \
           "identifier='scratch'), 'select 41 as a') }}"
    project = write_target_project(tmp_path, {
        "models/uses_temp.sql": f"{{{{ config(materialized='table', pre_hook=\"{hook}\") }}}}\n"
                                "select a + 1 as a from scratch\n",
    }, postgres.target(pg_database, "main"))
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert pg_query("select a from main.uses_temp") == [(42,)]
    assert pg_query("select count(*) from pg_class where relname = 'scratch'") == [(0,)]  # gone with its session


def test_dropping_a_relation_without_schema(adapter):
    adapter.execute("create temporary table scratch (a int)")
    adapter.drop_relation(adapter.relation(None, None, "scratch", "table"))
    _, table = adapter.execute("select count(*) as n from pg_class where relname = 'scratch'", fetch=True)
    assert table.column("n").to_pylist() == [0]


def test_unlogged_tables_and_indexes(tmp_path, postgres, pg_database, pg_query):
    config = ("materialized='table', unlogged=true, indexes=[{'columns': ['id'], 'unique': true}, "
              "{'columns': ['a'], 'type': 'hash'}, {'columns': ['a', 'b']}]")
    model = f"{{{{ config({config}) }}}}\nselect 1 as id, 2 as a, 3 as b\n"
    project = write_target_project(tmp_path, {"models/t.sql": model}, postgres.target(pg_database, "main"))
    for _ in range(2):  # the second build replaces the table (and its indexes) by a new one
        result = run_fusion(project, "run")
        assert result.code == 0, result.output
    assert pg_query("select relpersistence from pg_class where relname = 't'") == [("u",)]
    definitions = sorted(d.split(" ON ")[1] + (" unique" if "UNIQUE" in d else "")
                         for (d,) in pg_query("select indexdef from pg_indexes where tablename = 't'"))
    assert definitions == ["main.t USING btree (a, b)", "main.t USING btree (id) unique", "main.t USING hash (a)"]
