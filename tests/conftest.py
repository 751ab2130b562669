"""Shared fixtures: copies of example projects, and running the real ``fusion`` CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fusion_adapter_tests.cli import CliRun, run_cli

pytest_plugins = [
    "driver_repo",  # signed-driver repositories
    "postgres.fixtures",  # a real PostgreSQL server
    "spark.fixtures",  # Spark Connect servers (Sail, Apache Spark)
    "snowflake.fixtures",  # a fakesnow server (Snowflake's HTTP API over DuckDB)
    "trino.fixtures",  # the built Trino driver from a loopback repository, for the CLI
    "warehouses",  # the same feature tests on DuckDB and PostgreSQL
]

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SCHEMAS = REPO.parent / "shared" / "schemas" / "dbt"

CliResult = CliRun  # code, stdout, stderr, output


def run_fusion(project: Path, *args: str, env: dict[str, str] | None = None) -> CliResult:
    """Run the real CLI with ``project`` as working directory: in this process (as ``python -m
    fusion`` would, output captured), or in a child process when ``env`` is given or the test
    uses the ``cli_process`` fixture."""
    if env is not None or _child_process:
        proc = subprocess.run([sys.executable, "-m", "fusion", *args], cwd=project, capture_output=True,
                              text=True, env=env, timeout=300)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)
    return run_cli(project, list(args))


_child_process = False  # set for one test by the ``cli_process`` fixture


@pytest.fixture
def cli_process(monkeypatch):
    """Every ``run_fusion`` of the test runs in a child process: for tests changing what a process
    loads once (the policy, driver repositories and cache, installed plugins)."""
    monkeypatch.setattr(sys.modules[__name__], "_child_process", True)


def start_fusion(project: Path, *args: str) -> subprocess.Popen:
    """Start the real CLI in a child process (output captured as text) and return at once."""
    return subprocess.Popen([sys.executable, "-m", "fusion", *args], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_until(condition, seconds: float = 20.0) -> bool:
    """Poll ``condition`` every 0.1 s; whether it became true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Path:
    """A fresh copy of examples/shop whose DuckDB file lives in the test's temp folder."""
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    (tmp_path / "db").mkdir()
    monkeypatch.setenv("SHOP_DUCKDB_PATH", str(tmp_path / "db" / "shop.duckdb"))
    return project


def write_project(root: Path, files: dict[str, str], profile_path: str = "db.duckdb") -> Path:
    """A small dbt project written from a dict of relative paths to contents."""
    defaults = {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n",
        "profiles.yml": f"proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                        f"      path: {profile_path}\n      schema: main\n      threads: 2\n",
    }
    for rel, text in {**defaults, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def query(db_path: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` against a DuckDB file, through Fusion's own verified driver."""
    import adbc_driver_manager
    import adbc_driver_manager.dbapi as dbapi
    from fusion.drivers import DriverRequirement, open_database

    db = open_database(DriverRequirement("duckdb"), {"path": str(db_path)})
    conn = dbapi.Connection(db, adbc_driver_manager.AdbcConnection(db), autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()
