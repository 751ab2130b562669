"""dbt-redshift profiles read by the Redshift adapter, and the driver options it asks for (no server)."""

from __future__ import annotations

import pytest
from conftest import run_fusion, write_project
from fusion.errors import ProjectError
from fusion_redshift import RedshiftAdapter, fusion_register_adapters
from servers import profile_yaml


def _adapter(**target) -> RedshiftAdapter:
    specs = []
    fusion_register_adapters(register=specs.append)
    base = {"type": "redshift", "host": "cluster.example.com", "user": "dbt", "password": "p@ss word",
            "dbname": "dev", "schema": "analytics"}
    return RedshiftAdapter(specs[0], {**base, **target}, "profiles.yml")


def test_profile_defaults_are_dbt_redshifts():
    adapter = _adapter()
    assert adapter.target["port"] == 5439
    assert adapter.credentials["ra3_node"] is False and adapter.credentials["autocommit"] is True
    uri = adapter.uri()
    assert uri.startswith("postgresql://dbt:p%40ss%20word@cluster.example.com:5439/dev?")
    assert "sslmode=verify-ca" in uri  # `prefer` verifies the certificate, as dbt-redshift does


def test_flags_rendered_from_env_vars_are_read():
    assert _adapter(ra3_node="True", autocommit="false").credentials["ra3_node"] is True


@pytest.mark.parametrize(("mode", "libpq"), [("disable", "disable"), ("require", "verify-ca"),
                                             ("verify-full", "verify-full")])
def test_sslmode_maps_to_libpq(mode, libpq):
    assert f"sslmode={libpq}" in _adapter(sslmode=mode).uri()


def test_driver_reads_without_copy_and_without_pg_type_query():
    options = _adapter().driver_options()
    assert options["adbc.postgresql.use_copy"] == "false"
    assert options["adbc.postgresql.type_resolver_mode"] == "builtin"


def test_role_and_search_path_are_not_passed_to_libpq():
    adapter = _adapter(role="analyst", search_path="x")
    assert "role" not in adapter.credentials and "search_path" not in adapter.uri()


@pytest.mark.parametrize(("target", "message"), [
    ({"method": "iam"}, "`method: iam` is not supported"),
    ({"sslmode": "sometimes"}, "`sslmode` of the redshift target must be one of"),
    ({"ra3_node": "yes"}, "`ra3_node` of the redshift target must be true or false"),
    ({"password": None}, "the redshift target needs `password`"),
    ({"port": "x"}, "`port` of the redshift target must be a whole number"),
])
def test_bad_profiles_are_clear_errors(target, message):
    with pytest.raises(ProjectError, match=message):
        _adapter(**target)


def test_iam_method_is_an_error_naming_the_profile(tmp_path):
    target = {"type": "redshift", "method": "iam", "cluster_id": "c1", "host": "h", "user": "u",
              "dbname": "dev", "schema": "s", "threads": 1}
    project = write_project(tmp_path, {"profiles.yml": profile_yaml(target), "models/m.sql": "select 1 as id\n"})
    result = run_fusion(project, "run")
    assert result.code != 0
    assert "Error:" in result.output and "method: iam" in result.output and "profiles.yml" in result.output
    assert "Traceback" not in result.output


def test_cross_database_build_needs_ra3_node():
    adapter = _adapter()
    with pytest.raises(ProjectError, match="allowed only on RA3 nodes"):
        adapter.create_schema("other_db", "analytics")


def test_long_names_are_kept_whole():
    name = "m" * 100  # Redshift keeps 127 bytes, PostgreSQL 63
    assert _adapter().relation("dev", "analytics", name).identifier == name
