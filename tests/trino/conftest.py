"""The Trino-protocol stand-in server (trino_standin_server.py) and the built Trino driver.

``trino_driver`` is drivers/trino's library, built with ``make`` on first use (skipped, with the
reason, only when libcurl's or jansson's headers are missing: ``make test`` installs them).

``trino_standin`` is plain HTTP without auth; ``trino_standin_secure`` has TLS (a self-signed
cert, ``ca_file``), basic auth (user ``alice``, password ``wonderland``) and HS256 JWTs signed
with ``JWT_SECRET``. Tests that make the server misbehave call ``reset()`` when done (the
``standin`` fixture does it for them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .trino_standin_server import TrinoStandinServer

DRIVER_DIR = Path(__file__).resolve().parents[2] / "drivers" / "trino"
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


def build_driver() -> Path:
    """drivers/trino/build/libadbc_driver_trino.so, (re)built by its Makefile when out of date."""
    headers = subprocess.run(["cc", "-E", "-x", "c", "-"], input="#include <curl/curl.h>\n#include <jansson.h>\n",
                             capture_output=True, text=True)
    if headers.returncode:
        pytest.skip("libcurl4-openssl-dev and libjansson-dev are not installed (make test installs them)")
    built = subprocess.run(["make", "-s", "-C", str(DRIVER_DIR), f"PYTHON={sys.executable}"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    return DRIVER_DIR / "build" / "libadbc_driver_trino.so"


@pytest.fixture(scope="session")
def trino_driver() -> Path:
    return build_driver()
