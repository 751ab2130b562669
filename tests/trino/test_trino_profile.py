"""dbt-trino profiles read by the Trino adapter, and the driver options it asks for (no server)."""

from __future__ import annotations

import pytest
from conftest import run_fusion, write_project
from fusion.errors import ProjectError
from fusion_trino import TrinoAdapter, fusion_register_adapters
from servers import profile_yaml

BASE = {"type": "trino", "host": "trino.example.com", "port": 8080, "user": "dbt", "database": "hive",
        "schema": "analytics", "threads": 2}


def _adapter(**target) -> TrinoAdapter:
    specs = []
    fusion_register_adapters(register=specs.append)
    return TrinoAdapter(specs[0], {k: v for k, v in {**BASE, **target}.items() if v is not None}, "profiles.yml")


def test_method_none_connects_over_http_as_the_user():
    adapter = _adapter()
    options = adapter.driver_options()
    assert options["uri"] == "http://trino.example.com:8080"
    assert (options["username"], options["adbc.trino.catalog"], options["adbc.trino.schema"]) == \
        ("dbt", "hive", "analytics")
    assert "password" not in options and adapter.target["method"] == "none"
    assert (adapter.default_database, adapter.default_schema) == ("hive", "analytics")


def test_catalog_is_an_alias_of_database():
    adapter = _adapter(database=None, catalog="iceberg")
    assert adapter.default_database == "iceberg" and adapter.target["database"] == "iceberg"
    assert adapter.driver_options()["adbc.trino.catalog"] == "iceberg"


def test_ldap_sends_the_password_over_https_only():
    options = _adapter(method="ldap", password="s3cret", http_scheme="http", port=8443).driver_options()
    assert options["uri"] == "https://trino.example.com:8443"
    assert (options["username"], options["password"]) == ("dbt", "s3cret")


def test_jwt_sends_the_token_and_needs_no_user():
    options = _adapter(method="jwt", jwt_token="eyJ.x.y", user=None, http_scheme="https", port=443).driver_options()
    assert options["adbc.trino.jwt"] == "eyJ.x.y" and "username" not in options
    assert options["uri"] == "https://trino.example.com:443"


def test_session_properties_source_and_time_zone_become_options():
    options = _adapter(session_properties={"query_max_run_time": "1h", "hive.insert_existing_partitions_behavior":
                                           "OVERWRITE", "optimize_hash_generation": True},
                       timezone="Europe/Paris").driver_options()
    assert options["adbc.trino.session.query_max_run_time"] == "1h"
    assert options["adbc.trino.session.hive.insert_existing_partitions_behavior"] == "OVERWRITE"
    assert options["adbc.trino.session.optimize_hash_generation"] == "true"
    assert options["adbc.trino.time_zone"] == "Europe/Paris"
    assert options["adbc.trino.source"] == "fusion-trino"


@pytest.mark.parametrize(("cert", "expected"), [
    (None, {}), (True, {}), (False, {"adbc.trino.tls.verify": "false"}), ("false", {"adbc.trino.tls.verify": "false"}),
    ("/etc/ssl/ca.pem", {"adbc.trino.tls.ca_file": "/etc/ssl/ca.pem"})])
def test_cert_verifies_with_a_bundle_or_not_at_all(cert, expected):
    options = _adapter(cert=cert, http_scheme="https").driver_options()
    assert {k: v for k, v in options.items() if k.startswith("adbc.trino.tls.")} == expected


@pytest.mark.parametrize(("target", "message"), [
    ({"method": "kerberos"}, "`method: kerberos` is not supported"),
    ({"method": "oauth"}, "`method: oauth` is not supported"),
    ({"method": "magic"}, "unknown `method: magic`"),
    ({"method": "ldap"}, "the trino target needs `password` for `method: ldap`"),
    ({"method": "jwt"}, "the trino target needs `jwt_token` for `method: jwt`"),
    ({"user": None}, "the trino target needs `user`"),
    ({"host": None}, "the trino target needs `host`"),
    ({"host": "https://trino.example.com"}, "`host` of the trino target must be a bare host name"),
    ({"port": None}, "the trino target needs `port`"),
    ({"port": "eighty"}, "`port` of the trino target must be a whole number"),
    ({"port": 70000}, "`port` of the trino target is out of range"),
    ({"http_scheme": "ftp"}, "`http_scheme` of the trino target must be http or https"),
    ({"database": None}, "the trino target needs `database` \\(or `catalog`\\)"),
    ({"catalog": "other"}, "`database: hive` differs from its `catalog: other`"),
    ({"schema": None}, "the trino target needs `schema`"),
    ({"session_properties": ["a"]}, "`session_properties` of the trino target must be a mapping"),
    ({"session_properties": {"bad name": 1}}, "session property 'bad name' of the trino target is not a property"),
    ({"session_properties": {"x": {"y": 1}}}, "session property `x` of the trino target must be a single value"),
    ({"roles": {"hive": "admin"}}, "`roles` of the trino target is not supported"),
    ({"client_tags": ["nightly"]}, "`client_tags` of the trino target is not supported"),
    ({"http_headers": {"X-Team": "data"}}, "`http_headers` of the trino target is not supported"),
    ({"method": "ldap", "password": "p", "impersonation_user": "bob"},
     "`impersonation_user` of the trino target is not supported"),
    ({"cert": 3}, "`cert` of the trino target must be a CA bundle's path or false"),
])
def test_bad_profiles_are_clear_errors(target, message):
    with pytest.raises(ProjectError, match=message):
        _adapter(**target)


def test_an_unsupported_method_is_an_error_naming_the_profile(tmp_path):
    project = write_project(tmp_path, {"profiles.yml": profile_yaml({**BASE, "method": "kerberos"}),
                                       "models/m.sql": "select 1 as id\n"})
    result = run_fusion(project, "run")
    assert result.code != 0
    assert "Error:" in result.output and "method: kerberos" in result.output and "profiles.yml" in result.output
    assert "Traceback" not in result.output
