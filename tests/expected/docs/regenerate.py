#!/usr/bin/env python3
"""Regenerate tests/expected/docs/catalog_duckdb.json and catalog_postgres.json with dbt Core.

Run it with the test suite's Python (tests/postgres/pg_server.py needs pytest); ``DBT`` names
the dbt of a virtualenv holding dbt Core, dbt-duckdb and dbt-postgres (default
/tmp/dbtcore/bin/dbt):

    DBT=/tmp/dbtcore/bin/dbt .venv/bin/python tests/expected/docs/regenerate.py

For each adapter it copies examples/shop to a temporary folder, runs ``dbt build`` and then
``dbt docs generate``, and keeps catalog.json's ``nodes``, ``sources`` and ``errors`` (not its
metadata, which changes every run). PostgreSQL runs in a throwaway server started as the test
suite starts it (tests/postgres/pg_server.py), database ``shop``, schema ``main``.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DBT = Path(os.environ.get("DBT", "/tmp/dbtcore/bin/dbt"))
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "postgres")]

import pg_server  # noqa: E402


def dbt(project: Path, *args: str) -> None:
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    proc = subprocess.run([str(DBT), *args, "--profiles-dir", str(project)], cwd=project, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} exited with {proc.returncode}:\n{proc.stdout[-3000:]}")


def catalog(profile: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "shop"
        shutil.copytree(REPO / "examples" / "shop", project,
                        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
        (project / "profiles.yml").write_text(profile)
        dbt(project, "build")
        dbt(project, "docs", "generate")
        document = json.loads((project / "target" / "catalog.json").read_text())
    kept = {key: document[key] for key in ("nodes", "sources", "errors")}
    (HERE / f"catalog_{name}.json").write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
    print(f"wrote catalog_{name}.json ({len(kept['nodes'])} nodes, {len(kept['sources'])} sources)")


def main() -> None:
    catalog("shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n"
            "      schema: main\n      threads: 4\n", "duckdb")
    server = pg_server.start()
    try:
        subprocess.run(["psql", server.uri("postgres"), "-c", "create database shop"], check=True,
                       capture_output=True)
        catalog("shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
                f"      host: {server.host}\n      port: {server.port}\n      user: {server.user}\n"
                f"      password: {server.password}\n      dbname: shop\n      schema: main\n      threads: 4\n",
                "postgres")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
