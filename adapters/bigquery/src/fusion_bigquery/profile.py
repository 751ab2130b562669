"""dbt-bigquery ``profiles.yml`` targets as options of the BigQuery ADBC driver.

Everything is checked when the profile is read, so a mistake shows before anything runs.
Database options go to the driver once; query options (priority, bytes billed, timeout) go
with every statement, as the driver takes them per query job.
"""

from __future__ import annotations

import json
from typing import Any

from fusion.errors import ProjectError

SQL = "adbc.bigquery.sql."
AUTH_TYPE = SQL + "auth_type"
AUTH_TYPES = {
    "oauth": SQL + "auth_type.auth_bigquery",  # application default credentials (gcloud, metadata server)
    "service-account": SQL + "auth_type.json_credential_file",
    "service-account-json": SQL + "auth_type.json_credential_string",
    "oauth-secrets": SQL + "auth_type.user_authentication",
}
_TOKEN_URI = "https://oauth2.googleapis.com/token"
#: dbt-bigquery's default OAuth scopes (the impersonated credentials are asked for these)
SCOPES = ("https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/cloud-platform",
          "https://www.googleapis.com/auth/drive")
#: dbt-bigquery's defaults for keys a target leaves out
DEFAULTS = {"method": "oauth", "priority": "interactive", "location": None, "maximum_bytes_billed": None,
            "job_execution_timeout_seconds": None, "impersonate_service_account": None,
            "execution_project": None}


def _text(target: dict[str, Any], key: str) -> str | None:
    value = target.get(key)
    return None if value is None or str(value) == "" else str(value)


def _whole(target: dict[str, Any], key: str, path: str) -> int | None:
    value = target.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise ProjectError(f"`{key}` of the bigquery target must be a positive whole number, got {value!r}",
                           path=path)
    return int(value)


def _credentials(target: dict[str, Any], method: str, path: str) -> dict[str, str]:
    def needs(key: str) -> str:
        value = _text(target, key)
        if value is None:
            raise ProjectError(f"method {method!r} of the bigquery target needs `{key}`", path=path)
        return value

    options = {AUTH_TYPE: AUTH_TYPES[method]}
    if method == "service-account":
        options[SQL + "auth_credentials"] = needs("keyfile")
    elif method == "service-account-json":
        keyfile = target.get("keyfile_json")
        if not isinstance(keyfile, dict) or not keyfile:
            raise ProjectError("method 'service-account-json' of the bigquery target needs `keyfile_json`, "
                               "the service account's key as a mapping", path=path)
        options[SQL + "auth_credentials"] = json.dumps(keyfile)
    elif method == "oauth-secrets":
        if _text(target, "refresh_token") is None:
            raise ProjectError("an access `token` without `refresh_token` is not supported by the BigQuery ADBC "
                               "driver", path=path,
                               hint="give refresh_token, client_id and client_secret, or use method: oauth")
        if (_text(target, "token_uri") or _TOKEN_URI) != _TOKEN_URI:
            raise ProjectError(f"`token_uri` of the bigquery target must be {_TOKEN_URI} (the BigQuery ADBC "
                               "driver refreshes tokens there only)", path=path)
        for key in ("client_id", "client_secret", "refresh_token"):
            options[SQL + "auth." + key] = needs(key)
    return options


def parse(target: dict[str, Any], path: str) -> dict[str, Any]:
    """Check a dbt-bigquery target; return the driver's database and statement options."""
    method = str(target.get("method") or "oauth")
    if method not in AUTH_TYPES:
        raise ProjectError(f"method {method!r} of the bigquery target is not supported by the BigQuery ADBC driver",
                           path=path, hint="use oauth, service-account, service-account-json or oauth-secrets")
    project = _text(target, "database")
    dataset = _text(target, "schema")
    if project is None or dataset is None:
        raise ProjectError("the bigquery target needs `project` (or `database`) and `dataset` (or `schema`)",
                           path=path)
    options = {SQL + "project_id": _text(target, "execution_project") or project, SQL + "dataset_id": dataset,
               **_credentials(target, method, path)}
    if _text(target, "location"):
        options[SQL + "location"] = _text(target, "location")
    if _text(target, "impersonate_service_account"):
        if method != "oauth":  # the driver impersonates from application default credentials only
            raise ProjectError("`impersonate_service_account` works only with method 'oauth' in the BigQuery ADBC "
                               f"driver (method is {method!r})", path=path,
                               hint="use method: oauth (application default credentials) to impersonate")
        options[SQL + "impersonate.target_principal"] = _text(target, "impersonate_service_account")
        options[SQL + "impersonate.scopes"] = ",".join(target.get("scopes") or SCOPES)
    priority = str(target.get("priority") or "interactive").lower()
    if priority not in ("interactive", "batch"):
        raise ProjectError(f"`priority` of the bigquery target must be interactive or batch, got {priority!r}",
                           path=path)
    query: dict[str, str | int] = {SQL + "query.priority": priority.upper()}
    for key, option in (("maximum_bytes_billed", "max_bytes_billed"), ("job_execution_timeout_seconds", "job_timeout")):
        number = _whole(target, key, path)
        if number is not None:
            query[SQL + "query." + option] = number
    return {"database": project, "schema": dataset, "options": options, "query": query}
