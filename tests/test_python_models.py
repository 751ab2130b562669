"""Python models run locally on DuckDB and PostgreSQL, with the results dbt Core + dbt-duckdb give.

tests/fixtures/python_models has pandas, polars and pyarrow models, a `ref` and a `source`
input, an incremental model and a failing one; tests/expected/python_models/duckdb.json holds
the tables dbt Core 1.12.6 + dbt-duckdb 1.11.1 built from it (seed, build, one more CSV row,
seed, build: see tests/expected/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import REPO, run_fusion, write_project
from fusion.errors import ProjectError
from fusion.materializations import python_child
from fusion.parse.python_models import inspect_python_model

FIXTURE = REPO / "tests" / "fixtures" / "python_models"
EXPECTED = json.loads((REPO / "tests" / "expected" / "python_models" / "duckdb.json").read_text())


def _fixture_files() -> dict[str, str]:
    return {str(p.relative_to(FIXTURE)): p.read_text() for p in FIXTURE.rglob("*") if p.is_file()}


def _results(project: Path) -> dict[str, dict]:
    data = json.loads((project / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r for r in data["results"]}


def test_python_models_build_as_dbt_duckdb_builds_them(warehouse, tmp_path):
    project = warehouse.project(tmp_path / "p", _fixture_files())
    for step in range(2):
        if step:  # a new order: the incremental model appends it only
            with (project / "seeds" / "raw_orders.csv").open("a") as csv:
                csv.write("5,dave,3.0,paid\n")
        assert run_fusion(project, "seed").code == 0
        result = run_fusion(project, "build")
        assert result.code == 1, result.output  # the failing model
        assert "Traceback" not in result.output
        assert "models/failing.py:4: Python model failed: ValueError: 4 orders, refusing to build" in result.output \
            or "models/failing.py:4: Python model failed: ValueError: 5 orders" in result.output, result.output
        statuses = {uid: r["status"] for uid, r in _results(project).items()}
        assert statuses.pop("model.pyproj.failing") == "error"
        assert set(statuses.values()) <= {"success", "pass"}, statuses
    for name, expected in EXPECTED.items():
        assert [list(r) for r in warehouse.query(f'select * from main."{name}" order by 1')] == expected["rows"], name
        if warehouse.name == "duckdb":  # the same column types as dbt-duckdb's
            columns = warehouse.query("select column_name, data_type from information_schema.columns "
                                      f"where table_name = '{name}' order by ordinal_position")
            assert [list(c) for c in columns] == expected["columns"], name
    leftovers = warehouse.query("select table_name from information_schema.tables where table_name like '%dbt_tmp%'")
    assert leftovers == []


def test_python_models_appear_in_the_manifest_as_dbt_writes_them(tmp_path):
    project = write_project(tmp_path, _fixture_files())
    assert run_fusion(project, "compile", "-s", "customer_totals").code == 0
    node = json.loads((project / "target" / "manifest.json").read_text())["nodes"]["model.pyproj.customer_totals"]
    assert (node["language"], node["config"]["materialized"], node["path"]) == ("python", "table", "customer_totals.py")
    assert node["depends_on"]["nodes"] == ["model.pyproj.stg_orders"]
    assert node["compiled_code"].startswith(node["raw_code"])
    assert "dbt.ref('stg_orders') -> \"db\".\"main\".\"stg_orders\"" in node["compiled_code"]
    assert (project / "target" / "compiled" / "pyproj" / "models" / "customer_totals.py").is_file()


def _one_model(tmp_path: Path, code: str, **files: str) -> Path:
    return write_project(tmp_path, {"models/src.sql": "select 1 as id union all select 2\n",
                                    "models/py.py": code, **files})


def test_a_killed_or_crashed_python_model_leaves_the_previous_table(tmp_path):
    from conftest import query

    good = "def model(dbt, session):\n    return dbt.ref('src').df()\n"
    project = _one_model(tmp_path, good)
    assert run_fusion(project, "build").code == 0
    slow = ("import time\n\ndef model(dbt, session):\n    dbt.config(timeout=1)\n    time.sleep(60)\n"
            "    return dbt.ref('src').df()\n")
    (project / "models" / "py.py").write_text(slow)
    result = run_fusion(project, "run", "-s", "py")
    assert result.code == 1 and "longer than its timeout (1 s)" in result.output, result.output
    crash = "import os\n\ndef model(dbt, session):\n    os._exit(9)\n    return None\n"
    (project / "models" / "py.py").write_text(crash)
    result = run_fusion(project, "run", "-s", "py")
    assert result.code == 1 and "exit code 9" in result.output, result.output
    assert query(project / "db.duckdb", "select id from py order by id") == [(1,), (2,)]
    assert query(project / "db.duckdb", "select table_name from information_schema.tables "
                                        "where table_name like 'py_%'") == []


def test_sigterm_stops_a_running_python_model_and_keeps_the_previous_table(tmp_path):
    import signal
    import time

    from conftest import query, start_fusion, wait_until

    project = _one_model(tmp_path, "def model(dbt, session):\n    return dbt.ref('src').df()\n")
    assert run_fusion(project, "build").code == 0
    (project / "models" / "py.py").write_text(
        "import time\nfrom pathlib import Path\n\ndef model(dbt, session):\n    Path('STARTED').touch()\n"
        "    time.sleep(60)\n    return dbt.ref('src').df()\n")
    proc = start_fusion(project, "run", "-s", "py")
    assert wait_until(lambda: (project / "STARTED").exists(), 30)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143 and time.monotonic() - started < 10, stderr
    assert query(project / "db.duckdb", "select id from py order by id") == [(1,), (2,)]


def test_a_project_policy_can_turn_python_models_off(tmp_path):
    code = ("from pathlib import Path\n\ndef model(dbt, session):\n    Path('RAN').touch()\n"
            "    return dbt.ref('src').df()\n")
    project = _one_model(tmp_path, code, **{".fusion/policy.toml": "allow_python_models = false\n"})
    result = run_fusion(project, "build")
    assert result.code == 1 and "turned off by policy" in result.output and "models/py.py" in result.output
    assert not (project / "RAN").exists()


@pytest.mark.parametrize(("code", "line", "text"), [
    ("x = 1\n", None, "exactly one `def model(dbt, session)`, found 0"),
    ("def model(dbt, session):\n    return 1\n\ndef model(dbt, session):\n    return 2\n", 4, "found 2"),
    ("def model(session):\n    return 1\n", 1, "two arguments"),
    ("def model(dbt, session):\n    df = 1\n", 2, "must end with `return"),
    ("def model(dbt, session):\n    return dbt.ref('a'), dbt.ref('b')\n", 2, "must end with `return"),
    ("def model(dbt, session):\n    name = 'a'\n    return dbt.ref(name)\n", 3, "must be literals"),
    ("def model(dbt, session):\n    return dbt.config.get()\n", 2, "takes a key"),
])
def test_bad_python_models_name_the_file_and_line(code, line, text):
    with pytest.raises(ProjectError) as raised:
        inspect_python_model(code, "models/m.py")
    assert text in raised.value.message and raised.value.path == "models/m.py" and raised.value.line == line


def test_parse_reads_config_get_and_this_without_running():
    model = inspect_python_model(
        "import pandas as pd\nfrom polars import col\n\ndef model(dbt, session):\n"
        "    dbt.config(materialized='incremental')\n    key = dbt.config.get('unique_key', 'id')\n"
        "    return pd.DataFrame(dbt.ref('pkg', 'a', v=2).df()).query(f'x > {dbt.this}')\n", "models/m.py")
    assert model.capture.config == {"materialized": "incremental"}
    assert model.config_keys == {"unique_key": "id"}
    assert model.reads_this
    assert [(r.package, r.name, r.version) for r in model.capture.refs] == [("pkg", "a", 2)]


def test_without_duckdb_refs_offer_the_methods_dbt_duckdb_models_call():
    table = pa.table({"id": [1, 2], "name": pa.array(["a", "b"], pa.large_string())})
    relation = python_child.ArrowRelation('"db"."main"."t"', table)
    assert str(relation) == '"db"."main"."t"' and relation.columns == ["id", "name"]
    assert relation.fetchall() == [(1, "a"), (2, "b")] and relation.fetchone() == (1, "a")
    assert relation.arrow().read_all() == table and relation.to_arrow_table() == table
    assert relation.df()["id"].tolist() == [1, 2]
    assert relation.pl()["name"].to_list() == ["a", "b"]
    for result in (table, relation, relation.arrow(), relation.df(), relation.pl(), relation.pl().lazy()):
        converted = python_child.to_arrow(result)
        assert converted.column_names == ["id", "name"] and converted.schema.field("name").type == pa.string()
        assert converted.column("id").to_pylist() == [1, 2]
    with pytest.raises(TypeError, match="returned list"):
        python_child.to_arrow([1, 2])


def test_models_downstream_of_python_models_keep_their_diagnostics(tmp_path):
    frame = "def model(dbt, session):\n    return dbt.ref('src').df().assign(name='x')\n"
    project = _one_model(tmp_path, frame, **{
        "models/typed.py": frame,
        "models/typed.yml": "models:\n  - name: typed\n    columns:\n      - {name: id, data_type: integer}\n"
                            "      - {name: name, data_type: varchar}\n",
        "models/after_py.sql": "select id, nope from {{ ref('py') }}\n",
        "models/after_typed.sql": "select id, nam from {{ ref('typed') }}\n",
    })
    result = run_fusion(project, "compile")
    assert "models/after_typed.sql:1:12: warning[unknown-column] column 'nam'" in result.output, result.output
    assert "after_py.sql" not in result.output  # py has no declared columns and has not run yet
    result = run_fusion(project, "build")  # its last run tells the columns
    assert "models/after_py.sql:1:12: warning[unknown-column] column 'nope'" in result.output, result.output
    result = run_fusion(project, "compile")  # ... kept for commands that do not run it
    assert "models/after_py.sql:1:12: warning[unknown-column]" in result.output, result.output
    nodes = json.loads((project / "target" / "manifest.json").read_text())["nodes"]
    assert {c["name"]: c["schema_origin"] for c in nodes["model.proj.py"]["columns"].values()} == {
        "id": "last_run", "name": "last_run"}
    assert {c["schema_origin"] for c in nodes["model.proj.typed"]["columns"].values()} == {"yaml"}


def test_an_enforced_contract_on_a_python_model_is_a_parse_error_as_in_dbt(tmp_path):
    project = _one_model(tmp_path, "def model(dbt, session):\n    return dbt.ref('src').df()\n", **{
        "models/py.yml": "models:\n  - name: py\n    config: {contract: {enforced: true}}\n"
                         "    columns: [{name: id, data_type: integer}]\n"})
    result = run_fusion(project, "parse")
    assert result.code == 2 and "models/py.py: a Python model's contract cannot be enforced" in result.output, \
        result.output


def test_a_python_view_is_an_error_naming_the_file(tmp_path):
    project = _one_model(tmp_path, "def model(dbt, session):\n    dbt.config(materialized='view')\n"
                                   "    return dbt.ref('src').df()\n")
    result = run_fusion(project, "run")
    assert result.code == 1 and "models/py.py: materialized='view' cannot build a Python model" in result.output
