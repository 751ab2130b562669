"""dbt-trino ``profiles.yml`` targets -> options of the Trino ADBC driver (drivers/trino).

Every target becomes one coordinator URL (``http[s]://host:port``); the user, the password or
JWT, the catalog and schema, session properties, the time zone and TLS settings travel as
driver options. What the driver cannot do (Kerberos, client certificates, OAuth, roles, client
tags, extra headers, impersonation) is a ``ProjectError`` that names profiles.yml.
"""

from __future__ import annotations

import re
from typing import Any

from fusion.errors import ProjectError

USERNAME, PASSWORD = "username", "password"  # ADBC's standard database options
JWT = "adbc.trino.jwt"
CATALOG, SCHEMA = "adbc.trino.catalog", "adbc.trino.schema"
SESSION_PROPERTY = "adbc.trino.session."
SOURCE, TIME_ZONE = "adbc.trino.source", "adbc.trino.time_zone"
CA_FILE, VERIFY = "adbc.trino.tls.ca_file", "adbc.trino.tls.verify"

METHODS = ("none", "ldap", "jwt")
_UNSUPPORTED = {"kerberos": "Kerberos", "gssapi": "GSSAPI", "certificate": "client certificates",
                "oauth": "OAuth 2.0", "oauth_console": "OAuth 2.0"}
#: a session property: ``name`` or ``catalog.name`` (Trino's identifiers)
_PROPERTY = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?\Z")
#: dbt-trino keys whose headers the driver does not send, and what they would send
_NO_HEADER = {"roles": "X-Trino-Role", "client_tags": "X-Trino-Client-Tags", "http_headers": "extra HTTP headers",
              "impersonation_user": "a user other than the one that logs in"}


def _text(target: dict[str, Any], key: str) -> str:
    value = target.get(key)
    return "" if value is None else str(value).strip()


def _required(target: dict[str, Any], key: str, path: str, why: str = "") -> str:
    value = _text(target, key)
    if not value:
        raise ProjectError(f"the trino target needs `{key}`{why}", path=path)
    return value


def _port(target: dict[str, Any], path: str) -> int:
    value = target.get("port")
    if value in (None, ""):
        raise ProjectError("the trino target needs `port` (8080 for http, 443 for https by convention)", path=path)
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ProjectError(f"`port` of the trino target must be a whole number, got {value!r}", path=path) from None
    if not 0 < port < 65536:
        raise ProjectError(f"`port` of the trino target is out of range: {port}", path=path)
    return port


def _host(target: dict[str, Any], path: str) -> str:
    host = _required(target, "host", path)
    if re.match(r"\A[a-z]+://", host, re.I) or any(c in host for c in "/?#@ "):
        raise ProjectError(f"`host` of the trino target must be a bare host name, got {host!r}", path=path,
                           hint="put the scheme in `http_scheme` and the port in `port`")
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _mapping(target: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = target.get(key) or {}
    if not isinstance(value, dict):
        raise ProjectError(f"`{key}` of the trino target must be a mapping, got {value!r}", path=path)
    return value


def _flag_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _session_properties(target: dict[str, Any], path: str) -> dict[str, str]:
    options = {}
    for name, value in _mapping(target, "session_properties", path).items():
        if not _PROPERTY.match(str(name)):
            raise ProjectError(f"session property {name!r} of the trino target is not a property name", path=path,
                               hint="use `name` or `catalog.name`, e.g. query_max_run_time or hive.compression_codec")
        if isinstance(value, (dict, list)) or value is None:
            raise ProjectError(f"session property `{name}` of the trino target must be a single value", path=path)
        options[SESSION_PROPERTY + str(name)] = _flag_text(value)
    return options


def _unsupported_keys(target: dict[str, Any], path: str) -> None:
    """dbt-trino keys that send headers the driver does not send: an error, never silently dropped."""
    for key in _NO_HEADER:
        if target.get(key) not in (None, "", [], {}):
            raise ProjectError(f"`{key}` of the trino target is not supported: the Trino ADBC driver does not "
                               f"send {_NO_HEADER[key]}", path=path, hint=f"remove `{key}` from the target")


def _tls(target: dict[str, Any], path: str) -> dict[str, str]:
    """``cert``: a CA bundle's path, or false to skip verifying the server (dbt-trino's ``verify``)."""
    cert = target.get("cert")
    if cert is None or cert is True or str(cert).strip().lower() == "true":
        return {}
    if cert is False or str(cert).strip().lower() == "false":
        return {VERIFY: "false"}
    if not isinstance(cert, str) or not cert.strip():
        raise ProjectError(f"`cert` of the trino target must be a CA bundle's path or false, got {cert!r}",
                           path=path)
    return {CA_FILE: cert.strip()}


def method_of(target: dict[str, Any], path: str) -> str:
    method = (_text(target, "method") or "none").lower()
    if method in _UNSUPPORTED:
        raise ProjectError(f"`method: {method}` is not supported: the Trino ADBC driver cannot authenticate with "
                           f"{_UNSUPPORTED[method]}", path=path,
                           hint="use `method: ldap` (user and password) or `method: jwt` (jwt_token), "
                                "or `method: none` behind a trusted proxy")
    if method not in METHODS:
        raise ProjectError(f"unknown `method: {method}` for a trino target", path=path,
                           hint=f"use one of {', '.join(METHODS)}")
    return method


def connection_options(target: dict[str, Any], path: str) -> dict[str, str]:
    """Driver options for a dbt-trino target (``catalog`` already resolved into ``database``)."""
    method = method_of(target, path)
    scheme = (_text(target, "http_scheme") or "http").lower()
    if scheme not in ("http", "https"):
        raise ProjectError(f"`http_scheme` of the trino target must be http or https, got {scheme!r}", path=path)
    if method != "none":
        scheme = "https"  # as dbt-trino: passwords and tokens only go over TLS
    options = {"uri": f"{scheme}://{_host(target, path)}:{_port(target, path)}",
               CATALOG: _required(target, "database", path, " (or `catalog`): the catalog models are built in"),
               SCHEMA: _required(target, "schema", path)}
    if method == "jwt":
        options[JWT] = _required(target, "jwt_token", path, " for `method: jwt`")
        if _text(target, "user"):
            options[USERNAME] = _text(target, "user")
    else:
        options[USERNAME] = _required(target, "user", path)
    if method == "ldap":
        options[PASSWORD] = _required(target, "password", path, " for `method: ldap`")
    _unsupported_keys(target, path)
    options[SOURCE] = "fusion-trino"
    if _text(target, "timezone"):
        options[TIME_ZONE] = _text(target, "timezone")
    return {**options, **_session_properties(target, path), **_tls(target, path)}
