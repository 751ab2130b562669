"""A run killed mid-statement leaves PostgreSQL as it was: the server rolls the transaction back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from conftest import run_fusion, wait_until
from servers import write_target_project


def test_killed_table_build_leaves_the_previous_table(tmp_path, postgres, pg_database, pg_query):
    project = write_target_project(tmp_path, {"models/t.sql": "{{ config(materialized='table') }}\nselect 1 as id\n"},
                               postgres.target(pg_database, "main"))
    assert run_fusion(project, "run").code == 0
    (project / "models" / "t.sql").write_text(
        "{{ config(materialized='table') }}\nselect 2 as id from (select pg_sleep(6)) as slow\n")
    proc = subprocess.Popen([sys.executable, "-m", "fusion", "run"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = "select count(*) from pg_stat_activity where query like '%pg_sleep(6)%' and pid <> pg_backend_pid()"
    try:
        assert wait_until(lambda: pg_query(running)[0][0] > 0), "the slow build never started"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # until the server notices the dead client, its uncommitted work is invisible
    assert pg_query("select id from main.t") == [(1,)]
    assert wait_until(lambda: pg_query(running)[0][0] == 0), "the server kept the killed statement"
    names = [n for (n,) in pg_query("select tablename from pg_tables where schemaname = 'main' order by 1")]
    assert names == ["t"]
    assert pg_query("select id from main.t") == [(1,)]
