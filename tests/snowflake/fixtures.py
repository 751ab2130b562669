"""A fakesnow server for the whole session (tests/snowflake/fakesnow_server.py), and helpers.

The server is started once, on first use, and stopped at the end of the session. Every test gets
its own database (``sf_database``), so tests never see each other's relations. The tests are
skipped, with the reason, only when fakesnow's virtualenv is missing; any other start-up problem
is an error.
"""

from __future__ import annotations

import itertools

import pytest
from servers import DriverConnection, session_server

from . import fakesnow_server

_names = itertools.count(1)


class Session(DriverConnection):
    """A connection to one database of the server, through Fusion's signed Snowflake driver."""

    def __init__(self, server: fakesnow_server.FakesnowServer, database: str):
        from fusion_snowflake.credentials import parse

        super().__init__("snowflake", parse(server.target(database, "public"), "profiles.yml")["options"])


@pytest.fixture(scope="session")
def fakesnow():
    """The running server (``fakesnow_server.FakesnowServer``)."""
    yield from session_server(fakesnow_server.start, fakesnow_server.Unavailable)


@pytest.fixture
def sf_database(fakesnow) -> str:
    """A database name of this test's own (fakesnow creates it with the first schema)."""
    return f"FUSION_TEST_{next(_names)}"


@pytest.fixture
def sf_query(fakesnow, sf_database):
    """``query(sql) -> rows`` on this test's database (a connection of its own)."""
    session = Session(fakesnow, sf_database)
    yield session.query
    session.close()
