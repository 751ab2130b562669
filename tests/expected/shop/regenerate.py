#!/tmp/dbtcore/bin/python
"""Regenerate tests/expected/shop/run1 and run2 with the reference dbt Core.

Run it with the Python of the dbt Core virtualenv (it needs that venv's
`duckdb` module):

    /tmp/dbtcore/bin/python tests/expected/shop/regenerate.py [--keep]

What it does:
  1. copies examples/shop to a fresh temporary directory (without target/,
     logs/ and database files);
  2. run 1: `dbt build` from scratch, cwd = that copy, SHOP_DUCKDB_PATH =
     <tmp>/db/shop.duckdb (the file must be named shop.duckdb: dbt-duckdb
     takes the database name from it);
  3. run 2: `dbt build --vars '{"shop_late_data": true}'` on the same copy
     and the same database file;
  4. after each run writes into runN/: one CSV per relation, results.json,
     relations.json and columns.json. The formats are described in
     tests/expected/README.md.

Both dbt runs must exit 0, otherwise nothing is written and the temporary
directory is kept for inspection. --keep keeps it in any case.
"""

import csv
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
VENV = Path("/tmp/dbtcore")
DBT = VENV / "bin" / "dbt"

RUNS = [
    ("run1", []),
    ("run2", ["--vars", '{"shop_late_data": true}']),
]

SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


def run_dbt(project_dir: Path, db_path: Path, extra_args):
    env = dict(os.environ)
    env["SHOP_DUCKDB_PATH"] = str(db_path)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    cmd = [str(DBT), "build", "--profiles-dir", str(project_dir)] + extra_args
    print("+ (cd {} && SHOP_DUCKDB_PATH={} {})".format(project_dir, db_path, " ".join(cmd)))
    proc = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True)
    log_path = project_dir / (f"dbt-build-{len(list(project_dir.glob('dbt-build-*.log')))}.log")
    log_path.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-5000:])
        raise SystemExit(f"dbt build exited with {proc.returncode} (log: {log_path})")
    return json.loads((project_dir / "target" / "run_results.json").read_text())


def summarize_results(run_results):
    out = {}
    for res in run_results["results"]:
        uid = res["unique_id"]
        entry = {"status": res["status"]}
        if uid.startswith("test."):
            entry["failures"] = res["failures"]
        out[uid] = entry
    return dict(sorted(out.items()))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dump_database(db_path: Path, out_dir: Path):
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        relations = con.execute(
            """
            select table_schema, table_name, table_type
            from information_schema.tables
            where table_catalog = current_database()
              and table_schema not in ('information_schema', 'pg_catalog')
            order by table_schema, table_name
            """
        ).fetchall()
        rel_list = []
        columns = {}
        for schema, name, table_type in relations:
            kind = {"BASE TABLE": "table", "VIEW": "view"}[table_type]
            rel_list.append({"schema": schema, "name": name, "type": kind})
            cols = con.execute(
                """
                select column_name, data_type
                from information_schema.columns
                where table_catalog = current_database()
                  and table_schema = ? and table_name = ?
                order by ordinal_position
                """,
                [schema, name],
            ).fetchall()
            columns[f"{schema}.{name}"] = [[c, t] for c, t in cols]
            select_list = ", ".join(
                f"cast({quote_ident(c)} as varchar) as {quote_ident(c)}" for c, _ in cols
            )
            order_by = ", ".join(f"{i + 1} asc nulls last" for i in range(len(cols)))
            sql = f"select {select_list} from {quote_ident(schema)}.{quote_ident(name)} order by {order_by}"
            rows = con.execute(sql).fetchall()
            with open(out_dir / (f"{schema}.{name}.csv"), "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow([c for c, _ in cols])
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
    finally:
        con.close()
    return rel_list, columns


def write_json(path: Path, data):
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def main():
    keep = "--keep" in sys.argv[1:]
    if not DBT.exists():
        raise SystemExit(f"dbt Core venv not found at {VENV}")
    tmp = Path(tempfile.mkdtemp(prefix="shop-expected-"))
    project_dir = tmp / "shop"
    shutil.copytree(
        PROJECT, project_dir,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", ".user.yml"),
    )
    db_dir = tmp / "db"
    db_dir.mkdir()
    db_path = db_dir / "shop.duckdb"

    staged = {}
    for run_name, extra in RUNS:
        run_results = run_dbt(project_dir, db_path, extra)
        stage = tmp / "out" / run_name
        stage.mkdir(parents=True)
        rel_list, columns = dump_database(db_path, stage)
        write_json(stage / "results.json", summarize_results(run_results))
        write_json(stage / "relations.json", rel_list)
        write_json(stage / "columns.json", columns)
        staged[run_name] = stage

    # Both runs succeeded: replace the committed files.
    for run_name, stage in staged.items():
        dest = HERE / run_name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(stage, dest)
        print(f"wrote {dest} ({len(list(dest.iterdir()))} files)")

    if keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
