#!/tmp/dbtcore/bin/python
"""Regenerate tests/expected/shop_postgres/run1 and run2 with dbt Core + dbt-postgres.

Run it with the Python of the dbt Core virtualenv (it needs that venv's psycopg2), as root or
as any user (as root the server runs as the OS user `postgres`, see tests/postgres/pg_server.py):

    /tmp/dbtcore/bin/python tests/expected/shop_postgres/regenerate.py [--keep]

What it does:
  1. starts a throwaway PostgreSQL server exactly as the test suite does
     (tests/postgres/pg_server.py) and creates the database `shop` in it;
  2. copies examples/shop to a fresh temporary directory and writes a dbt-postgres
     profiles.yml there (dbname shop, schema main, threads 4);
  3. run 1: `dbt build`; run 2: `dbt build --vars '{"shop_late_data": true}'` on the same copy
     and the same database;
  4. after each run writes into runN/: one CSV per relation, results.json, relations.json and
     columns.json (tests/expected/README.md, "shop_postgres/").

Both dbt runs must exit 0, otherwise nothing is written and the temporary directory is kept.
The server is always stopped and its folder removed.
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
PROJECT = REPO / "examples" / "shop"
DBT = Path("/tmp/dbtcore/bin/dbt")
sys.path.insert(0, str(REPO / "tests" / "postgres"))

import pg_server  # noqa: E402
import snapshot  # noqa: E402

RUNS = [
    ("run1", []),
    ("run2", ["--vars", '{"shop_late_data": true}']),
]
DATABASE = "shop"


def profile(server) -> str:
    return (
        "shop:\n  target: dev\n  outputs:\n    dev:\n"
        "      type: postgres\n"
        f"      host: {server.host}\n      port: {server.port}\n"
        f"      user: {server.user}\n      password: {server.password}\n"
        f"      dbname: {DATABASE}\n      schema: main\n      threads: 4\n"
    )


def run_dbt(project_dir: Path, extra_args) -> dict:
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    cmd = [str(DBT), "build", "--profiles-dir", str(project_dir), *extra_args]
    print("+ (cd {} && {})".format(project_dir, " ".join(cmd)))
    proc = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True)
    log_path = project_dir / f"dbt-build-{len(list(project_dir.glob('dbt-build-*.log')))}.log"
    log_path.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-5000:])
        raise SystemExit(f"dbt build exited with {proc.returncode} (log: {log_path})")
    return json.loads((project_dir / "target" / "run_results.json").read_text())


def main():
    import psycopg2

    keep = "--keep" in sys.argv[1:]
    if not DBT.exists():
        raise SystemExit(f"dbt Core not found at {DBT}")
    tmp = Path(tempfile.mkdtemp(prefix="shop-postgres-expected-"))
    project_dir = tmp / "shop"
    shutil.copytree(PROJECT, project_dir, ignore=shutil.ignore_patterns(
        "target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", ".user.yml"))
    server = pg_server.start()
    try:
        admin = psycopg2.connect(server.uri("postgres"))
        admin.autocommit = True
        admin.cursor().execute(f"create database {DATABASE}")
        admin.close()
        (project_dir / "profiles.yml").write_text(profile(server))

        conn = psycopg2.connect(server.uri(DATABASE))
        conn.autocommit = True

        def query(sql):
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()

        staged = {}
        for run_name, extra in RUNS:
            results = snapshot.summarize_results(run_dbt(project_dir, extra))
            stage = tmp / "out" / run_name
            snapshot.write(snapshot.snapshot(query), results, stage)
            staged[run_name] = stage
        conn.close()
    except BaseException:
        keep = True
        raise
    finally:
        server.stop()
        if keep:
            print(f"kept {tmp}")

    for run_name, stage in staged.items():
        dest = HERE / run_name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(stage, dest)
        print(f"wrote {dest} ({len(list(dest.iterdir()))} files)")
    if not keep:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
