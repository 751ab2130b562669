"""Python models in Snowflake: a stored procedure created and called with SQL, as dbt-snowflake runs them.

The procedure's handler is the model's file followed by a generated ``main(session)`` that builds
the ``dbt`` object (``ref``/``source`` read tables through Snowpark's ``session.table``) and saves
what ``model(dbt, session)`` returns (a Snowpark or pandas DataFrame) as the given table. Configs,
as in dbt-snowflake: ``python_version`` (default 3.10), ``packages`` (``snowflake-snowpark-python``
always added), ``imports`` (staged files), ``external_access_integrations``, ``secrets``, and
``use_anonymous_sproc`` (default true: ``WITH ... AS PROCEDURE ... CALL``, which needs no CREATE
PROCEDURE privilege; false: a temporary procedure created, called and dropped).
"""

from __future__ import annotations

from typing import Any

from fusion.errors import CompilationError
from fusion.relation import Relation

DEFAULT_PYTHON_VERSION = "3.10"
SNOWPARK = "snowflake-snowpark-python"

_HANDLER = '''

# --- Fusion: runs model() above in this stored procedure (generated) ---
class _FusionConfig:
    def __init__(self, values, meta):
        self._values, self._meta = values, meta

    def __call__(self, *args, **kwargs):
        return None

    def get(self, key, default=None):
        return self._values.get(key, default)

    def meta_get(self, key, default=None):
        return self._meta.get(key, default)


class _FusionThis:
    database, schema, identifier = {this_parts!r}

    def __repr__(self):
        return {this!r}

    __str__ = __repr__


class _FusionDbt:
    def __init__(self, session):
        self._session = session
        self.config = _FusionConfig({config!r}, {meta!r})
        self.this = _FusionThis()
        self.is_incremental = {is_incremental!r}

    def ref(self, *names, v=None, version=None):
        key = ".".join(names)
        if v is not None or version is not None:
            key += ".v" + str(v if v is not None else version)
        return self._session.table({refs!r}[key])

    def source(self, source_name, table_name):
        return self._session.table({sources!r}[source_name + "." + table_name])


def main(session):
    result = model(_FusionDbt(session), session)
    if type(result).__module__.startswith("pandas"):
        result = session.create_dataframe(result)
    result.write.mode("overwrite").save_as_table({target!r}, table_type={table_type!r})
    return "OK"
'''


def handler_code(node, job, relation: Relation, is_incremental: bool) -> str:
    """The procedure's Python: the model's file and the generated handler ``main``."""
    this = job.this
    return node.raw_code + _HANDLER.format(
        this_parts=(this.database, this.schema, this.identifier), this=str(this),
        config=job.config, meta=job.meta, is_incremental=is_incremental,
        refs={k: str(r) for k, r in job.refs.items()}, sources={k: str(r) for k, r in job.sources.items()},
        target=str(relation), table_type="transient" if node.config.get("transient", True) else "")


def sproc_statements(node, job, relation: Relation, is_incremental: bool) -> list[str]:
    """The SQL that runs the model in Snowflake and saves its result as ``relation``."""
    config = node.config
    code = handler_code(node, job, relation, is_incremental)
    if "$$" in code:
        raise CompilationError("the model's code contains `$$`, which ends a Snowflake procedure body",
                               path=node.original_file_path, hint="write it as '$' '$' or use another string")
    name = f"{relation.identifier}__dbt_sp"
    options = _options(config, node.original_file_path)
    if config.get("use_anonymous_sproc", True):
        return [f"with {name} as procedure ()\n{options}\nas\n$$\n{code}\n$$\ncall {name}()"]
    proc = f"{relation.database}.{relation.schema}.{name}" if relation.database else f"{relation.schema}.{name}"
    return [f"create or replace temporary procedure {proc} ()\n{options}\nexecute as caller\nas\n$$\n{code}\n$$",
            f"call {proc}()", f"drop procedure if exists {proc} ()"]


def _options(config: dict[str, Any], path: str) -> str:
    packages = [SNOWPARK, *(p for p in _strings(config, "packages", path) if p.split("=")[0].strip() != SNOWPARK)]
    lines = ["returns string", "language python",
             f"runtime_version = {_literal(str(config.get('python_version') or DEFAULT_PYTHON_VERSION))}",
             f"packages = ({', '.join(map(_literal, packages))})"]
    imports = _strings(config, "imports", path)
    if imports:
        lines.append(f"imports = ({', '.join(map(_literal, imports))})")
    lines.append("handler = 'main'")
    integrations = _strings(config, "external_access_integrations", path)
    if integrations:
        lines.append(f"external_access_integrations = ({', '.join(integrations)})")
    secrets = config.get("secrets") or {}
    if secrets:
        if not isinstance(secrets, dict):
            raise CompilationError("config secrets must map names to Snowflake secrets", path=path)
        lines.append("secrets = (" + ", ".join(f"{_literal(str(k))} = {v}" for k, v in secrets.items()) + ")")
    return "\n".join(lines)


def _strings(config: dict[str, Any], key: str, path: str) -> list[str]:
    value = config.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CompilationError(f"config {key} must be a list of strings, not {value!r}", path=path)
    return value


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
