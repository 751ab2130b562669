"""What the fixtures starting real servers share (tests/postgres, tests/snowflake, tests/spark)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_project


class DriverConnection:
    """An autocommit connection through one of Fusion's signed drivers (as the engine loads it)."""

    def __init__(self, driver: str, options: dict[str, str]):
        import adbc_driver_manager
        import adbc_driver_manager.dbapi as dbapi
        from fusion.drivers import DriverRequirement, open_database

        self.database = open_database(DriverRequirement(driver), options)
        self.conn = dbapi.Connection(self.database, adbc_driver_manager.AdbcConnection(self.database),
                                     autocommit=True)

    def query(self, sql: str) -> list[tuple]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            return cur.fetchall()
        finally:
            cur.close()

    def close(self) -> None:
        self.conn.close()
        self.database.close()


def session_server(start, unavailable: type[Exception]):
    """Body of a session fixture: the started server, stopped at the end; the test is skipped
    (with the reason) only when ``start`` raises ``unavailable``."""
    try:
        server = start()
    except unavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


def profile_yaml(target: dict, profile: str = "proj") -> str:
    """A ``profiles.yml`` whose one output (``dev``) is ``target``."""
    lines = [f"{profile}:", "  target: dev", "  outputs:", "    dev:"]
    lines += [f"      {key}: {json.dumps(value)}" for key, value in target.items()]
    return "\n".join(lines) + "\n"


def write_target_project(root: Path, files: dict[str, str], target: dict) -> Path:
    """A small dbt project (profile ``proj``) whose profile points at ``target``."""
    return write_project(root, {"profiles.yml": profile_yaml(target), **files})


def log_tail(log: Path, lines: int) -> str:
    """The end of a server's log, for start-up errors."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"
