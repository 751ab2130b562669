#!/work/dbtcore/bin/python
"""Regenerate tests/expected/selectors/expected.json with the reference dbt Core (1.12.6, dbt-duckdb).

    /work/dbtcore/bin/python tests/expected/selectors/regenerate.py   # from anywhere

Copies examples/shop with tests/fixtures/selectors/selectors.yml to a temporary folder and records,
for each case in CASES, the sorted unique_ids `dbt ls` prints (without analyses, which Fusion's ls
also lists), plus the `selectors` key of the manifest.json dbt writes.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DBT = Path(sys.executable).parent / "dbt"

#: case name -> arguments after `ls` (shared with tests/test_selectors_yml.py)
CASES = json.loads((HERE / "cases.json").read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "shop"
        shutil.copytree(REPO / "examples" / "shop", project,
                        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
        shutil.copy(REPO / "tests" / "fixtures" / "selectors" / "selectors.yml", project)
        out = {"ls": {}}
        for case, args in CASES.items():
            run = subprocess.run([str(DBT), "-q", "ls", "--profiles-dir", ".", "--output", "json",
                                  "--output-keys", "unique_id", *args],
                                 cwd=project, capture_output=True, text=True, check=True)
            ids = [json.loads(line)["unique_id"] for line in run.stdout.splitlines() if line.startswith("{")]
            out["ls"][case] = sorted(i for i in ids if not i.startswith("analysis."))
        out["manifest_selectors"] = json.loads((project / "target" / "manifest.json").read_text())["selectors"]
    (HERE / "expected.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
