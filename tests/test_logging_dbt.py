"""Logs as dbt writes them: logs/dbt.log (text lines, debug level), --log-path, --log-level(-file),
--log-format(-file) json with dbt's envelope, read as tools that read dbt's logs (Dagster, Cosmos) do."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import run_fusion, write_project

FILES = {
    "seeds/people.csv": "id,name\n1,a\n2,b\n",
    "models/people_view.sql": "select * from {{ ref('people') }}\n",
    "models/schema.yml": "models:\n  - name: people_view\n    columns:\n      - name: id\n"
                         "        data_tests: [not_null]\n",
}

#: the keys of dbt Core 1.12's envelope (``dbt --log-format json build``)
DBT_INFO_KEYS = {"category", "code", "extra", "invocation_id", "level", "msg", "name", "pid", "thread", "ts"}
#: node_info keys as dbt has them; Fusion leaves out node_relation (its database may name a secret file)
NODE_INFO_KEYS = {"materialized", "meta", "node_checksum", "node_finished_at", "node_name", "node_path",
                  "node_started_at", "node_status", "resource_type", "unique_id"}
#: (name, code) of the events dbt emits for these lines, checked against dbt Core 1.12.6's output
DBT_CODES = {"LogStartLine": "Q011", "LogSeedResult": "Q016", "LogModelResult": "Q012", "LogTestResult": "Q007",
             "ConcurrencyLine": "Q027", "FinishedRunningStats": "E047", "EndOfRunSummary": "Z030",
             "StatsLine": "Z023", "NodeStart": "Q024", "NodeFinished": "Q025", "CommandCompleted": "Q039"}
#: each event's data keys in dbt Core 1.12.6's ``--log-format json build`` of jaffle_shop
DBT_DATA_KEYS = {
    "ConcurrencyLine": {"num_threads", "node_count", "target_name"},
    "LogStartLine": {"total", "node_info", "index", "description"},
    "LogSeedResult": {"node_info", "schema", "relation", "total", "index", "result_message", "execution_time",
                      "status"},
    "LogModelResult": {"node_info", "description", "total", "index", "execution_time", "status"},
    "LogTestResult": {"num_failures", "node_info", "name", "num_models", "index", "execution_time", "status",
                      "attached_node"},
    "FinishedRunningStats": {"execution", "stat_line", "execution_time"},
    "EndOfRunSummary": {"num_partial_success", "num_warnings", "keyboard_interrupt", "num_errors"},
    "StatsLine": {"stats"},
}
TEXT_LINE = re.compile(r"^(\x1b\[0m)?\d\d:\d\d:\d\d\.\d{6} \[(debug|info |warn |error)\] \[[^\]]{1,10}\]: ")


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "proj", FILES, profile_path=str(tmp_path / "db.duckdb"))


def _records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_dbt_log_in_the_project_holds_debug_text_lines_per_invocation(project):
    assert run_fusion(project, "build").code == 0
    assert run_fusion(project, "run").code == 0
    log = (project / "logs" / "dbt.log").read_text()
    headers = re.findall(r"^={30} \d\d:\d\d:\d\d\.\d{6} \| ([0-9a-f-]{36}) ={30}$", log, re.M)
    assert len(set(headers)) == 2  # one per invocation, appended
    lines = [line for line in log.splitlines() if line and not line.startswith("=")]
    assert sum(bool(TEXT_LINE.match(line)) for line in lines) > 10
    assert all(TEXT_LINE.match(line) for line in lines if line.startswith("\x1b"))
    assert re.search(r"\[debug\] \[[^\]]+\]: Began running node model\.proj\.people_view$", log, re.M)
    assert re.search(r"\[info \] \[[^\]]+\]: \d of 3 OK created sql view model main\.people_view \.+ \[OK in", log)
    assert re.search(r"\[info \] \[MainThread\]: Done\. PASS=3 WARN=0 ERROR=0 SKIP=0 NO-OP=0 REUSED=0 TOTAL=3$",
                     log, re.M)


def test_log_path_flag_env_and_levels(project, tmp_path):
    env = {**os.environ, "DBT_LOG_PATH": str(tmp_path / "dbt_env"), "FUSION_LOG_PATH": str(tmp_path / "fusion_env")}
    assert run_fusion(project, "parse", env=env).code == 0
    assert (tmp_path / "fusion_env" / "dbt.log").is_file() and not (tmp_path / "dbt_env").exists()
    assert run_fusion(project, "parse", "--log-path", str(tmp_path / "flag"), env=env).code == 0
    assert (tmp_path / "flag" / "dbt.log").is_file()
    assert run_fusion(project, "parse", "--log-level-file", "none").code == 0
    assert not (project / "logs").exists()
    assert run_fusion(project, "parse", "--log-level-file", "info", "--no-use-colors-file").code == 0
    log = (project / "logs" / "dbt.log").read_text()
    assert "[info ]" in log and "[debug]" not in log and "\x1b" not in log


def test_console_level(project):
    warned = run_fusion(project, "build", "--log-level", "warn")
    assert warned.code == 0 and warned.output == ""
    debug = run_fusion(project, "build", "--debug")
    assert "Began running node model.proj.people_view" in debug.output


def test_json_lines_read_as_tools_read_dbt_logs(project):
    result = run_fusion(project, "build", "--log-format", "json")
    assert result.code == 0, result.output
    records = _records(result.stdout)
    assert records and all(set(r) == {"info", "data"} and set(r["info"]) == DBT_INFO_KEYS for r in records)
    assert len({r["info"]["invocation_id"] for r in records}) == 1
    assert {r["info"]["level"] for r in records} <= {"info", "warn", "error"}  # debug events stay in the file
    for record in records:
        name = record["info"]["name"]
        if name in DBT_CODES:
            assert record["info"]["code"] == DBT_CODES[name], name
        if name in DBT_DATA_KEYS:
            assert set(record["data"]) == DBT_DATA_KEYS[name], name
    assert {r["info"]["name"] for r in records} >= set(DBT_DATA_KEYS)
    # what Dagster and Cosmos read: the node events' node_info, the result's status
    done = {r["data"]["node_info"]["unique_id"]: r for r in records
            if r["info"]["name"] in ("LogSeedResult", "LogModelResult", "LogTestResult")}
    assert len(done) == 3
    for record in done.values():
        node_info = record["data"]["node_info"]
        assert set(node_info) == NODE_INFO_KEYS
        assert node_info["node_status"] in ("success", "pass") and node_info["node_finished_at"]
    model = done["model.proj.people_view"]["data"]["node_info"]
    assert (model["resource_type"], model["materialized"], model["node_path"]) == ("model", "view", "people_view.sql")
    test = next(r for r in done.values() if r["info"]["name"] == "LogTestResult")["data"]
    assert (test["status"], test["num_failures"], test["attached_node"]) == ("pass", 0, "model.proj.people_view")
    (stats,) = [r["data"]["stats"] for r in records if r["info"]["name"] == "StatsLine"]
    assert stats == {"error": 0, "noop": 0, "pass": 3, "reused": 0, "skip": 0, "total": 3, "warn": 0}


def test_json_log_file_keeps_debug_node_events(project):
    assert run_fusion(project, "seed", "--log-format-file", "json").code == 0
    records = _records((project / "logs" / "dbt.log").read_text())
    finished = [r for r in records if r["info"]["name"] == "NodeFinished"]
    assert [(r["info"]["code"], r["info"]["level"]) for r in finished] == [("Q025", "debug")]
    assert finished[0]["data"]["run_result"]["status"] == "success"
    assert records[-1]["info"]["name"] == "CommandCompleted"


def test_the_file_follows_the_console_unless_told_otherwise(project):
    assert run_fusion(project, "--log-format", "json", "parse").code == 0
    assert _records((project / "logs" / "dbt.log").read_text())[0]["info"]["name"] == "MainReportVersion"
    assert run_fusion(project, "parse", "--log-format", "json", "--log-format-file", "text").code == 0
    assert TEXT_LINE.match((project / "logs" / "dbt.log").read_text().splitlines()[-1])


def test_secret_values_stay_out_of_every_log(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "{{ log('key is hunter2-s3cret', info=True) }}"
                                                       "{{ print('hunter2-s3cret') }}select 1 as x\n"},
                            profile_path=str(tmp_path / "db.duckdb"))
    env = {**os.environ, "DBT_ENV_SECRET_KEY": "hunter2-s3cret"}  # a value a project might echo
    for args in (["run"], ["run", "--log-format", "json"]):
        result = run_fusion(project, *args, env=env)
        assert result.code == 0 and "key is *****" in result.stdout
        assert "hunter2" not in result.output + (project / "logs" / "dbt.log").read_text()
