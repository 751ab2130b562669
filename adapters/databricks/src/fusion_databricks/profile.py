"""dbt-databricks / dbt-spark ``profiles.yml`` targets -> options of the Spark Connect ADBC driver.

Every target becomes one Spark Connect endpoint ``sc://host:port``; the token, TLS, the
Databricks cluster (a gRPC header) and the session travel as driver options, never inside the
URI. What Spark Connect cannot reach (Thrift servers, in-process sessions, SQL warehouses) is a
``ProjectError`` that names profiles.yml and says what to use instead.
"""

from __future__ import annotations

import re
from typing import Any

from fusion.errors import ProjectError

TOKEN = "adbc.spark.token"
TLS = "adbc.spark.tls.enabled"
USER = "adbc.spark.user_id"
SESSION = "adbc.spark.session_id"
HEADER = "adbc.spark.headers."
#: the gRPC header that routes a Spark Connect session to a Databricks all-purpose cluster
CLUSTER_HEADER = "x-databricks-cluster-id"
#: Spark Connect's own default port (``sbin/start-connect-server.sh``)
CONNECT_PORT = 15002

#: ``http_path`` of an all-purpose cluster: ``sql/protocolv1/o/<workspace id>/<cluster id>``
_CLUSTER_PATH = re.compile(r"\A/?sql/protocolv1/o/[^/]+/(?P<cluster>[^/?#]+)/?\Z")
#: ``http_path`` of a SQL warehouse: ``/sql/1.0/warehouses/<id>`` (older: ``endpoints``)
_WAREHOUSE_PATH = re.compile(r"\A/?sql/1\.0/(?:warehouses|endpoints)/[^/]+/?\Z")
_NO_CONNECT = ("Spark Connect", "start a Spark Connect server (`sbin/start-connect-server.sh`, or Databricks "
               "Runtime 13+) and set `method: connect` with its `host` and `port` (default 15002)")


def _text(target: dict[str, Any], key: str) -> str:
    value = target.get(key)
    return "" if value is None else str(value).strip()


def _port(target: dict[str, Any], default: int, path: str) -> int:
    value = target.get("port", default)
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ProjectError(f"`port` must be a whole number, got {value!r}", path=path) from None
    if not 0 < port < 65536:
        raise ProjectError(f"`port` is out of range: {port}", path=path)
    return port


def _host(target: dict[str, Any], path: str) -> str:
    host = _text(target, "host")
    host = re.sub(r"\A[a-z]+://", "", host, flags=re.I).rstrip("/")  # dbt-databricks accepts https://host/
    if not host or "/" in host or ";" in host:
        raise ProjectError(f"the target needs `host` as a bare host name, got {target.get('host')!r}", path=path,
                           hint="e.g. host: dbc-a1b2c3d4-e5f6.cloud.databricks.com")
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _cluster(target: dict[str, Any], path: str) -> str:
    """The all-purpose cluster named by ``cluster``/``cluster_id`` or ``http_path``."""
    cluster = _text(target, "cluster") or _text(target, "cluster_id")
    http_path = _text(target, "http_path")
    if _WAREHOUSE_PATH.match(http_path) or _text(target, "endpoint"):
        raise ProjectError("this target points at a Databricks SQL warehouse, which does not serve Spark Connect",
                           path=path, hint="point `http_path` at an all-purpose cluster "
                                           "(sql/protocolv1/o/<workspace id>/<cluster id>) or set `cluster`")
    if http_path:
        found = _CLUSTER_PATH.match(http_path)
        if found is None:
            raise ProjectError(f"cannot read a cluster id from `http_path` {http_path!r}", path=path,
                               hint="expected sql/protocolv1/o/<workspace id>/<cluster id>")
        cluster = cluster or found["cluster"]
    if not cluster:
        raise ProjectError("the target needs `http_path` (or `cluster`) naming an all-purpose cluster", path=path)
    return cluster


def connection_options(target: dict[str, Any], path: str) -> dict[str, str]:
    """Driver options (without the session) for a dbt-databricks or dbt-spark target."""
    kind = _text(target, "type") or "databricks"
    method = _text(target, "method").lower() or ("http" if kind == "databricks" else "")
    if method == "thrift":
        raise ProjectError("`method: thrift` talks to the Spark Thrift server (HiveServer2); Fusion reaches Spark "
                           f"through {_NO_CONNECT[0]}", path=path, hint=_NO_CONNECT[1])
    if method == "session":
        raise ProjectError("`method: session` runs Spark inside dbt's own process; Fusion reaches Spark through "
                           f"{_NO_CONNECT[0]}", path=path, hint=_NO_CONNECT[1])
    if method not in ("http", "odbc", "connect"):
        raise ProjectError(f"unknown `method: {method or '(missing)'}` for a {kind} target", path=path,
                           hint="use `connect` (a Spark Connect server) or `http`/`odbc` (a Databricks cluster)")
    auth = _text(target, "auth_type").lower()
    if auth and auth not in ("token", "pat"):
        raise ProjectError(f"`auth_type: {auth}` is not supported: Spark Connect takes a personal access token",
                           path=path, hint="set `token` (e.g. \"{{ env_var('DATABRICKS_TOKEN') }}\")")
    host = _host(target, path)
    token = _text(target, "token")
    options: dict[str, str] = {}
    if method == "connect":
        options["uri"] = f"sc://{host}:{_port(target, CONNECT_PORT, path)}"
        use_ssl = target.get("use_ssl")
        if use_ssl is not None:
            options[TLS] = "true" if use_ssl in (True, "true", "True", 1) else "false"
    else:  # a Databricks all-purpose cluster, over TLS with a token
        if not token:
            raise ProjectError(f"the {kind} target needs `token` (a personal access token)", path=path,
                               hint="use \"{{ env_var('DATABRICKS_TOKEN') }}\" to keep it out of the file")
        options["uri"] = f"sc://{host}:{_port(target, 443, path)}"
        options[HEADER + CLUSTER_HEADER] = _cluster(target, path)
        options[TLS] = "true"
    if token:
        options[TOKEN] = token
    if _text(target, "user"):
        options[USER] = _text(target, "user")
    return options
