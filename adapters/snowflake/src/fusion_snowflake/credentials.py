"""dbt-snowflake ``profiles.yml`` targets as options of the Snowflake ADBC driver.

Everything is checked when the profile is read (so a mistake shows before anything runs),
except the private key file, which is read only when the first connection opens.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from fusion.errors import ProjectError

SQL = "adbc.snowflake.sql."
CLIENT = SQL + "client_option."
#: the driver's key-pair option: an unencrypted PKCS#8 PEM text
PRIVATE_KEY = CLIENT + "jwt_private_key_pkcs8_value"

#: dbt-snowflake ``authenticator`` values -> the driver's auth types (an Okta URL means auth_okta)
AUTH_TYPES = {
    "snowflake": "auth_snowflake",
    "externalbrowser": "auth_ext_browser",
    "oauth": "auth_oauth",
    "username_password_mfa": "auth_mfa",
    "snowflake_jwt": "auth_jwt",
    "jwt": "auth_jwt",
    "programmatic_access_token": "auth_pat",
    "workload_identity": "auth_wif",
}
_NEEDS_PASSWORD = {"auth_snowflake", "auth_mfa", "auth_okta"}
_NEEDS_TOKEN = {"auth_oauth", "auth_pat"}


def _text(target: dict[str, Any], key: str) -> str | None:
    value = target.get(key)
    return None if value is None or str(value) == "" else str(value)


def _flag(target: dict[str, Any], key: str, path: str) -> bool:
    value = target.get(key, False)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ProjectError(f"`{key}` of the snowflake target must be true or false, got {value!r}", path=path)


def _number(target: dict[str, Any], key: str, path: str, low: int, high: int) -> int | None:
    value = target.get(key)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ProjectError(f"`{key}` of the snowflake target must be a whole number, got {value!r}",
                           path=path) from None
    if not low <= number <= high:
        raise ProjectError(f"`{key}` of the snowflake target is out of range: {number}", path=path)
    return number


def _auth_type(target: dict[str, Any], path: str) -> str:
    authenticator = _text(target, "authenticator") or ""
    name = authenticator.lower()
    has_key = bool(_text(target, "private_key") or _text(target, "private_key_path"))
    if has_key and name in ("", "snowflake", "snowflake_jwt", "jwt"):
        return "auth_jwt"
    if name == "":
        return "auth_snowflake"
    if name.startswith("https://"):
        return "auth_okta"
    if name in AUTH_TYPES:
        return AUTH_TYPES[name]
    raise ProjectError(
        f"authenticator {authenticator!r} of the snowflake target is not supported by the Snowflake ADBC driver",
        path=path, hint="use snowflake (password), snowflake_jwt (with private_key_path), externalbrowser, oauth, "
                        "username_password_mfa, programmatic_access_token, workload_identity or an Okta URL")


def parse(target: dict[str, Any], path: str) -> dict[str, Any]:
    """Check a dbt-snowflake target; return the driver options and what the adapter itself uses."""
    def required(key: str) -> str:
        value = _text(target, key)
        if value is None:
            raise ProjectError(f"the snowflake target needs `{key}`", path=path)
        return value

    for key in ("proxy_host", "proxy_port"):
        if _text(target, key):
            raise ProjectError(f"`{key}` of the snowflake target is not supported by the Snowflake ADBC driver",
                               path=path, hint="remove it and set the HTTPS_PROXY environment variable instead")
    auth = _auth_type(target, path)
    options = {"username": required("user"), SQL + "account": required("account"), SQL + "auth_type": auth,
               SQL + "db": required("database"), SQL + "schema": required("schema"),
               CLIENT + "app_name": "fusion", CLIENT + "disable_telemetry": "true"}
    for key, option in (("warehouse", SQL + "warehouse"), ("role", SQL + "role"), ("host", SQL + "uri.host")):
        if _text(target, key):
            options[option] = _text(target, key)
    port = _number(target, "port", path, 1, 65535)
    if port is not None:
        options[SQL + "uri.port"] = str(port)
    protocol = _text(target, "protocol")
    if protocol is not None:
        if protocol.lower() not in ("http", "https"):
            raise ProjectError(f"`protocol` of the snowflake target must be http or https, got {protocol!r}",
                               path=path)
        options[SQL + "uri.protocol"] = protocol.lower()
    timeouts = (("connect_timeout", "login_timeout", 10), ("request_timeout", "request_timeout", None))
    for key, option, default in timeouts:
        seconds = _number(target, key, path, 1, 86400)
        if seconds is not None or default is not None:
            options[CLIENT + option] = f"{seconds or default}s"
    if _flag(target, "client_session_keep_alive", path):
        options[CLIENT + "keep_session_alive"] = "true"
    if _flag(target, "insecure_mode", path):
        options[CLIENT + "tls_skip_verify"] = "true"
    options.update(_auth_options(target, auth, path))
    return {
        "options": options, "database": options[SQL + "db"], "schema": options[SQL + "schema"],
        "warehouse": _text(target, "warehouse"), "query_tag": _text(target, "query_tag"),
        "private_key": _key_source(target, path) if auth == "auth_jwt" else None,
    }


def _auth_options(target: dict[str, Any], auth: str, path: str) -> dict[str, str]:
    options: dict[str, str] = {}
    if auth in _NEEDS_PASSWORD:
        password = _text(target, "password")
        if password is None:
            raise ProjectError("the snowflake target needs `password` for this authenticator", path=path,
                               hint="use \"{{ env_var('SNOWFLAKE_PASSWORD') }}\" to keep it out of the file")
        options["password"] = password
    if auth == "auth_okta":
        options[CLIENT + "okta_url"] = str(target["authenticator"])
    if auth in _NEEDS_TOKEN:
        if _text(target, "oauth_client_id") or _text(target, "oauth_client_secret"):
            raise ProjectError("refreshing OAuth tokens (`oauth_client_id`/`oauth_client_secret`) is not supported "
                               "by the Snowflake ADBC driver", path=path,
                               hint="give an access token in `token` and leave out the client id and secret")
        options[CLIENT + "auth_token"] = _text(target, "token") or ""
        if not options[CLIENT + "auth_token"]:
            raise ProjectError("the snowflake target needs `token` for this authenticator", path=path)
    if auth == "auth_wif":
        provider = _text(target, "workload_identity_provider")
        if provider is None:
            raise ProjectError("the snowflake target needs `workload_identity_provider` (AWS, AZURE, GCP or OIDC)",
                               path=path)
        options[CLIENT + "identity_provider"] = provider.upper()
    if auth == "auth_ext_browser":
        options[CLIENT + "store_temp_creds"] = "true"
    if auth == "auth_mfa":
        options[CLIENT + "cache_mfa_token"] = "true"
    return options


def _key_source(target: dict[str, Any], path: str) -> tuple[str, str, str | None]:
    """(profile key, its value, passphrase) of the key pair; the key itself is read at connect."""
    inline, file = _text(target, "private_key"), _text(target, "private_key_path")
    if inline and file:
        raise ProjectError("the snowflake target sets both `private_key` and `private_key_path`", path=path,
                           hint="keep one of them")
    if not (inline or file):
        raise ProjectError("key-pair authentication needs `private_key_path` (or `private_key`)", path=path)
    source = ("private_key", inline) if inline else ("private_key_path", file)
    return (*source, _text(target, "private_key_passphrase"))


def private_key_pem(source: tuple[str, str, str | None], path: str) -> str:
    """The key pair's private key as the unencrypted PKCS#8 PEM text the driver reads.

    ``private_key_path`` names a PEM or DER file; ``private_key`` holds PEM text or base64 DER
    (as dbt-snowflake reads them); either may be encrypted with ``private_key_passphrase``.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key_name, value, passphrase = source
    hint = "the key must be an RSA private key (PEM, or base64 DER), with `private_key_passphrase` if encrypted"
    try:
        data = Path(value).expanduser().read_bytes() if key_name == "private_key_path" else value.encode()
        password = passphrase.encode() if passphrase else None
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password)
        else:
            der = data if key_name == "private_key_path" else base64.b64decode(data, validate=True)
            key = serialization.load_der_private_key(der, password)
    except OSError as exc:
        raise ProjectError(f"could not read `private_key_path` ({value}): {exc.strerror or exc}", path=path) from None
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ProjectError(f"could not load the private key from `{key_name}`: {exc}", path=path, hint=hint) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ProjectError(f"the key in `{key_name}` is not an RSA key", path=path, hint=hint)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
