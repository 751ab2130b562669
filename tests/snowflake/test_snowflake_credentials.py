"""dbt-snowflake profiles -> Snowflake ADBC driver options (no server needed), and key pairs
that the real driver accepts when logging in to the fakesnow server."""

from __future__ import annotations

import base64

import pytest
from conftest import run_fusion
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fusion.errors import ProjectError
from fusion_snowflake import SnowflakeAdapter, fusion_register_adapters
from fusion_snowflake.credentials import CLIENT, PRIVATE_KEY, SQL
from servers import write_target_project

BASE = {"type": "snowflake", "account": "xy12345.eu-central-1", "user": "analyst", "password": "pw",
        "database": "analytics", "schema": "dbt_analyst", "threads": 4}


def make_adapter(target: dict) -> SnowflakeAdapter:
    specs = []
    fusion_register_adapters(register=specs.append)
    return SnowflakeAdapter(specs[0], target, "profiles.yml")


def options(**changes) -> dict:
    target = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    return make_adapter(target).driver_options()


def test_password_profile_maps_every_key():
    got = options(warehouse="transforming", role="transformer", host="proxy.internal", port=8443,
                  protocol="HTTPS", client_session_keep_alive=True, connect_timeout=20, insecure_mode="true",
                  query_tag="nightly", connect_retries=3, reuse_connections=True)
    assert got == {
        "username": "analyst", "password": "pw", SQL + "account": "xy12345.eu-central-1",
        SQL + "auth_type": "auth_snowflake", SQL + "db": "analytics", SQL + "schema": "dbt_analyst",
        SQL + "warehouse": "transforming", SQL + "role": "transformer", SQL + "uri.host": "proxy.internal",
        SQL + "uri.port": "8443", SQL + "uri.protocol": "https", CLIENT + "login_timeout": "20s",
        CLIENT + "keep_session_alive": "true", CLIENT + "tls_skip_verify": "true",
        CLIENT + "app_name": "fusion", CLIENT + "disable_telemetry": "true"}
    adapter = make_adapter({**BASE, "query_tag": "nightly"})
    assert (adapter.default_database, adapter.default_schema, adapter.credentials["query_tag"]) == (
        "analytics", "dbt_analyst", "nightly")


@pytest.mark.parametrize(("changes", "auth", "extra"), [
    ({"authenticator": "externalbrowser", "password": None}, "auth_ext_browser", {CLIENT + "store_temp_creds": "true"}),
    ({"authenticator": "oauth", "token": "t0k", "password": None}, "auth_oauth", {CLIENT + "auth_token": "t0k"}),
    ({"authenticator": "username_password_mfa"}, "auth_mfa", {"password": "pw", CLIENT + "cache_mfa_token": "true"}),
    ({"authenticator": "programmatic_access_token", "token": "pat", "password": None}, "auth_pat",
     {CLIENT + "auth_token": "pat"}),
    ({"authenticator": "workload_identity", "workload_identity_provider": "aws", "password": None}, "auth_wif",
     {CLIENT + "identity_provider": "AWS"}),
    ({"authenticator": "https://acme.okta.com"}, "auth_okta",
     {"password": "pw", CLIENT + "okta_url": "https://acme.okta.com"}),
])
def test_authenticators(changes, auth, extra):
    got = options(**changes)
    assert got[SQL + "auth_type"] == auth
    assert {k: got.get(k) for k in extra} == extra


@pytest.mark.parametrize(("changes", "message"), [
    ({"authenticator": "oauth_client_credentials"}, "authenticator 'oauth_client_credentials' of the snowflake "
                                                    "target is not supported by the Snowflake ADBC driver"),
    ({"authenticator": "oauth", "token": "refresh", "oauth_client_id": "id", "oauth_client_secret": "s"},
     "refreshing OAuth tokens"),
    ({"authenticator": "oauth"}, "needs `token`"),
    ({"password": None}, "needs `password`"),
    ({"account": None}, "needs `account`"),
    ({"database": ""}, "needs `database`"),
    ({"proxy_host": "proxy", "proxy_port": 3128}, "`proxy_host` of the snowflake target is not supported"),
    ({"port": "https"}, "`port` of the snowflake target must be a whole number"),
    ({"protocol": "ftp"}, "must be http or https"),
    ({"client_session_keep_alive": "sometimes"}, "must be true or false"),
    ({"authenticator": "snowflake_jwt"}, "needs `private_key_path` (or `private_key`)"),
    ({"private_key": "abc", "private_key_path": "/k.p8"}, "sets both `private_key` and `private_key_path`"),
])
def test_profile_mistakes_name_profiles_yml(changes, message):
    with pytest.raises(ProjectError) as caught:
        options(**changes)
    assert caught.value.path == "profiles.yml"
    assert message in str(caught.value)


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _numbers(pem: str):
    return serialization.load_pem_private_key(pem.encode(), None).private_numbers()


