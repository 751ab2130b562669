"""fusion-trino end to end on the Trino-protocol stand-in server, through the built Trino driver,
fetched from a signed loopback repository and verified on first use: examples/shop builds and
its marts equal what dbt Core + dbt-postgres built (tests/expected/shop_postgres, as text), and
the Trino-only configs (on_table_exists, view_security, timestamp microbatch windows) do what
dbt-trino's do; ldap and jwt profiles reach a TLS server."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal, InvalidOperation

import pytest
from conftest import EXAMPLES, REPO, run_fusion
from servers import profile_yaml, write_target_project

pytestmark = pytest.mark.slow

EXPECTED = REPO / "tests" / "expected" / "shop_postgres" / "run1"
MARTS = ("customers", "orders", "orders_current", "product_revenue", "web_events_log")


def _target(standin, schema: str) -> dict:
    return {"type": "trino", "host": "127.0.0.1", "port": standin.port, "user": "dbt", "catalog": "memory",
            "schema": schema, "threads": 4}


def _rows(standin, sql: str) -> list[tuple]:
    with standin.lock:
        return standin.db.execute(sql).fetchall()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return _number(str(value))


def _number(text: str) -> str:
    """Numbers compared by value (PostgreSQL prints 0.00 where DuckDB prints 0)."""
    try:
        return str(Decimal(text).normalize()) if text else text
    except InvalidOperation:
        return text


def test_shop_builds_and_its_marts_match_dbt(tmp_path, trino_standin, trino_fusion_env):
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    (project / "profiles.yml").write_text(profile_yaml(_target(trino_standin, "shop"), profile="shop"))
    result = run_fusion(project, "build", env=trino_fusion_env)
    assert result.code == 0, result.output
    assert "Installing trino 0.1.0 from 'trino-loopback'" in result.output  # fetched, verified, then loaded
    assert "ERROR=0" in result.output and "PASS=" in result.output
    for name in MARTS:
        with open(EXPECTED / f"main_marts.{name}.csv", newline="", encoding="utf-8") as handle:
            header, *expected = list(csv.reader(handle))
        columns = ", ".join(f'"{c}"' for c in header)
        got = sorted([_text(v) for v in row] for row in _rows(trino_standin, f"select {columns} from "
                                                                               f"memory.shop_marts.{name}"))
        assert got == sorted([_number(v) for v in row] for row in expected), f"rows of {name} differ from dbt's"


MODELS = {
    "models/renamed.sql": "{{ config(materialized='table') }} select {{ var('n') }} as n",
    "models/dropped.sql": "{{ config(materialized='table', on_table_exists='drop') }} select {{ var('n') }} as n",
    "models/replaced.sql": "{{ config(materialized='table', on_table_exists='replace') }} select {{ var('n') }} as n",
    "models/kept.sql": "{{ config(materialized='table', on_table_exists='skip') }} select {{ var('n') }} as n",
    "models/invoker.sql": "{{ config(materialized='view', view_security='invoker') }} select 1 as n",
    "models/grows.sql": "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge', "
                        "on_schema_change='append_new_columns') }}\n"
                        "select {{ var('n') }} as id, 'v{{ var('n') }}' as label"
                        "{% if var('n') > 1 %}, true as flag{% endif %}",
    "models/events.sql": "{{ config(materialized='table', event_time='ts') }}\n"
                         "select 1 as id, date_add('day', -1, cast(current_date as timestamp)) as ts",
    "models/daily.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', "
                        "batch_size='day', begin=modules.datetime.date.today().isoformat(), lookback=1) }}\n"
                        "select id, ts from {{ ref('events') }}",
}


def test_on_table_exists_view_security_and_microbatch(tmp_path, trino_standin, trino_fusion_env):
    project = write_target_project(tmp_path, MODELS, _target(trino_standin, "modes"))
    for n in (1, 2):
        trino_standin.requests.clear()
        result = run_fusion(project, "run", "--vars", f"n: {n}", env=trino_fusion_env)
        assert result.code == 0, result.output
    sent = [" ".join(sql.split()) for method, _, _, sql in trino_standin.requests if method == "POST"]

    def statements(name: str) -> list[str]:
        return [s.split(" as", 1)[0] for s in sent if f'"{name}' in s and s.split()[0] in ("create", "drop", "alter")]

    assert statements("renamed") == [  # built beside the old table, renamed over it
        'create table "memory"."modes"."renamed__dbt_tmp"',
        'alter table "memory"."modes"."renamed" rename to "memory"."modes"."renamed__dbt_backup"',
        'alter table "memory"."modes"."renamed__dbt_tmp" rename to "memory"."modes"."renamed"',
        'drop table if exists "memory"."modes"."renamed__dbt_backup"']
    assert statements("dropped") == ['drop table if exists "memory"."modes"."dropped"',
                                     'create table "memory"."modes"."dropped"']
    assert statements("replaced") == ['create or replace table "memory"."modes"."replaced"']
    assert any(s.startswith('create or replace view "memory"."modes"."invoker" security invoker') for s in sent)
    assert statements("kept") == []  # skip: the existing table is kept as it is
    for name, n in (("renamed", 2), ("dropped", 2), ("replaced", 2), ("kept", 1)):
        assert _rows(trino_standin, f"select n from memory.modes.{name}") == [(n,)]
    assert sorted(_rows(trino_standin, "select id, label, flag from memory.modes.grows")) == \
        [(1, "v1", None), (2, "v2", True)]
    # microbatch windows are timestamp literals, in the refs' filters and the window's delete
    window = [s for s in sent if s.startswith('delete from "memory"."modes"."daily"')]
    assert window and all(" >= timestamp '" in s and " < timestamp '" in s for s in window), window
    assert any("where ts >= timestamp '" in s for s in sent if s.startswith('create table "memory"."modes"."daily'))
    assert _rows(trino_standin, "select id from memory.modes.daily") == [(1,)]


@pytest.mark.parametrize("method", ["ldap", "jwt", "wrong password"])
def test_ldap_and_jwt_profiles_reach_a_tls_server(tmp_path, trino_standin_secure, trino_fusion_env, method):
    from .conftest import JWT_SECRET, USERS
    from .trino_standin_server import make_jwt

    user, password = next(iter(USERS.items()))
    auth = {"jwt": {"method": "jwt", "jwt_token": make_jwt(JWT_SECRET, user)},
            "ldap": {"method": "ldap", "user": user, "password": password},
            "wrong password": {"method": "ldap", "user": user, "password": "guess"}}[method]
    target = {**_target(trino_standin_secure, "secure"), "user": None, **auth, "http_scheme": "https",
              "cert": str(trino_standin_secure.ca_file)}
    project = write_target_project(tmp_path, {"models/m.sql": "select 1 as n"},
                                   {k: v for k, v in target.items() if v is not None})
    result = run_fusion(project, "debug", env=trino_fusion_env)
    if method == "wrong password":
        assert result.code != 0 and "Traceback" not in result.output
        assert "Error: authentication failed (HTTP 401" in result.output, result.output
    else:
        assert result.code == 0, result.output


def test_cross_database_macros_give_dbts_values(tmp_path, trino_standin, trino_fusion_env):
    """The models of tests/test_cross_database_macros.py, without microseconds (Trino's datediff has
    none, as dbt-trino's); values read from the stand-in's DuckDB. Past the last part Trino's
    split_part gives null where the stand-in (DuckDB) gives '' (documentation only)."""
    from test_cross_database_macros import AGGREGATES, EXPECTED, SCALARS, SETS, _norm

    scalars = "\n".join(line for line in SCALARS.splitlines() if "microsecond" not in line)
    project = write_target_project(tmp_path, {"models/scalars.sql": scalars, "models/aggregates.sql": AGGREGATES,
                                              "models/sets.sql": SETS}, _target(trino_standin, "xdb"))
    result = run_fusion(project, "run", env=trino_fusion_env)
    assert result.code == 0, result.output
    got = {}
    for name in ("scalars", "aggregates"):
        with trino_standin.lock:
            cursor = trino_standin.db.execute(f"select * from memory.xdb.{name}")
            got.update(zip([d[0] for d in cursor.description], (_norm(v) for v in cursor.fetchone()), strict=True))
    assert isinstance(got.pop("now_ts"), dt.datetime) and got.pop("any_n") in (1, 2, 3)
    got["t_numeric"] = Decimal(str(got["t_numeric"]))
    assert got == {k: v for k, v in EXPECTED.items() if k != "diff_microsecond"}
    assert sorted(_rows(trino_standin, "select op, n from memory.xdb.sets")) == \
        [("except", 1), ("except", 3), ("intersect", 2)]
