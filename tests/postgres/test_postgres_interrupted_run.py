"""Ctrl-C during PostgreSQL work cancels the backend's query (not only the client's wait), on a
worker thread (a model) as on the main thread (a hook, ``fusion show``)."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from conftest import run_fusion, start_fusion, wait_until
from servers import write_target_project

TABLE = "{{ config(materialized='table') }}\n"
RUNNING = ("select count(*) from pg_stat_activity where state = 'active' "
           "and query like '%pg_sleep(60)%' and pid <> pg_backend_pid()")


def _interrupt(project, pg_query, *args: str) -> str:
    """Run fusion until its pg_sleep(60) runs on the server, send SIGINT; the output. Asserts it
    exits with 130 within 3 s, without a traceback, and leaves no query running."""
    proc = start_fusion(project, *args)
    try:
        assert wait_until(lambda: pg_query(RUNNING)[0][0] > 0), "the slow statement never started"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("fusion was still running 10 s after SIGINT")
        seconds = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, out + err
    assert seconds < 3
    assert "Traceback" not in out + err
    assert pg_query(RUNNING) == [(0,)]  # cancelled on the server, not left to run out its 60 s
    return out + err


@pytest.fixture
def built(tmp_path, postgres, pg_database):
    """A project whose table ``t`` was built with ``id = 1``."""
    project = write_target_project(tmp_path, {"models/t.sql": TABLE + "select 1 as id\n"},
                                   postgres.target(pg_database, "main"))
    assert run_fusion(project, "run").code == 0
    return project


def _results(project) -> dict[str, dict]:
    return {r["unique_id"]: r for r in json.loads((project / "target" / "run_results.json").read_text())["results"]}


def test_sigint_cancels_a_models_query_and_keeps_the_previous_table(built, pg_query):
    (built / "models" / "t.sql").write_text(TABLE + "select 2 as id from (select pg_sleep(60)) as slow\n")
    _interrupt(built, pg_query, "run")
    assert pg_query("select id from main.t") == [(1,)]
    names = [n for (n,) in pg_query("select tablename from pg_tables where schemaname = 'main' order by 1")]
    assert names == ["t"]
    assert _results(built)["model.proj.t"]["status"] == "error"


def test_sigint_cancels_a_hook_and_an_inline_query_on_the_main_thread(built, pg_query):
    with (built / "dbt_project.yml").open("a") as project_yml:
        project_yml.write("on-run-start: ['select pg_sleep(60)']\n")
    _interrupt(built, pg_query, "run")
    result = _results(built)["model.proj.t"]
    assert (result["status"], result["message"]) == ("skipped", "Skipped: the run was interrupted by SIGINT")
    output = _interrupt(built, pg_query, "show", "--inline", "select pg_sleep(60)")
    assert "Error:" not in output
