"""DuckDB adapter for Fusion: only what differs from the core's defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from fusion.adapter import Adapter, AdapterSpec
from fusion.drivers import DriverRequirement
from fusion.hookspecs import hookimpl

MACROS = Path(__file__).parent / "macros"


class DuckDBAdapter(Adapter):
    type_name = "duckdb"
    replace_view_in_place = True
    incremental_strategies = ("append", "delete+insert", "merge", "microbatch")
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "INTEGER", "number": "DOUBLE", "date": "DATE",
        "datetime": "TIMESTAMP", "boolean": "BOOLEAN", "text": "VARCHAR",
    }

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        path = str(target.get("path") or ":memory:")
        if path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            path = os.path.abspath(os.path.expanduser(path))
        return {"path": path}

    def driver_options(self) -> dict[str, str]:
        return {"path": self.credentials["path"]}

    @property
    def default_database(self) -> str:
        if self.target.get("database"):
            return str(self.target["database"])
        path = self.credentials["path"]
        return "memory" if path == ":memory:" else Path(path).stem


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="duckdb",
        dialect="duckdb",
        adapter_class=DuckDBAdapter,
        driver=DriverRequirement("duckdb", ">=1.1"),
        macro_paths=(MACROS,),
    ))
