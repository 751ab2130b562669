"""A real PostgreSQL server for the whole session (tests/postgres/pg_server.py), and helpers.

The server is started once, on first use, and stopped at the end of the session. Every test
gets its own database (``pg_database``), so tests never see each other's relations. The tests
are skipped, with the reason, only when the server programs (initdb, pg_ctl, postgres) are not
on PATH; any other start-up problem is an error.
"""

from __future__ import annotations

import itertools

import pytest
from servers import DriverConnection, session_server

from . import pg_server

_names = itertools.count(1)


class Admin(DriverConnection):
    """A superuser connection to the server's ``postgres`` database, through the signed driver."""

    def __init__(self, uri: str):
        super().__init__("postgresql", {"uri": uri})

    def run(self, sql: str) -> None:
        cur = self.conn.cursor()
        try:
            cur.executescript(sql)
        finally:
            cur.close()


@pytest.fixture(scope="session")
def postgres():
    """The running server (``pg_server.PostgresServer``)."""
    yield from session_server(pg_server.start, pg_server.Unavailable)


@pytest.fixture(scope="session")
def pg_admin(postgres):
    admin = Admin(postgres.uri("postgres"))
    yield admin
    admin.close()


@pytest.fixture
def pg_database(postgres, pg_admin) -> str:
    """A fresh, empty database for this test; its name."""
    name = f"test_{next(_names)}"
    pg_admin.run(f'create database "{name}"')
    return name


@pytest.fixture
def pg_query(postgres, pg_database):
    """``query(sql) -> rows`` on this test's database (a separate connection, as the test user)."""
    admin = Admin(postgres.uri(pg_database))
    yield admin.query
    admin.close()
