"""Opening the built Trino driver through adbc_driver_manager (the tests' one way in)."""

from __future__ import annotations

from pathlib import Path

import adbc_driver_manager
import adbc_driver_manager.dbapi as dbapi

ENTRYPOINT = "AdbcDriverTrinoInit"


def connect(driver: Path, url: str, **options: str) -> dbapi.Connection:
    """An autocommit DB-API connection (closing it closes its database); options use the driver's
    names (``username``, ``password``, ``adbc.trino.*``)."""
    database = adbc_driver_manager.AdbcDatabase(driver=str(driver), entrypoint=ENTRYPOINT, uri=url,
                                                **{"username": "tester", **options})
    return dbapi.Connection(database, adbc_driver_manager.AdbcConnection(database), autocommit=True)
