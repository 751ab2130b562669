"""Run queries through the Trino driver in a child process, so a crash fails a test, not pytest.

``python driver_child.py DRIVER URL`` reads a JSON list of jobs ``{"sql", "options", "repeat"}``
from stdin and prints one JSON line per run: ``{"rows": n}`` or ``{"error": "<class>: <message>"}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import adbc_driver_manager.dbapi as dbapi

sys.path.insert(0, str(Path(__file__).parent))
from driver import connect  # noqa: E402 - a script beside its helper


def main() -> None:
    driver, url = Path(sys.argv[1]), sys.argv[2]
    for job in json.load(sys.stdin):
        with connect(driver, url, **job.get("options", {})) as conn:
            for _ in range(job.get("repeat", 1)):
                with conn.cursor() as cur:
                    try:
                        cur.execute(job["sql"])
                        print(json.dumps({"rows": len(cur.fetchall())}), flush=True)
                    except dbapi.Error as exc:
                        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)


if __name__ == "__main__":
    main()
