"""dbt's flags: global ones before or after the subcommand, -h, the DBT_* variables and their
FUSION_* twins (flag > FUSION_ > DBT_), --warn-error(-options), --fail-fast, --quiet, --print, colours."""

from __future__ import annotations

import json
import os

import pytest
from conftest import run_fusion, write_project

TWO_TARGETS = ("proj:\n  target: dev\n  outputs:\n"
               "    dev: {{type: duckdb, path: '{db}', schema: main, threads: 1}}\n"
               "    prod: {{type: duckdb, path: '{db}', schema: prod, threads: 1}}\n"
               "    ci: {{type: duckdb, path: '{db}', schema: ci, threads: 1}}\n")
MODEL = {"models/m.sql": "{{ print('printed by m') }}{{ log('logged by m', info=True) }}select 1 as id\n"}


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "proj", {**MODEL, "profiles.yml": TWO_TARGETS.format(db=tmp_path / "db.duckdb")})


def _env(**values: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "FUSION_"))}
    return {**clean, **values}


def test_global_flags_before_the_subcommand_and_help(project):
    before = run_fusion(project, "--log-format", "json", "run")
    assert before.code == 0 and all(json.loads(line)["info"] for line in before.stdout.splitlines())
    quiet = run_fusion(project, "-q", "run")
    assert quiet.code == 0 and quiet.output == "printed by m\n"  # print() stays, as in dbt
    after_wins = run_fusion(project, "--log-format", "json", "run", "--log-format", "text")
    assert "Done. PASS=1" in after_wins.stdout and not after_wins.stdout.startswith("{")
    for args in (["-h"], ["run", "-h"]):
        helped = run_fusion(project, *args)
        assert helped.code == 0 and "Usage: python -m fusion" in helped.stdout


def test_environment_variables_flag_beats_fusion_beats_dbt(project):
    def target(*args, **env):
        out = run_fusion(project, "run", *args, env=_env(**env)).output
        return out.split("target='")[1].split("'")[0]

    assert target() == "dev"
    assert target(DBT_TARGET="prod") == "prod"
    assert target(DBT_TARGET="prod", FUSION_TARGET="ci") == "ci"
    assert target("--target", "dev", DBT_TARGET="prod", FUSION_TARGET="ci") == "dev"
    assert run_fusion(project, "run", env=_env(DBT_QUIET="1")).output == "printed by m\n"
    assert json.loads(run_fusion(project, "run", env=_env(DBT_LOG_FORMAT="json")).stdout.splitlines()[0])["info"]
    moved = run_fusion(project, "run", env=_env(DBT_TARGET_PATH="elsewhere"))
    assert moved.code == 0 and (project / "elsewhere" / "run_results.json").is_file()


def test_print_flag(project):
    shown = run_fusion(project, "run").output
    assert "printed by m" in shown and "logged by m" in shown
    hidden = run_fusion(project, "run", "--no-print")
    assert "printed by m" not in hidden.output and "logged by m" not in hidden.output
    assert "printed by m" in (project / "logs" / "dbt.log").read_text().split("=" * 30)[-1]  # still logged
    assert "printed by m" not in run_fusion(project, "run", env=_env(DBT_PRINT="false")).output


def test_warn_error_turns_warnings_into_errors(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "select 1 as id\n", "models/s.yml": "colums: []\n"},
                            profile_path=str(tmp_path / "db.duckdb"))
    warned = run_fusion(project, "parse", "--no-partial-parse")
    assert warned.code == 0 and "ignoring unknown top-level key 'colums'" in warned.output
    for args, env in ((["--warn-error"], {}), ([], {"DBT_WARN_ERROR": "true"}),
                      (["--warn-error-options", '{"error": ["UnknownYamlKey"]}'], {}),
                      (["--warn-error-options", '{"include": "all"}'], {})):
        failed = run_fusion(project, *args, "parse", "--no-partial-parse", env=_env(**env))
        assert failed.code == 2, (args, env, failed.output)
        assert failed.stderr.startswith("Error: models/s.yml: ignoring unknown top-level key 'colums'")
    excluded = run_fusion(project, "parse", "--no-partial-parse", "--warn-error-options",
                          '{"error": "all", "warn": ["UnknownYamlKey"]}')
    assert excluded.code == 0 and "colums" in excluded.output
    silenced = run_fusion(project, "parse", "--no-partial-parse", "--warn-error-options",
                          '{"silence": ["UnknownYamlKey"]}')
    assert silenced.code == 0 and "colums" not in silenced.output


WARNING_TEST = {
    "models/m.sql": "select 1 as id union all select 1\n",
    "models/s.yml": "models:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n"
                    "          - unique: {config: {severity: warn}}\n",
}


def test_warn_error_fails_a_warning_test(tmp_path):
    project = write_project(tmp_path, WARNING_TEST, profile_path=str(tmp_path / "db.duckdb"))
    warned = run_fusion(project, "build")
    assert warned.code == 0 and "WARN 1 unique_m_id" in warned.output
    failed = run_fusion(project, "build", "--warn-error")
    assert failed.code == 1 and "FAIL 1 unique_m_id" in failed.output
    assert "Got 1 result, configured to fail if != 0" in failed.output
    by_name = run_fusion(project, "build", "--warn-error-options", '{"error": ["LogTestResult"]}')
    assert by_name.code == 1 and "FAIL 1 unique_m_id" in by_name.output


def test_fail_fast_stops_at_a_failing_test(tmp_path):
    project = write_project(tmp_path, {
        "models/m.sql": "select null as a, null as b\n",
        "models/s.yml": "models:\n  - name: m\n    columns:\n      - name: a\n        data_tests: [not_null]\n"
                        "      - name: b\n        data_tests: [not_null]\n",
        "profiles.yml": f"proj:\n  target: dev\n  outputs:\n    dev: {{type: duckdb, path: '{tmp_path / 'db.duckdb'}',"
                        " schema: main, threads: 1}\n"}, profile_path="")
    assert run_fusion(project, "run").code == 0
    both = run_fusion(project, "test")
    assert both.code == 1 and "ERROR=2" in both.output
    fast = run_fusion(project, "-x", "test")
    assert fast.code == 1 and "Done. PASS=0 WARN=0 ERROR=1 SKIP=1" in fast.output
    assert "Done. PASS=0 WARN=0 ERROR=1 SKIP=1" in run_fusion(project, "test", env=_env(DBT_FAIL_FAST="1")).output


def test_colours_only_when_asked_or_on_a_terminal(project):
    piped = run_fusion(project, "run")
    assert "\x1b" not in piped.output and "\r" not in piped.output
    forced = run_fusion(project, "run", "--use-colors")
    assert "\x1b[32mOK\x1b[0m" in forced.stdout
    assert "\x1b" not in run_fusion(project, "--no-use-colors", "run").output
