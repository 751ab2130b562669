"""The console: a live progress bar on a terminal (captured with tmux) that leaves nothing behind,
plain lines when piped, and a closing recap of what needs attention before dbt's Done line."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from conftest import query, run_fusion, wait_until, write_project

HEAVY = "{{ config(materialized='table') }}select sum(r.range) as s from range(250000000) r\n"
BAR = re.compile(r"running heavy_\d.*━.* \d/3 \d:\d\d:\d\d")


def _capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def test_a_terminal_shows_a_live_progress_bar_that_disappears(tmp_path):
    project = write_project(tmp_path / "proj", {"models/heavy_1.sql": HEAVY, "models/heavy_2.sql": HEAVY,
                                                "models/light.sql": "select 1 as x\n"},
                            profile_path=str(tmp_path / "db.duckdb"))
    done = tmp_path / "done"
    session = f"fusion-progress-{os.getpid()}"
    command = (f"cd {shlex.quote(str(project))} && {shlex.quote(sys.executable)} -m fusion run --threads 1; "
               f"touch {shlex.quote(str(done))}; sleep 60")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30", command], check=True, env=env)
    try:
        captures: list[str] = []
        assert wait_until(lambda: captures.append(_capture(session)) or BAR.search(captures[-1]), 60), captures[-1]
        assert wait_until(done.exists, 120)
        final = _capture(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert "Done. PASS=3 WARN=0 ERROR=0 SKIP=0" in final
    assert "━" not in final and not BAR.search(final)  # the bar went away; the log lines stay
    assert final.count("OK created sql") == 3


FAILING = {
    "seeds/people.csv": "id,name\n1,a\n2,b\n2,c\n",
    "models/broken.sql": "select * from no_such_table\n",
    "models/child.sql": "select * from {{ ref('broken') }}\n",
    "models/ok.sql": "select * from {{ ref('people') }}\n",
    "models/schema.yml": "models:\n  - name: ok\n    columns:\n      - name: id\n        data_tests:\n"
                         "          - unique: {config: {store_failures: true}}\n      - name: name\n"
                         "        data_tests:\n          - accepted_values:\n"
                         "              arguments: {values: [a, b]}\n              config: {severity: warn}\n",
}


def test_piped_output_is_plain_and_ends_with_a_recap_of_what_needs_attention(tmp_path):
    db = tmp_path / "db.duckdb"
    project = write_project(tmp_path / "proj", FAILING, profile_path=str(db))
    result = run_fusion(project, "build")
    assert result.code == 1
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result.output)  # no colours, no cursor moves, no \r
    lines = result.stdout.splitlines()
    recap = lines[lines.index("Completed with 2 errors, 0 partial successes, and 1 warning:"):]
    text = "\n".join(recap)
    assert "[ERROR]: in model broken (models/broken.sql)" in text and "no_such_table" in text
    assert "  compiled code at target/compiled/proj/models/broken.sql" in text
    assert "[ERROR]: in test unique_ok_id (models/schema.yml)\n  Got 1 result, configured to fail if != 0" in text
    assert "  compiled code at target/compiled/proj/models/schema.yml/unique_ok_id.sql" in text
    (audit,) = re.findall(r"^  (select \* from .*unique_ok_id.*)$", text, re.M)
    assert query(db, audit) == [(2, 2)]  # the query shown reads the stored failures
    assert "[WARNING]: in test accepted_values_ok_name__a__b (models/schema.yml)" in text
    assert "child" not in text and "people" not in text  # skipped and passing nodes need no attention
    assert recap[-1] == "Done. PASS=2 WARN=1 ERROR=2 SKIP=1 NO-OP=0 REUSED=0 TOTAL=6"
    assert "\n\n" + "\n".join(lines[-1:]) in result.stdout  # a blank line before the Done line, as dbt


def test_colours_mark_the_status_word_and_the_verdict():
    from fusion.console import styled
    from fusion.events import Event

    verdict = styled(Event("EndOfRunSummary", "Completed successfully", data={"num_errors": 0, "num_warnings": 0}))
    assert [span.style for span in verdict.spans] == ["green"]
    line = styled(Event("LogModelResult", "1 of 1 ERROR creating sql view model main.x ... [ERROR in 0.1s]"))
    assert [(line.plain[s.start:s.end], s.style) for s in line.spans] == [("ERROR", "red")]
