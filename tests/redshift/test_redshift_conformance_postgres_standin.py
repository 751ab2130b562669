"""The conformance kit (adapter-tests/) on the Redshift adapter, with PostgreSQL as the stand-in,
run as an adapter author would (``pytest --pyargs fusion_adapter_tests ...``)."""

from __future__ import annotations

import pytest
from fusion_adapter_tests import run_conformance
from servers import profile_yaml

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: what the stand-in cannot run, with the reason
STANDIN_LIMITS = (
    "--fusion-xfail", "test_materialized_view=Redshift's CREATE MATERIALIZED VIEW (backup, diststyle, "
                      "auto refresh) is not PostgreSQL's grammar: checked as SQL text in "
                      "test_redshift_ddl_postgres_standin",
)


def test_conformance_postgres_standin(tmp_path, redshift_target, standin_shims, pg_admin):
    # the grants test's grantee: a user (Redshift's grants are read per user from pg_user)
    pg_admin.run("do $$ begin if not exists (select from pg_roles where rolname = 'kit_user') then "
                 "create user kit_user; end if; end $$")
    (tmp_path / "profiles.yml").write_text(profile_yaml(redshift_target, profile="conformance"))
    result = run_conformance(tmp_path, "dev", "--fusion-grantee", "kit_user", *STANDIN_LIMITS, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr
    assert "xfailed" in result.stdout
