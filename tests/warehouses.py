"""One feature test, two real warehouses: the ``warehouse`` fixture runs a test on embedded DuckDB
and on the PostgreSQL server the suite starts (tests/postgres/pg_server.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import query as duckdb_query
from conftest import write_project
from servers import profile_yaml


@dataclass
class Warehouse:
    name: str
    profile: str  # profiles.yml text for profile "proj"
    query: Callable[[str], list[tuple]]

    def project(self, root: Path, files: dict[str, str]) -> Path:
        return write_project(root, {"profiles.yml": self.profile, **files})


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, tmp_path) -> Warehouse:
    if request.param == "duckdb":
        db = tmp_path / "db.duckdb"
        profile = (f"proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                   f"      path: {db}\n      schema: main\n      threads: 2\n")
        return Warehouse("duckdb", profile, lambda sql: duckdb_query(db, sql))
    server = request.getfixturevalue("postgres")
    database = request.getfixturevalue("pg_database")
    run = request.getfixturevalue("pg_query")
    return Warehouse("postgres", profile_yaml(server.target(database, "main")), run)
