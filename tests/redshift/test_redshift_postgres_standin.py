"""The Redshift adapter against the PostgreSQL stand-in: what PostgreSQL can run is built and
queried; Redshift-only DDL is checked, as the statement the server received, against the grammar
in Redshift's SQL reference (CREATE TABLE AS, CREATE VIEW, CREATE MATERIALIZED VIEW)."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import EXAMPLES, REPO, run_fusion
from postgres import snapshot
from servers import profile_yaml, write_target_project

pytestmark = pytest.mark.postgres

# Redshift's documented grammar, for the clauses the adapter writes (one space between words)
CTAS = re.compile(r"create table (?P<name>\S+)(?: backup (?:yes|no))?(?: diststyle (?:even|all|auto|key))?"
                  r"(?: distkey \(\w+\))?(?: (?:compound|interleaved) sortkey\(\w+(?:, \w+)*\))? as \(", re.I)
MV = re.compile(r"create materialized view \S+ backup (?:yes|no)(?: diststyle (?:even|all|auto|key))?"
                r"(?: distkey \(\w+\))?(?: sortkey\(\w+(?:, \w+)*\))? auto refresh (?:yes|no) as \(", re.I)
LATE_BINDING = re.compile(r"create view \S+ as \(.*\) with no schema binding\Z", re.I | re.S)


def _flat(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def test_shop_builds_on_postgres_standin(tmp_path, redshift_target, standin_shims, pg_query, sent_statements):
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    (project / "profiles.yml").write_text(profile_yaml({**redshift_target, "schema": "main"}, profile="shop"))
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    # the same rows as dbt-postgres built (tests/expected/shop_postgres)
    expected = snapshot.read(REPO / "tests" / "expected" / "shop_postgres" / "run1")
    actual = snapshot.snapshot(pg_query)
    shim = "public.stv_mv_info"  # the stand-in's, not the build's
    assert [r for r in actual["relations"] if f"{r['schema']}.{r['name']}" != shim] == expected["relations"]
    assert {k: v for k, v in actual["rows"].items() if k != shim} == expected["rows"]
    sent = [_flat(s).lower() for s in sent_statements()]
    # nothing Redshift lacks reached the server: no COPY, no pg_type.typarray, no `create or replace table`
    assert not [s for s in sent if s.startswith("copy") or "typarray" in s or "create or replace table" in s]
    assert any(s.startswith('insert into "') for s in sent)  # seeds are loaded with INSERT
    assert any(re.match(r'alter table \S+ rename to "\w+"', s) for s in sent)  # views renamed as Redshift does


MODELS = {
    "models/keyed.sql": "{{ config(materialized='table', dist='id', sort=['id', 'name'], sort_type='interleaved',"
                        " backup=false) }}\nselect 1 as id, 'a' as name\n",
    "models/spread.sql": "{{ config(materialized='table', dist='even', sort='id') }}\nselect 1 as id\n",
    "models/late.sql": "{{ config(materialized='view', bind=false) }}\nselect 1 as id\n",
    "models/mv.sql": "{{ config(materialized='materialized_view', dist='all', sort='id', auto_refresh=true,"
                     " backup=false) }}\nselect 1 as id\n",
    "models/plain.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
}


def test_redshift_ddl_postgres_standin(tmp_path, redshift_target, standin_shims, sent_statements):
    project = write_target_project(tmp_path, MODELS, redshift_target)
    result = run_fusion(project, "run")
    assert result.code == 1, result.output  # PostgreSQL refuses Redshift's DDL: only `plain` builds
    assert "PASS=1 WARN=0 ERROR=4" in result.output
    sent = {_flat(s) for s in sent_statements()}

    def ddl(name: str) -> str:
        return next(s for s in sent if s.lower().startswith("create") and f'"{name}__dbt_tmp"' in s
                    or f'"{name}" ' in s and s.lower().startswith("create materialized"))

    keyed = CTAS.match(ddl("keyed"))
    assert keyed and "backup no diststyle key distkey (id) interleaved sortkey(id, name)" in keyed.group(0)
    spread = CTAS.match(ddl("spread"))
    assert spread and "diststyle even compound sortkey(id)" in spread.group(0)
    assert CTAS.match(ddl("plain")) and "sortkey" not in ddl("plain")
    assert LATE_BINDING.match(ddl("late"))
    mv = MV.match(ddl("mv"))
    assert mv and "backup no diststyle all sortkey(id) auto refresh yes" in mv.group(0)


CROSS_DB = """select
  {{ dbt.current_timestamp() }} as now_at,
  {{ dbt.length("'abc'") }} as three
"""

REDSHIFT_ONLY = """select
  {{ dbt.dateadd('day', 1, "'2024-01-31'") }} as next_day,
  {{ dbt.datediff("'2024-01-01'", "'2024-03-01'", 'month') }} as months,
  {{ dbt.listagg('name', "','", 'order by name') }} as names,
  {{ dbt.listagg('name', "','", 'order by name', 2) }} as first_names
from t
"""


def test_cross_database_macros_postgres_standin(tmp_path, redshift_target, standin_shims, pg_query):
    project = write_target_project(tmp_path, {"models/shimmed.sql": CROSS_DB,
                                              "models/redshift_only.sql": REDSHIFT_ONLY}, redshift_target)
    result = run_fusion(project, "run", "-s", "shimmed")
    assert result.code == 0, result.output
    assert pg_query("select three, now_at is not null from analytics.shimmed") == [(3, True)]
    compiled = (project / "target" / "compiled" / "proj" / "models" / "shimmed.sql").read_text()
    assert "getdate()" in compiled and "len('abc')" in compiled

    result = run_fusion(project, "compile", "-s", "redshift_only")
    assert result.code == 0, result.output
    text = _flat((project / "target" / "compiled" / "proj" / "models" / "redshift_only.sql").read_text())
    assert "dateadd(day, 1, '2024-01-31')" in text
    assert "datediff(month, '2024-01-01', '2024-03-01')" in text
    assert "listagg(name, ',') within group (order by name) as names" in text
    assert "regexp_substr(listagg(name, ',') within group (order by name), '([^,]+,){0,1}[^,]+')" in text
    import sqlglot

    sqlglot.parse_one(text, read="redshift")  # Redshift's dialect reads it


def test_query_results_read_without_copy_postgres_standin(tmp_path, redshift_target, standin_shims, sent_statements):
    project = write_target_project(tmp_path, {}, redshift_target)
    result = run_fusion(project, "show", "--inline", "select cast(12.50 as numeric(10, 2)) as amount, 'é' as label, "
                        "date '2024-02-29' as day, getdate() is not null as has_clock")
    assert result.code == 0, result.output
    assert "12.5 " in result.output and "é" in result.output and "2024-02-29" in result.output  # dbt's table
    assert "True" in result.output or "true" in result.output
    assert not [s for s in sent_statements() if s.lower().lstrip().startswith("copy")]
