"""Redshift's stand-in: the suite's real PostgreSQL server (tests/postgres), spoken to through the
Redshift adapter. Nothing Redshift runs here: what PostgreSQL cannot run (Redshift-only DDL and
functions) is checked as the SQL text the adapter sent, read back from the server's log."""

from __future__ import annotations

import re

import pytest

#: a log entry starts with log_line_prefix's '%m [%p] ' (the server's default)
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \w+ \[\d+\] ", re.M)
_TEXT = re.compile(r"\A(?:LOG:  (?:statement|execute <[^>]*>): |STATEMENT:  )(.*)\Z", re.S)


@pytest.fixture
def redshift_target(postgres, pg_database) -> dict:
    """A dbt-redshift profile target pointing at this test's database on the stand-in server."""
    return {"type": "redshift", "host": postgres.host, "port": postgres.port, "user": postgres.user,
            "password": postgres.password, "dbname": pg_database, "schema": "analytics", "threads": 4,
            "sslmode": "disable"}  # the stand-in has no TLS; Redshift's default (prefer) verifies it


@pytest.fixture
def standin_shims(postgres, pg_database):
    """What Redshift has and PostgreSQL lacks, made in the test's database (stand-in shims):
    ``getdate()``, ``len()`` and the system table of materialized views, ``stv_mv_info`` (empty:
    the stand-in cannot make Redshift's materialized views)."""
    from postgres.fixtures import Admin

    admin = Admin(postgres.uri(pg_database))
    admin.run("create function public.getdate() returns timestamp language sql as $$ select localtimestamp $$;"
              "create function public.len(text) returns integer language sql as $$ select length($1) $$;"
              "create view public.stv_mv_info as select ''::char(128) as db_name, ''::char(128) as schema, "
              "''::char(128) as name where false")
    admin.close()


@pytest.fixture
def sent_statements(postgres, pg_admin, pg_database):
    """``sent() -> [sql, ...]``: every statement the server received on this test's database from
    now on (``log_statement = all`` for that database), including those it refused."""
    pg_admin.run(f'alter database "{pg_database}" set log_statement = \'all\'')
    start = postgres.log.stat().st_size

    def sent() -> list[str]:
        with postgres.log.open("rb") as log:
            log.seek(start)
            text = log.read().decode(errors="replace")
        found = []
        for entry in _ENTRY.split(text):
            match = _TEXT.match(entry.strip("\n"))
            if match:
                found.append(re.sub(r"\n\t", "\n", match.group(1)).strip())
        return found

    return sent
