"""The Trino-protocol stand-in server (trino_standin_server.py) for the whole session.

``trino_standin`` is plain HTTP without auth; ``trino_standin_secure`` has TLS (a self-signed
cert, ``ca_file``), basic auth (user ``alice``, password ``wonderland``) and HS256 JWTs signed
with ``JWT_SECRET``. Tests that make the server misbehave call ``reset()`` when done (the
``standin`` fixture does it for them).
"""

from __future__ import annotations

import pytest

from .trino_standin_server import TrinoStandinServer

USERS = {"alice": "wonderland"}
JWT_SECRET = "standin-jwt-secret"


@pytest.fixture(scope="session")
def trino_standin(tmp_path_factory):
    server = TrinoStandinServer(tmp_path_factory.mktemp("trino-standin"), catalogs=("memory", "lake"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def trino_standin_secure(tmp_path_factory):
    server = TrinoStandinServer(tmp_path_factory.mktemp("trino-standin-tls"), users=USERS, jwt_secret=JWT_SECRET,
                                tls=True)
    yield server
    server.stop()


@pytest.fixture
def standin(trino_standin):
    """The plain server, back to good behaviour after the test."""
    yield trino_standin
    trino_standin.reset()
