"""examples/shop built on a Spark Connect server (Sail) with a dbt-databricks profile: seeds,
views, tables, incremental models and tests; the marts equal what dbt Core + dbt-postgres built
(tests/expected/shop_postgres, compared as text).

Two Sail differences are bridged in the copy of the project, not in the adapter: every table
gets a location under the test folder (Sail cannot place a managed Delta table created from a
column list, and forgets its catalog when a run's session ends, so results are read by path),
and the raw events table of the on-run-start hooks is a Delta table there (Sail's default
format, Parquet, cannot DELETE; on Databricks the default format is Delta and the hook runs as is).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal, InvalidOperation

import pytest
import yaml
from conftest import EXAMPLES, REPO, run_fusion
from servers import profile_yaml

from .fixtures import spark_target

pytestmark = pytest.mark.spark

EXPECTED = REPO / "tests" / "expected" / "shop_postgres" / "run1"
MARTS = ("customers", "orders", "orders_current", "product_revenue", "web_events_log")


def _canonical(text: str) -> str:
    """Numbers compared by value: PostgreSQL prints coalesce(numeric, 0) as 0, Spark as 0.00."""
    try:
        return str(Decimal(text).normalize()) if text else text
    except InvalidOperation:
        return text


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # Spark's TIMESTAMP is in the session time zone (UTC here)
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return _canonical(str(value).lower() if isinstance(value, bool) else str(value))


def test_shop_builds_on_spark_and_its_marts_match_dbt(tmp_path, sail, lake):
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    root = tmp_path / "lake"
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())
    settings["models"]["shop"]["+location_root"] = str(root)
    settings["seeds"]["shop"]["+location_root"] = str(root)
    (project / "dbt_project.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    events = project / "macros" / "raw_events.sql"
    events.write_text(events.read_text().replace(
        "    occurred_at timestamp\n)", f"    occurred_at timestamp\n) using delta location '{root / 'raw_events'}'"))
    target = spark_target(sail.port, schema="main")
    (project / "profiles.yml").write_text(profile_yaml(target, profile="shop"))

    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    assert "ERROR=0" in result.output and "PASS=" in result.output

    for name in MARTS:
        with open(EXPECTED / f"main_marts.{name}.csv", newline="", encoding="utf-8") as handle:
            header, *expected = list(csv.reader(handle))
        columns = ", ".join(f"`{c}`" for c in header)
        rows = lake.query(f"select {columns} from delta.`{root / name}`")
        got = sorted([_as_text(v) for v in row] for row in rows)
        want = sorted([_canonical(v) for v in row] for row in expected)
        assert got == want, f"rows of {name} differ from dbt-postgres's"
