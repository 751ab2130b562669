"""What the fixtures starting real servers share (tests/postgres, tests/snowflake, tests/spark)."""

from __future__ import annotations

import pytest


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
