"""dbt-bigquery targets -> BigQuery ADBC driver options (no warehouse needed)."""

from __future__ import annotations

import pytest
from conftest import run_fusion
from fusion.errors import ProjectError
from fusion_bigquery import BigQueryAdapter, fusion_register_adapters
from fusion_bigquery.profile import SCOPES
from servers import write_target_project

SQL = "adbc.bigquery.sql."
KEY = {"type": "service_account", "project_id": "my-project", "client_email": "sa@my-project.iam.gserviceaccount.com"}


def make_adapter(target: dict) -> BigQueryAdapter:
    specs = []
    fusion_register_adapters(register=specs.append)
    return specs[0].adapter_class(specs[0], {"type": "bigquery", **target}, "/home/me/.dbt/profiles.yml")


def test_service_account_target_with_dbt_bigquery_keys():
    adapter = make_adapter({"method": "service-account", "keyfile": "/secrets/sa.json", "project": "my-project",
                            "dataset": "analytics", "location": "EU", "priority": "batch",
                            "maximum_bytes_billed": 1000000000, "job_execution_timeout_seconds": 300,
                            "threads": 4})
    assert adapter.driver_options() == {
        SQL + "project_id": "my-project", SQL + "dataset_id": "analytics", SQL + "location": "EU",
        SQL + "auth_type": SQL + "auth_type.json_credential_file", SQL + "auth_credentials": "/secrets/sa.json"}
    assert adapter.credentials["query"] == {SQL + "query.priority": "BATCH", SQL + "query.max_bytes_billed": 1000000000,
                                            SQL + "query.job_timeout": 300}
    # project/dataset are dbt-bigquery's aliases of database/schema; `target` shows both
    assert (adapter.default_database, adapter.default_schema) == ("my-project", "analytics")
    assert (adapter.target["database"], adapter.target["schema"]) == ("my-project", "analytics")
    assert adapter.target["priority"] == "batch" and adapter.target["method"] == "service-account"


def test_other_methods_and_execution_project():
    as_json = make_adapter({"method": "service-account-json", "keyfile_json": KEY, "database": "data-project",
                            "schema": "s", "execution_project": "billing-project"})
    options = as_json.driver_options()
    assert options[SQL + "auth_type"] == SQL + "auth_type.json_credential_string"
    assert '"client_email": "sa@my-project.iam.gserviceaccount.com"' in options[SQL + "auth_credentials"]
    assert options[SQL + "project_id"] == "billing-project"  # jobs run (and are billed) there...
    assert as_json.default_database == "data-project"  # ...while relations default to the project
    assert as_json.credentials["query"] == {SQL + "query.priority": "INTERACTIVE"}

    secrets = make_adapter({"method": "oauth-secrets", "refresh_token": "r", "client_id": "c", "client_secret": "x",
                            "project": "p", "dataset": "d"}).driver_options()
    assert secrets[SQL + "auth_type"] == SQL + "auth_type.user_authentication"
    assert (secrets[SQL + "auth.client_id"], secrets[SQL + "auth.client_secret"], secrets[SQL + "auth.refresh_token"]) \
        == ("c", "x", "r")

    adc = make_adapter({"method": "oauth", "project": "p", "dataset": "d",
                        "impersonate_service_account": "runner@p.iam.gserviceaccount.com"}).driver_options()
    assert adc[SQL + "auth_type"] == SQL + "auth_type.auth_bigquery"
    assert adc[SQL + "impersonate.target_principal"] == "runner@p.iam.gserviceaccount.com"
    assert adc[SQL + "impersonate.scopes"] == ",".join(SCOPES)


@pytest.mark.parametrize(("change", "message"), [
    ({"method": "external-oauth"}, "method 'external-oauth' of the bigquery target is not supported"),
    ({"method": "service-account"}, "method 'service-account' of the bigquery target needs `keyfile`"),
    ({"method": "service-account-json", "keyfile_json": "{}"}, "needs `keyfile_json`"),
    ({"method": "oauth-secrets", "token": "ya29.x"}, "an access `token` without `refresh_token` is not supported"),
    ({"method": "oauth-secrets", "refresh_token": "r", "client_id": "c", "client_secret": "x",
      "token_uri": "https://example.com/token"}, "`token_uri` of the bigquery target must be"),
    ({"priority": "urgent"}, "`priority` of the bigquery target must be interactive or batch"),
    ({"maximum_bytes_billed": "lots"}, "`maximum_bytes_billed` of the bigquery target must be a positive whole number"),
    ({"job_execution_timeout_seconds": 0}, "must be a positive whole number"),
    ({"method": "service-account", "keyfile": "k.json", "impersonate_service_account": "x@p.iam.gserviceaccount.com"},
     "`impersonate_service_account` works only with method 'oauth'"),
    ({"project": None}, "the bigquery target needs `project` (or `database`)"),
])
def test_what_cannot_be_mapped_is_a_clear_profile_error(change, message):
    target = {"method": "oauth", "project": "p", "dataset": "d", **change}
    with pytest.raises(ProjectError) as info:
        make_adapter(target)
    assert message in str(info.value)
    assert info.value.path == "/home/me/.dbt/profiles.yml"


def test_a_bad_target_stops_the_cli_before_anything_runs(tmp_path):
    project = write_target_project(tmp_path, {"models/m.sql": "select 1 as id\n"},
                                   {"type": "bigquery", "method": "oauth-secrets", "token": "ya29.x",
                                    "project": "p", "dataset": "d"})
    result = run_fusion(project, "run")
    assert result.code != 0
    assert "Error:" in result.output and "profiles.yml" in result.output
    assert "refresh_token" in result.output and "Traceback" not in result.output
