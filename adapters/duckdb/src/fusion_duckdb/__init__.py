"""DuckDB adapter for Fusion: only what differs from the core's defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from fusion.adapter import Adapter, AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.errors import CompilationError, ProjectError
from fusion.hookspecs import hookimpl

MACROS = Path(__file__).parent / "macros"


def path_database(path: str) -> str:
    """The catalog name DuckDB gives the database file at ``path``, as dbt-duckdb derives it:
    the file name up to its first dot (``my.db.duckdb`` -> ``my``); MotherDuck's is its path."""
    if path == ":memory:":
        return "memory"
    parsed = urlparse(path)
    name = os.path.basename(parsed.path)
    if parsed.scheme in ("md", "motherduck"):
        return os.path.splitext(name)[0] or "my_db"
    return name.lstrip(".").split(".")[0]


class DuckDBAdapter(Adapter):
    type_name = "duckdb"
    replace_view_in_place = True
    seed_types: ClassVar[dict[str, str]] = {
        "integer": "INTEGER", "number": "DOUBLE", "date": "DATE",
        "datetime": "TIMESTAMP", "boolean": "BOOLEAN", "text": "VARCHAR",
    }

    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        return {"path": ":memory:", "schema": "main", "database": path_database(str(target.get("path") or ":memory:"))}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        path = str(target["path"])
        expected = path_database(path)
        if not expected:
            raise ProjectError(f"cannot name the database of the duckdb target from its path {path!r}",
                               path=self.profile_path, hint="`path` must name a database file, e.g. dev.duckdb")
        if str(target["database"]) != expected:
            raise ProjectError(f"the duckdb target's `database: {target['database']}` does not match its path "
                               f"{path!r}, whose database DuckDB names {expected!r}", path=self.profile_path,
                               hint=f"set `database: {expected}` or leave `database` out")
        if path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            path = os.path.abspath(os.path.expanduser(path))
        return {"path": path}

    def driver_options(self) -> dict[str, str]:
        return {"path": self.credentials["path"]}

    def catalog_sql(self, database: str, schemas: list[str]) -> str:
        """dbt-duckdb's catalog: DuckDB's own metadata functions (views as 'VIEW', the rest 'BASE TABLE')."""
        names = ", ".join(self.string_literal(s.upper()) for s in schemas)
        return (
            "with relations as (select database_name, schema_name, table_name, 'BASE TABLE' as table_type, comment "
            "from duckdb_tables() union all select database_name, schema_name, view_name, 'VIEW', comment "
            "from duckdb_views()) "
            "select r.database_name as table_database, r.schema_name as table_schema, r.table_name, r.table_type, "
            "r.comment as table_comment, c.column_name, c.column_index, c.data_type as column_type, "
            "c.comment as column_comment, null as table_owner "
            "from relations r join duckdb_columns() c on c.database_name = r.database_name "
            "and c.schema_name = r.schema_name and c.table_name = r.table_name "
            f"where upper(r.database_name) = upper({self.string_literal(database)}) "
            f"and upper(r.schema_name) in ({names}) "
            "order by r.schema_name, r.table_name, c.column_index"
        )

    def pre_model_hook(self, config: dict[str, Any]) -> None:
        """dbt-duckdb's table and incremental materializations check ``partitioned_by`` /
        ``partition_by`` (then ignore it outside DuckLake, as Fusion does)."""
        if config.get("materialized") in ("table", "incremental"):
            value = config.get("partitioned_by")
            _check_columns(config.get("partition_by") if value in (None, "") else value,
                           "partitioned_by/partition_by")


def _check_columns(value: Any, field: str) -> None:
    if value in (None, ""):
        return
    if not isinstance(value, str | list | tuple):
        raise CompilationError(f"{field} must be a list of strings or a string")
    if not value:
        raise CompilationError(f"{field} must contain at least one column")
    if not isinstance(value, str) and not all(isinstance(item, str) and item for item in value):
        raise CompilationError(f"{field} list values must be non-empty strings")


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="duckdb",
        dialect="duckdb",
        adapter_class=DuckDBAdapter,
        driver=DriverRequirement("duckdb", ">=1.1"),
        macro_paths=(MACROS,),
        # nothing to ask: a database file named after the project, next to where fusion runs
        profile_fields=(ProfileField("path", "the database file", "{project}.duckdb", ask=False),
                        ProfileField("schema", "the schema models are built in", "main", ask=False),
                        ProfileField("threads", "parallel connections", 1, int, ask=False)),
    ))
