"""Spark Connect servers for the session (tests/spark/connect_server.py), and helpers.

``sail`` (pysail) serves most tests: it starts in under a second. ``apache_spark`` (the Connect
server in the pyspark wheel) serves the smoke test of real Spark. Both are started on first use
and stopped at the end of the session; the tests are skipped, with the reason, only when the
server's virtualenv has not been made (``make test`` makes both).

Sail keeps its catalog inside each Spark session, and a session ends when its run's
connections close: the next ``fusion`` run starts with an empty catalog. Tables stay where
they were written, so the helpers here give every table a location (``location_root``), read
results back by path (``delta.`/path```) and re-register tables before a second run (on real
Spark and Databricks the metastore keeps them).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from servers import session_server, write_target_project

from . import connect_server

_names = itertools.count(1)


@pytest.fixture(scope="session")
def sail():
    yield from session_server(connect_server.start_sail, connect_server.Unavailable)


@pytest.fixture(scope="session")
def apache_spark():
    yield from session_server(connect_server.start_spark, connect_server.Unavailable)


class Lake:
    """Runs SQL on a server in a session of its own, through Fusion's verified driver."""

    def __init__(self, port: int):
        import adbc_driver_manager
        import adbc_driver_manager.dbapi as dbapi
        from fusion.drivers import DriverRequirement, open_database

        database = open_database(DriverRequirement("spark"), {"uri": f"sc://127.0.0.1:{port}"})
        self.conn = dbapi.Connection(database, adbc_driver_manager.AdbcConnection(database), autocommit=True)

    def query(self, sql: str) -> list[tuple]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            return [tuple(row.values()) for row in cur.fetch_arrow_table().to_pylist()]
        finally:
            cur.close()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def lake(sail):
    reader = Lake(sail.port)
    yield reader
    reader.close()


def spark_target(port: int, type_: str = "databricks", **extra) -> dict:
    return {"type": type_, "method": "connect", "host": "127.0.0.1", "port": port,
            "schema": f"analytics_{next(_names)}", "threads": 4, **extra}


def write_spark_project(root: Path, files: dict[str, str], target: dict, extra_project: str = "") -> Path:
    """A small project (profile ``proj``) whose models and seeds live under ``root/lake``."""
    project = (f"name: proj\nprofile: proj\nconfig-version: 2\n"
               f"models:\n  proj:\n    +location_root: {root / 'lake'}\n"
               f"seeds:\n  proj:\n    +location_root: {root / 'lake'}\n{extra_project}")
    return write_target_project(root, {"dbt_project.yml": project, **files}, target)
