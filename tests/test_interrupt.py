"""Ctrl-C (SIGINT) or SIGTERM during a run: running statements are cancelled and rolled back,
nothing new starts, run_results.json says what was interrupted, and the exit code is 130
(143 for SIGTERM); a second signal exits at once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import jsonschema
import pytest
from conftest import SCHEMAS, query, run_fusion, start_fusion, wait_until, write_project

TABLE = "{{ config(materialized='table') }}\n"
#: a statement that would run for hours: a trillion-row cross join
SLOW = TABLE + "select 2 as id from (select sum(a.range * b.range) as s from range(1000000) a, range(1000000) b)\n"
CHILD = "{{ config(materialized='view') }}\nselect id from {{ ref('t') }}\n"


@pytest.fixture
def rebuilding(tmp_path):
    """A built project whose table ``t`` (and view ``child`` on it) now takes hours to rebuild."""
    project = write_project(tmp_path, {"models/t.sql": TABLE + "select 1 as id\n", "models/child.sql": CHILD})
    assert run_fusion(project, "run").code == 0
    (project / "models" / "t.sql").write_text(SLOW)
    return project


def _interrupt(project, *signals: int) -> tuple[int, str, float]:
    """Start ``fusion run``, send ``signals`` once the slow build runs; (exit code, output, seconds
    from the first signal to the exit)."""
    proc = start_fusion(project, "run")
    compiled = project / "target" / "compiled" / "proj" / "models" / "t.sql"
    watchdog = threading.Timer(30, proc.kill)  # a hung fusion fails the test instead of hanging it
    watchdog.start()
    try:
        assert wait_until(lambda: compiled.is_file() and "range(1000000)" in compiled.read_text())
        time.sleep(1.0)  # the build's statement is now running
        assert proc.poll() is None, proc.communicate()
        sent, seen = time.monotonic(), ""
        for index, signum in enumerate(signals):
            proc.send_signal(signum)
            while index < len(signals) - 1:  # the next one must arrive as a second signal
                line = proc.stderr.readline()
                seen += line
                if not line or "received" in line:
                    break
        try:
            out, err = proc.communicate(timeout=10)
            err = seen + err
        except subprocess.TimeoutExpired:
            pytest.fail("fusion was still running 10 s after the signal")
        return proc.returncode, out + err, time.monotonic() - sent
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()


def _run_results(project) -> dict:
    document = json.loads((project / "target" / "run_results.json").read_text())
    jsonschema.Draft202012Validator(json.loads((SCHEMAS / "run-results" / "v6.json").read_text())).validate(document)
    return {r["unique_id"]: r for r in document["results"]}


def _relations(db) -> list[str]:
    return [name for (name,) in query(db, "select table_name from information_schema.tables order by 1")]


def test_sigint_cancels_the_running_build_and_keeps_the_previous_table(rebuilding):
    code, output, seconds = _interrupt(rebuilding, signal.SIGINT)
    assert code == 130, output
    assert seconds < 3, output
    assert "Traceback" not in output
    db = rebuilding / "db.duckdb"
    assert query(db, "select id from main.t") == [(1,)]
    assert query(db, "select id from main.child") == [(1,)]
    assert _relations(db) == ["child", "t"]  # no __dbt_tmp / __dbt_backup left behind
    results = _run_results(rebuilding)
    assert results["model.proj.t"]["status"] == "error"
    assert "interrupted" in results["model.proj.t"]["message"].lower()
    assert results["model.proj.child"]["status"] == "skipped"
    assert "interrupted" in results["model.proj.child"]["message"].lower()


def test_sigterm_then_a_second_signal_exits_without_a_traceback(rebuilding):
    code, output, seconds = _interrupt(rebuilding, signal.SIGTERM, signal.SIGINT)
    assert code == 143, output  # 128 + SIGTERM, as a shell reports a process it ended
    assert seconds < 3, output
    assert "Traceback" not in output
    db = rebuilding / "db.duckdb"
    assert query(db, "select id from main.t") == [(1,)]
    assert _relations(db) == ["child", "t"]


def test_a_signal_ignored_by_the_parent_stays_ignored_and_handlers_are_restored():
    from fusion.interrupt import Interrupt

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell starts a background job
    try:
        term = signal.getsignal(signal.SIGTERM)
        with Interrupt(list):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not term
        assert signal.getsignal(signal.SIGTERM) is term
    finally:
        signal.signal(signal.SIGINT, previous)


HANGING_CANCEL = """
import threading, time
from fusion.interrupt import Interrupt

def cancel():
    print("cancelling", flush=True)
    threading.Event().wait()  # a cancel request that never returns (an unreachable server)

with Interrupt(cancel) as interrupt, interrupt.deferred():
    print("ready", flush=True)
    time.sleep(30)
"""


def test_a_second_signal_exits_at_once_even_while_a_cancel_hangs():
    proc = subprocess.Popen([sys.executable, "-c", HANGING_CANCEL], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline() == "cancelling\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=5)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130
    assert "SIGINT again: exiting now" in out + err
    assert "Traceback" not in out + err
