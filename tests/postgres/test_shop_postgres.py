"""examples/shop built by Fusion on PostgreSQL equals what dbt Core + dbt-postgres built.

The expected files (tests/expected/shop_postgres) were produced by dbt Core 1.12.6 and
dbt-postgres 1.11.0 against a server started the same way (regenerate.py there); rows are
compared in the canonical text form described in tests/expected/README.md.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import EXAMPLES, REPO, run_fusion
from servers import profile_yaml

from . import snapshot

pytestmark = pytest.mark.postgres

EXPECTED = REPO / "tests" / "expected" / "shop_postgres"


def assert_matches_dbt(query, project, run: str) -> None:
    expected = snapshot.read(EXPECTED / run)
    actual = snapshot.snapshot(query)
    assert actual["relations"] == expected["relations"]
    assert actual["columns"] == expected["columns"]
    for relation, rows in actual["rows"].items():
        assert rows == expected["rows"][relation], f"rows of {relation} differ from dbt-postgres's ({run})"
    results = json.loads((project / "target" / "run_results.json").read_text())
    assert snapshot.summarize_results(results) == expected["results"]


@pytest.mark.slow
def test_two_builds_match_dbt_postgres(tmp_path, postgres, pg_database, pg_query):
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    (project / "profiles.yml").write_text(profile_yaml(postgres.target(pg_database, "main"), profile="shop"))

    first = run_fusion(project, "build")
    assert first.code == 0, first.output
    assert_matches_dbt(pg_query, project, "run1")

    second = run_fusion(project, "build", "--vars", '{"shop_late_data": true}')
    assert second.code == 0, second.output
    assert_matches_dbt(pg_query, project, "run2")
