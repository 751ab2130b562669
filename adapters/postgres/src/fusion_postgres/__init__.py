"""PostgreSQL adapter for Fusion: only what differs from the core's defaults.

Credentials are dbt-postgres's ``profiles.yml`` keys, turned into one libpq URI for the signed
``postgresql`` ADBC driver. Deltas from the base adapter: schemas are named without their
database, statements without a result go through the simple-query protocol (so one text may
hold several statements, as dbt's delete+insert does), NUMERIC results (strings from the
driver) become Arrow decimals, ``SHOW`` is read without COPY, errors carry their SQLSTATE,
long names are cut as PostgreSQL cuts them, and dropping a relation forgets the views built on it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fusion.adapter import Adapter, AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.errors import DatabaseError, ProjectError
from fusion.hookspecs import hookimpl
from fusion.relation import Relation

MACROS = Path(__file__).parent / "macros"

#: statement option of the PostgreSQL ADBC driver: read results without ``COPY ... TO STDOUT``
USE_COPY = "adbc.postgresql.use_copy"
#: a role name that ``set role`` takes unquoted (and so case-folded), exactly as dbt-postgres sends it
_PLAIN_NAME = re.compile(r"\A[A-Za-z_][A-Za-z0-9_$]*\Z")

#: PostgreSQL keeps at most NAMEDATALEN - 1 bytes of a name and silently drops the rest
MAX_NAME_BYTES = 63


def _truncate(name: str, limit: int = MAX_NAME_BYTES) -> str:
    return name.encode()[:limit].decode("utf-8", "ignore")


def fit_identifier(name: str) -> str:
    """``name`` as PostgreSQL stores it; a ``__dbt_*`` suffix survives (its base is shortened).

    dbt-postgres shortens the base of its temporary and backup names the same way, so that
    ``<name>__dbt_tmp`` and ``<name>__dbt_backup`` never collapse into one truncated name.
    """
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    cut = name.rfind("__dbt_")
    room = MAX_NAME_BYTES - len(name[cut:].encode()) if cut > 0 else 0
    return _truncate(name[:cut], room) + name[cut:] if room > 0 else _truncate(name)


@dataclass(frozen=True)
class PostgresRelation(Relation):
    """A relation whose parts are the names PostgreSQL really uses (see ``fit_identifier``),
    so that the relation cache, renames and drops agree with the catalog for long names."""

    def __post_init__(self):
        for part, fit in (("database", _truncate), ("schema", _truncate), ("identifier", fit_identifier)):
            value = getattr(self, part)
            if value and len(value.encode()) > MAX_NAME_BYTES:
                object.__setattr__(self, part, fit(value))


def _integer(target: dict[str, Any], key: str, default: int | None, path: str, low: int = 0,
             high: int | None = None) -> int:
    value = target.get(key, default)
    kind = target.get("type") or "postgres"
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ProjectError(f"`{key}` of the {kind} target must be a whole number, got {value!r}",
                           path=path) from None
    if number < low or (high is not None and number > high):
        raise ProjectError(f"`{key}` of the {kind} target is out of range: {number}", path=path)
    return number


def _declared(typmod: int) -> tuple[int, int] | None:
    """(precision, scale) of ``numeric(p, s)`` from its type modifier; None if unconstrained."""
    if typmod < 4:
        return None
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return (precision, scale) if 0 < precision <= 76 and scale <= precision else None


def _numeric_array(storage, declared: tuple[int, int] | None):
    """NUMERIC text from the driver as an Arrow decimal column; None if it cannot be one."""
    import pyarrow as pa

    try:
        values = [None if text is None else Decimal(text) for text in storage.to_pylist()]
    except InvalidOperation:
        return None
    present = [v for v in values if v is not None]
    if not all(v.is_finite() for v in present):  # NaN / Infinity: only a float can hold them
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if declared is None:
        scale = max([0, *(-v.as_tuple().exponent for v in present)])
        whole = max([1, *(len(v.as_tuple().digits) + v.as_tuple().exponent for v in present)])
        declared = (whole + scale, scale)
    precision, scale = declared
    if precision > 76:
        return None
    return pa.array(values, type=(pa.decimal128 if precision <= 38 else pa.decimal256)(precision, scale))


def readable(table):
    """Replace NUMERIC columns (text from the driver) by decimals, as psycopg2 gives Decimals."""
    import pyarrow as pa

    for index, field in enumerate(table.schema):
        metadata = field.metadata or {}
        if metadata.get(b"POSTGRESQL:type") != b"numeric":
            continue
        try:
            declared = _declared(int(metadata.get(b"POSTGRESQL:typmod", b"-1")))
        except ValueError:
            declared = None
        column = table.column(index)
        storage = pa.chunked_array([getattr(chunk, "storage", chunk) for chunk in column.chunks],
                                   type=pa.string()).combine_chunks()
        converted = _numeric_array(storage, declared)
        if converted is None:
            converted = storage
        table = table.set_column(index, pa.field(field.name, converted.type, metadata=field.metadata), converted)
    return table


def _is_ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


class PostgresAdapter(Adapter):
    type_name = "postgres"
    supports_materialized_views = True
    Relation = PostgresRelation
    run_without_rows = "update"
    statement_options = {r"(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*show\b": {USE_COPY: "false"}}  # SHOW has no COPY
    result_converters = (readable,)
    error_rewrites = (
        (r"\A[A-Z_]+: ", ""),
        (r"\n\nQuery was: .*\Z", ""),
        (r"\s*\.?\s*SQLSTATE: [0-9A-Z]{5}\s*\Z", ""),
        (r"\A\s*(?:\[libpq\] )?(?:Failed to connect: |Failed to (?:prepare|execute) query(?: '.*?')?: )?"
         r"(?:could not begin COPY: )?(?:(?:ERROR|FATAL|PANIC):  )?", ""),
        (r"\s*\n+\.?\s*\Z", ""),
    )
    error_details = (("sqlstate", "SQLSTATE {}"),)

    # --- profile -> libpq ----------------------------------------------------------------
    @classmethod
    def target_defaults(cls, target: dict[str, Any]) -> dict[str, Any]:
        # dbt-postgres: `dbname` is an alias of `database`; the rest are its credentials' defaults
        # (it has none for `port`: a target must give it)
        return {"database": target.get("dbname"), "connect_timeout": 10, "keepalives_idle": 0, "retries": 1}

    def parse_credentials(self, target: dict[str, Any]) -> dict[str, Any]:
        path = self.profile_path

        def required(*keys: str) -> str:
            for key in keys:
                if target.get(key) not in (None, ""):
                    return str(target[key])
            raise ProjectError(f"the {self.type_name} target needs `{keys[0]}`"
                               + (f" (or `{keys[1]}`)" if len(keys) > 1 else ""), path=path)

        password = target.get("password", target.get("pass"))
        if password is None:
            raise ProjectError(f"the {self.type_name} target needs `password` (or `pass`)", path=path,
                               hint="use \"{{ env_var('PGPASSWORD') }}\" to keep it out of the file")
        if target.get("port") in (None, ""):
            raise ProjectError("the postgres target needs `port`, as dbt-postgres does", path=path,
                               hint="add `port: 5432` (PostgreSQL's default) to the target")
        optional = {key: str(target[key]) for key in ("sslmode", "sslcert", "sslkey", "sslrootcert",
                                                      "search_path", "role") if target.get(key) not in (None, "")}
        return {
            "host": required("host"), "user": required("user"), "password": str(password),
            "dbname": required("dbname", "database"), "schema": required("schema"),
            "port": _integer(target, "port", None, path, 1, 65535),
            "connect_timeout": _integer(target, "connect_timeout", 10, path),
            "keepalives_idle": _integer(target, "keepalives_idle", 0, path),
            "application_name": str(target.get("application_name") or "fusion"),
            **optional,
        }

    def uri(self) -> str:
        """The libpq connection URI for these credentials (every part percent-encoded)."""
        c = self.credentials
        host = c["host"]
        params: list[tuple[str, str]] = []
        if host.startswith("/"):  # a Unix-socket directory
            params.append(("host", host))
            host = ""
        elif _is_ipv6(host.strip("[]")):
            host = f"[{host.strip('[]')}]"
        else:  # percent-encoded: profile text never reaches the URI's other parts
            host = quote(host, safe="")
        userinfo = quote(c["user"], safe="") + (":" + quote(c["password"], safe="") if c["password"] else "")
        params.append(("connect_timeout", str(c["connect_timeout"])))
        if c["keepalives_idle"]:  # 0 means libpq's default, as in dbt-postgres
            params.append(("keepalives_idle", str(c["keepalives_idle"])))
        params += [(key, c[key]) for key in ("sslmode", "sslcert", "sslkey", "sslrootcert") if key in c]
        params.append(("application_name", c["application_name"]))
        if "search_path" in c:
            escaped = c["search_path"].replace("\\", "\\\\").replace(" ", "\\ ")
            params.append(("options", f"-c search_path={escaped}"))
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
        return f"postgresql://{userinfo}@{host}:{c['port']}/{quote(c['dbname'], safe='')}?{query}"

    def driver_options(self) -> dict[str, str]:
        return {"uri": self.uri()}

    @property
    def default_database(self) -> str:
        return self.credentials["dbname"]

    def on_connect(self, conn) -> None:
        role = self.credentials.get("role")
        if not role:
            return
        name = role if _PLAIN_NAME.match(role) else self.quote(role)
        cur = conn.cursor()
        try:
            cur.executescript(f"set role {name}")
        except Exception as exc:  # noqa: BLE001 - every driver error becomes a user-facing one
            raise DatabaseError(f"could not set role {role!r}: {self.describe_error(exc)}",
                                path=self.profile_path, hint="check `role` in profiles.yml") from exc
        finally:
            cur.close()

    def catalog_sql(self, database: str, schemas: list[str]) -> str:
        """dbt-postgres's catalog: pg_catalog, types as ``format_type`` spells them, comments, owner."""
        names = ", ".join(self.string_literal(s.upper()) for s in schemas)
        return (
            f"select {self.string_literal(database)}::text as table_database, n.nspname::text as table_schema, "
            "c.relname::text as table_name, case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' "
            "else 'BASE TABLE' end as table_type, td.description as table_comment, a.attname::text as column_name, "
            "a.attnum::integer as column_index, pg_catalog.format_type(a.atttypid, a.atttypmod) as column_type, "
            "cd.description as column_comment, pg_catalog.pg_get_userbyid(c.relowner)::text as table_owner "
            "from pg_catalog.pg_namespace n join pg_catalog.pg_class c on c.relnamespace = n.oid "
            "join pg_catalog.pg_attribute a on a.attrelid = c.oid "
            "left join pg_catalog.pg_description td on td.objoid = c.oid and td.objsubid = 0 "
            "left join pg_catalog.pg_description cd on cd.objoid = c.oid and cd.objsubid = a.attnum "
            f"where upper(n.nspname) in ({names}) and not pg_catalog.pg_is_other_temp_schema(n.oid) "
            "and c.relpersistence in ('p', 'u') and c.relkind in ('r', 'v', 'f', 'p', 'm') "
            "and a.attnum > 0 and not a.attisdropped order by n.nspname, c.relname, a.attnum"
        )

    # --- schemas: named without their database ---------------------------------------------
    def create_schema(self, database: str | None, schema: str) -> None:
        # `create schema` takes a bare name: "db"."schema" is a syntax error in PostgreSQL
        super().create_schema(None, schema)

    def drop_schema(self, database: str | None, schema: str) -> None:
        self.execute(f"drop schema if exists {self.quote(schema)} cascade")
        self.forget_schema(database, schema)
        self.forget_schema(None, schema)  # create_schema remembers it without its database


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="postgres",
        dialect="postgres",
        adapter_class=PostgresAdapter,
        driver=DriverRequirement("postgresql", ">=1.0"),
        macro_paths=(MACROS,),
        profile_fields=(ProfileField("host", "the server's host name", "localhost"),
                        ProfileField("port", "the server's port", 5432, int),
                        ProfileField("user", "the user to log in as"),
                        ProfileField("password", "that user's password", secret=True),
                        ProfileField("dbname", "the database models are built in"),
                        ProfileField("schema", "the schema models are built in"),
                        ProfileField("threads", "parallel connections", 1, int)),
    ))
