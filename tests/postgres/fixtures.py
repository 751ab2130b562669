"""A real PostgreSQL server for the whole session (tests/postgres/pg_server.py), and helpers.

The server is started once, on first use, and stopped at the end of the session. Every test
gets its own database (``pg_database``), so tests never see each other's relations. The tests
are skipped, with the reason, only when the server programs (initdb, pg_ctl, postgres) are not
on PATH; any other start-up problem is an error.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

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


def profile_yaml(target: dict, profile: str = "proj") -> str:
    lines = [f"{profile}:", "  target: dev", "  outputs:", "    dev:"]
    lines += [f"      {key}: {json.dumps(value)}" for key, value in target.items()]
    return "\n".join(lines) + "\n"


def write_pg_project(root: Path, files: dict[str, str], target: dict) -> Path:
    """A small dbt project (profile ``proj``) whose profile points at ``target``."""
    defaults = {"dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n",
                "profiles.yml": profile_yaml(target)}
    for rel, text in {**defaults, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
