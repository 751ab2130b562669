#!/work/dbtcore/bin/python
"""Regenerate tests/expected/freshness/expected.json with the reference dbt Core (1.12.6, dbt-duckdb).

    /work/dbtcore/bin/python tests/expected/freshness/regenerate.py   # from anywhere

Copies tests/fixtures/freshness to a temporary folder, creates its tables in a fresh DuckDB file
(setup.sql), runs `dbt source freshness` and records the exit code, each result's status from
target/sources.json, and each source's freshness, loaded_at_field and loaded_at_query from
target/manifest.json (top level and config).
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parents[1] / "fixtures" / "freshness"
DBT = Path(sys.executable).parent / "dbt"
PROFILE = "proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: proj.duckdb\n" \
          "      schema: main\n      threads: 1\n"
KEYS = ("freshness", "loaded_at_field", "loaded_at_query")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "proj"
        shutil.copytree(FIXTURE, project)
        (project / "profiles.yml").write_text(PROFILE)
        con = duckdb.connect(str(project / "proj.duckdb"))
        for statement in (FIXTURE / "setup.sql").read_text().split(";"):
            if statement.strip():
                con.execute(statement)
        con.close()
        run = subprocess.run([str(DBT), "source", "freshness", "--profiles-dir", "."], cwd=project,
                             capture_output=True, text=True)
        sources = json.loads((project / "target" / "sources.json").read_text())
        manifest = json.loads((project / "target" / "manifest.json").read_text())
    out = {
        "exit_code": run.returncode,
        "statuses": {r["unique_id"]: r["status"] for r in sources["results"]},
        "sources": {uid: {**{k: s[k] for k in KEYS}, "config": {k: s["config"].get(k) for k in KEYS}}
                    for uid, s in manifest["sources"].items()},
    }
    (HERE / "expected.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
