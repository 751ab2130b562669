"""Hostile or malformed input: one `Error:` paragraph naming the file, exit non-zero, no traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import pytest
from conftest import CliResult, run_fusion, write_project

GOOD_MODEL = "select 1 as id\n"


def _fails_clearly(result, *needles: str) -> None:
    assert result.code != 0
    assert "Traceback" not in result.output, result.output
    assert "Error:" in result.output, result.output
    for needle in needles:
        assert needle in result.output, result.output


def _alias_bomb(indent: str) -> str:
    """Nine levels of nine aliases: 9**9 leaves once expanded."""
    lines = [f"{indent}l0: &l0 [lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"{indent}l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_in_meta_is_refused_quickly(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": GOOD_MODEL,
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    config:\n      meta:\n" + _alias_bomb("        "),
    })
    start = time.perf_counter()
    result = run_fusion(project, "parse")
    _fails_clearly(result, "models/schema.yml", "aliases")
    assert time.perf_counter() - start < 30
    assert not (project / "target" / "manifest.json").exists()


@pytest.mark.parametrize("name", ["dbt_project.yml", "profiles.yml"])
def test_yaml_alias_bomb_in_project_files_is_refused(tmp_path, name):
    base = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    path = base / name
    path.write_text(path.read_text() + "bomb:\n" + _alias_bomb("  "))
    _fails_clearly(run_fusion(base, "run"), name, "aliases")


def test_deeply_nested_yaml_is_refused(tmp_path):
    project = write_project(tmp_path, {
        "models/a.sql": GOOD_MODEL,
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    config:\n      meta: "
                             + "[" * 300 + "]" * 300 + "\n",
    })
    _fails_clearly(run_fusion(project, "parse"), "models/schema.yml", "nested")


def test_models_as_a_list_in_dbt_project_yml(tmp_path):
    project = write_project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nmodels:\n  - proj\n",
        "models/a.sql": GOOD_MODEL,
    })
    _fails_clearly(run_fusion(project, "parse"), "dbt_project.yml:3", "`models`", "mapping")


@pytest.mark.parametrize(("line", "key"), [
    ("vars: [1, 2]", "`vars`"),
    ("quoting: yes", "`quoting`"),
    ("dispatch: {macro_namespace: x}", "`dispatch`"),
    ("target-path: [a, b]", "`target-path`"),
    ("profile: [a]", "`profile`"),
])
def test_wrong_types_in_dbt_project_yml(tmp_path, line, key):
    project = write_project(tmp_path, {
        "dbt_project.yml": f"name: proj\nprofile: proj\n{line}\n",
        "models/a.sql": GOOD_MODEL,
    })
    _fails_clearly(run_fusion(project, "parse"), "dbt_project.yml:3", key)


def test_outputs_as_a_list_in_profiles_yml(tmp_path):
    project = write_project(tmp_path, {
        "profiles.yml": "proj:\n  target: dev\n  outputs:\n    - type: duckdb\n",
        "models/a.sql": GOOD_MODEL,
    })
    _fails_clearly(run_fusion(project, "run"), "profiles.yml:3", "`proj.outputs` must be a mapping")


@pytest.mark.parametrize(("text", "needle"), [
    ("proj: [1]\n", "profiles.yml:1: `proj` must be a mapping"),
    ("proj:\n  target: dev\n  outputs:\n    dev: [duckdb]\n", "profiles.yml:4: `proj.outputs.dev` must be"),
    ("proj:\n  target: [dev]\n  outputs:\n    dev: {type: duckdb}\n", "profiles.yml:2: `proj.target` must"),
    ("proj:\n  target: dev\n  outputs:\n    dev: {type: duckdb, threads: many}\n", "`proj.outputs.dev.threads`"),
    ("proj:\n  target: dev\n  outputs:\n    dev: {type: duckdb, schema: [a, b]}\n", "`proj.outputs.dev.schema`"),
])
def test_wrong_shapes_in_profiles_yml(tmp_path, text, needle):
    project = write_project(tmp_path, {"profiles.yml": text, "models/a.sql": GOOD_MODEL})
    result = run_fusion(project, "run")
    _fails_clearly(result, "profiles.yml", needle)
    assert "duckdb" not in result.output  # profiles.yml values may be secrets: errors never quote them


def test_macro_that_recurses_forever(tmp_path):
    project = write_project(tmp_path, {
        "macros/loop.sql": "{% macro forever(n) %}{{ forever(n + 1) }}{% endmacro %}\n",
        "models/a.sql": "select {{ forever(0) }} as id\n",
    })
    _fails_clearly(run_fusion(project, "parse"), "models/a.sql", "forever", "recursion")


@pytest.mark.parametrize("rel", ["models/a.sql", "seeds/s.csv", "models/schema.yml", "macros/m.sql"])
def test_file_that_is_not_utf8(tmp_path, rel):
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"id\n-- caf\xe9\n")
    _fails_clearly(run_fusion(project, "parse"), f"{rel}:2:", "not UTF-8", "byte 9 (0xe9)")


@pytest.mark.parametrize("value", ["{a: [1, 2", "[1, 2]", "a: b: c"])
def test_malformed_vars(tmp_path, value):
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    _fails_clearly(run_fusion(project, "parse", "--vars", value), "--vars")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_target_folder_keeps_previous_artifacts(tmp_path):
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    assert run_fusion(project, "parse").code == 0
    target = project / "target"
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    (project / "models" / "b.sql").write_text(GOOD_MODEL)
    target.chmod(0o555)
    try:
        result = run_fusion(project, "parse")
    finally:
        target.chmod(0o755)
    _fails_clearly(result, "target", "could not write")
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before


def test_full_disk_keeps_previous_artifacts_and_leaves_no_temp_files(tmp_path):
    """A file-size limit makes every write past 1 kB fail as a full disk would."""
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    assert run_fusion(project, "compile").code == 0
    target = project / "target"
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    (project / "models" / "b.sql").write_text(GOOD_MODEL + "-- " + "x" * 4000 + "\n")

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    proc = subprocess.run([sys.executable, "-m", "fusion", "compile"], cwd=project, capture_output=True,
                          text=True, preexec_fn=limit_file_size, timeout=300)
    _fails_clearly(CliResult(proc.returncode, proc.stdout, proc.stderr), "could not write")
    after = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize(("files", "where"), [
    ({"dbt_project.yml": "name: proj\nprofile: proj\nmodels:\n  +schema: [5]\n"}, "dbt_project.yml:4: `models.+schema`"),
    ({"dbt_project.yml": "name: proj\nprofile: proj\nmodels:\n  proj:\n    +contract: 5\n"},
     "dbt_project.yml:5: `models.proj.+contract` must be a mapping"),
    ({"models/s.yml": "version: 2\nmodels:\n  - name: a\n    config:\n      materialized: 5\n"},
     "models/s.yml:5: `models[0].config.materialized` must be a string"),
    ({"models/a.sql": "select 1 as id\n{{ config(tags={'a': 1}) }}\n"}, "models/a.sql:2: `config.tags`"),
])
def test_config_values_of_the_wrong_shape(tmp_path, files, where):
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL, **files})
    _fails_clearly(run_fusion(project, "parse"), where)


@pytest.mark.parametrize(("sql", "message"), [
    ("select {{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ("select {{ source('only_one') }}", "TypeError"),
])
def test_python_error_inside_a_template_names_the_line(tmp_path, sql, message):
    project = write_project(tmp_path, {"models/a.sql": "-- first\n" + sql + "\n"})
    _fails_clearly(run_fusion(project, "parse"), "models/a.sql:2", message)


def test_an_internal_error_is_one_paragraph_without_traceback(tmp_path, monkeypatch):
    """The last resort for bugs in Fusion itself (here: a task that raises)."""
    import fusion.tasks
    from click.testing import CliRunner
    from fusion.cli import cli

    def broken(inv):
        raise RuntimeError("boom")

    monkeypatch.setattr(fusion.tasks, "parse_task", broken)
    project = write_project(tmp_path, {"models/a.sql": GOOD_MODEL})
    result = CliRunner().invoke(cli, ["parse", "--project-dir", str(project)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Error: internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("mode", "code"), [("on", 1), ("off", 0)])
def test_static_analysis_on_and_off_unquoted(tmp_path, mode, code):
    """YAML 1.1 reads unquoted on/off as true/false: they still mean strict (on) and off."""
    project = write_project(tmp_path, {
        "dbt_project.yml": f"name: proj\nprofile: proj\nmodels:\n  +static_analysis: {mode}\n",
        "models/a.sql": GOOD_MODEL,
        "models/b.sql": "select no_such_column from {{ ref('a') }}\n",
    })
    result = run_fusion(project, "compile")
    assert result.code == code, result.output
    assert ("no_such_column" in result.output) == (mode == "on")