@pytest.mark.parametrize(("encoding", "fmt", "passphrase"), [
    ("PEM", "PKCS8", None), ("PEM", "PKCS8", "s3cret"), ("PEM", "TraditionalOpenSSL", None),
    ("PEM", "TraditionalOpenSSL", "s3cret"), ("DER", "PKCS8", None),
])
def test_private_key_path_in_any_form(tmp_path, rsa_key, encoding, fmt, passphrase):
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    path = tmp_path / "rsa_key.p8"
    path.write_bytes(rsa_key.private_bytes(getattr(serialization.Encoding, encoding),
                                           getattr(serialization.PrivateFormat, fmt), encryption))
    got = options(password=None, private_key_path=str(path), private_key_passphrase=passphrase)
    assert got[SQL + "auth_type"] == "auth_jwt" and "password" not in got
    assert got[PRIVATE_KEY].startswith("-----BEGIN PRIVATE KEY-----")  # unencrypted PKCS#8, in memory only
    assert _numbers(got[PRIVATE_KEY]) == rsa_key.private_numbers()


def test_inline_private_key_as_base64_der_or_pem(rsa_key):
    der = rsa_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(b"pp"))
    got = options(password=None, private_key=base64.b64encode(der).decode(), private_key_passphrase="pp")
    assert _numbers(got[PRIVATE_KEY]) == rsa_key.private_numbers()
    pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    assert _numbers(options(authenticator="snowflake_jwt", private_key=pem)[PRIVATE_KEY]) == rsa_key.private_numbers()


def test_bad_keys_name_profiles_yml(tmp_path, rsa_key):
    encrypted = tmp_path / "encrypted.p8"
    encrypted.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.BestAvailableEncryption(b"right")))
    not_rsa = tmp_path / "ec.p8"
    not_rsa.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cases = [({"private_key_path": str(encrypted), "private_key_passphrase": "wrong"},
              "could not load the private key"),
             ({"private_key_path": str(encrypted)}, "could not load the private key from `private_key_path`"),
             ({"private_key_path": str(tmp_path / "missing.p8")}, "could not read `private_key_path`"),
             ({"private_key_path": str(not_rsa)}, "is not an RSA key"),
             ({"private_key": "not base64!"}, "could not load the private key from `private_key`")]
    for changes, message in cases:
        with pytest.raises(ProjectError) as caught:
            options(password=None, **changes)
        assert caught.value.path == "profiles.yml" and message in str(caught.value), (changes, caught.value)
        assert "right" not in str(caught.value)


def test_unsupported_authenticator_stops_parse_with_profiles_yml(tmp_path):
    project = write_target_project(tmp_path, {"models/a.sql": "select 1 as id\n"},
                               {**BASE, "authenticator": "oauth_authorization_code"})
    result = run_fusion(project, "parse")
    assert result.code != 0 and "Traceback" not in result.output, result.output
    assert "profiles.yml" in result.output and "oauth_authorization_code" in result.output


@pytest.mark.snowflake
def test_key_pair_login_through_the_driver(tmp_path, rsa_key, fakesnow, sf_database, sf_query):
    """The driver signs its login JWT with the key read from the profile (fakesnow accepts any
    signature; Snowflake checks it against the user's registered public key)."""
    path = tmp_path / "rsa_key.p8"
    path.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"pp")))
    target = {**fakesnow.target(sf_database, "analytics"), "private_key_path": str(path),
              "private_key_passphrase": "pp"}
    del target["password"]
    project = write_target_project(tmp_path / "p", {"models/a.sql": "select 1 as id\n"}, target)
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert sf_query("select id from analytics.a") == [(1,)]
