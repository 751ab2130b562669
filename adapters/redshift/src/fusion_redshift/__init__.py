"""Amazon Redshift adapter for Fusion: the PostgreSQL adapter with Redshift's differences only.

Redshift speaks PostgreSQL's wire protocol, so the connection is the signed ``postgresql`` ADBC
driver's, told not to use what Redshift lacks (see README.md). Profiles are dbt-redshift's; the
SQL is Redshift's (macros/), and the catalog is read the way Redshift exposes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from fusion.adapter import AdapterSpec
from fusion.drivers import DriverRequirement
from fusion.errors import ProjectError
from fusion.hookspecs import hookimpl
from fusion.materializations import Materialization
from fusion.relation import Relation as PlainRelation
from fusion_postgres import MACROS as POSTGRES_MACROS
from fusion_postgres import USE_COPY, PostgresAdapter

from fusion_redshift.materialized_view import run_materialized_view

MACROS = Path(__file__).parent / "macros"

#: database option of the postgresql driver: build its type table from PostgreSQL's built-in
#: types instead of querying ``pg_type.typarray`` (a column Redshift's catalog does not have)
TYPE_RESOLVER = "adbc.postgresql.type_resolver_mode"
#: dbt-redshift (through redshift_connector) verifies the server's certificate for every mode
#: but ``disable``; libpq does the same with these modes
SSLMODES = {"disable": "disable", "allow": "verify-ca", "prefer": "verify-ca", "require": "verify-ca",
            "verify-ca": "verify-ca", "verify-full": "verify-full"}


def _flag(target: dict[str, Any], key: str, path: str) -> bool:
    value = target.get(key)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):  # from env_var()
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ProjectError(f"`{key}` of the redshift target must be true or false, got {value!r}", path=path)
    return value


class RedshiftAdapter(PostgresAdapter):
    type_name = "redshift"
    date_function = "getdate()"
    #: Redshift has no ``COPY ... FROM STDIN``: seeds are loaded with batched INSERTs
    supports_bulk_ingest = False
    unsupported_constraints = frozenset({"check"})
    #: text seeds are ``varchar(65535)`` (Redshift's TEXT is varchar(256); dbt-redshift sizes each
    #: column to its longest value, which Fusion's per-kind seed types cannot)
    seed_types: ClassVar[dict[str, str]] = {**PostgresAdapter.seed_types, "text": "varchar(65535)"}
    Relation = PlainRelation  # names of up to 127 bytes are Redshift's own: none of PostgreSQL's shortening

    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        # dbt-redshift's credentials' defaults (5439: Redshift's port)
        return {**super().target_defaults(target), "port": 5439, "method": "database", "sslmode": "prefer",
                "autocommit": True, "ra3_node": False}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        path = self.profile_path
        method = str(target.get("method")).lower()
        if method != "database":
            raise ProjectError(
                f"`method: {target.get('method')}` is not supported: the redshift adapter connects with "
                "PostgreSQL's protocol, which cannot fetch IAM or identity-center credentials", path=path,
                hint="use `method: database` with `user` and `password` (for IAM, pass temporary "
                     "credentials from `aws redshift get-cluster-credentials` as user and password)")
        sslmode = str(target.get("sslmode")).lower()
        if sslmode not in SSLMODES:
            raise ProjectError(f"`sslmode` of the redshift target must be one of {', '.join(SSLMODES)}, "
                               f"got {target.get('sslmode')!r}", path=path)
        # `role` and `search_path` mean something else (or nothing) to dbt-redshift: not passed on
        libpq = {k: v for k, v in target.items() if k not in ("role", "search_path")}
        credentials = super().parse_credentials({**libpq, "sslmode": SSLMODES[sslmode]})
        return {**credentials, "ra3_node": _flag(target, "ra3_node", path),
                "autocommit": _flag(target, "autocommit", path)}

    def driver_options(self) -> dict[str, str]:
        # COPY (Fusion's default way of reading results) does not exist on Redshift
        return {**super().driver_options(), USE_COPY: "false", TYPE_RESOLVER: "builtin"}

    # --- relations and catalog -------------------------------------------------------------
    def rename_relation(self, relation: Relation, new_name: str) -> Relation:
        """Redshift renames views with ``alter table`` (it has no ``alter view ... rename``)."""
        if relation.type != "view":
            return super().rename_relation(relation, new_name)
        renamed = self.relation(relation.database, relation.schema, new_name, relation.type)
        self.execute(f"alter table {relation.render()} rename to {renamed.include(database=False, schema=False)}")
        self.cache_dropped(relation)
        self.cache_added(renamed)
        return renamed

    def create_schema(self, database: str | None, schema: str) -> None:
        if database and database.lower() != self.default_database.lower() and not self.credentials["ra3_node"]:
            raise ProjectError(
                f"cross-database references are allowed only on RA3 nodes: {database!r} is not the "
                f"target's database {self.default_database!r}", path=self.profile_path,
                hint="set `ra3_node: true` in the redshift target if the cluster is an RA3 node")
        super().create_schema(database, schema)


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="redshift",
        dialect="redshift",
        adapter_class=RedshiftAdapter,
        driver=DriverRequirement("postgresql", ">=1.13"),
        macro_paths=(MACROS, POSTGRES_MACROS),
        parents=("postgres",),
    ))


@hookimpl
def fusion_register_materializations(register):
    register(Materialization("materialized_view", run_materialized_view, adapters=("redshift",)))
