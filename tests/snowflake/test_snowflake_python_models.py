"""Python models on Snowflake: the stored-procedure SQL dbt-snowflake would send (checked as text
against Snowflake's documented CREATE PROCEDURE / CALL-with-anonymous-procedure syntax, since the
fakesnow emulator cannot run Python), and a model run locally (``submission_method='local'``)."""

from __future__ import annotations

import ast
import re
from types import SimpleNamespace

import pytest
from conftest import run_fusion
from fusion.materializations.python_job import PythonJob
from fusion.relation import Relation
from fusion_snowflake.python_sproc import handler_code, sproc_statements
from servers import write_target_project

CODE = ("def model(dbt, session):\n    dbt.config(materialized='table')\n"
        "    return dbt.ref('orders').filter('amount > 1')\n")


def _model(**config):
    node = SimpleNamespace(raw_code=CODE, original_file_path="models/big.py",
                           config={"materialized": "table", **config})
    job = PythonJob(refs={"orders": Relation("DB", "PROD", "ORDERS")}, sources={"raw.t": Relation("DB", "RAW", "T")},
                    this=Relation("DB", "PROD", "BIG"), config={"unique_key": "id"}, meta={}, reads_this=False)
    return node, job


def test_anonymous_procedure_sql_follows_snowflakes_syntax():
    node, job = _model(packages=["pandas==2.2", "snowflake-snowpark-python"], imports=["@stage/lib.zip"],
                       python_version="3.11")
    [sql] = sproc_statements(node, job, Relation("DB", "PROD", "BIG__dbt_tmp"), is_incremental=False)
    pattern = (r"with BIG__dbt_tmp__dbt_sp as procedure \(\)\nreturns string\nlanguage python\n"
               r"runtime_version = '3\.11'\npackages = \('snowflake-snowpark-python', 'pandas==2\.2'\)\n"
               r"imports = \('@stage/lib\.zip'\)\nhandler = 'main'\nas\n\$\$\n(?P<code>.*)\n\$\$\n"
               r"call BIG__dbt_tmp__dbt_sp\(\)")
    match = re.fullmatch(pattern, sql, re.S)
    assert match, sql
    ast.parse(match["code"])  # the handler is valid Python


def test_temporary_procedure_is_created_called_and_dropped():
    node, job = _model(use_anonymous_sproc=False)
    create, call, drop = sproc_statements(node, job, Relation("DB", "PROD", "BIG"), is_incremental=True)
    assert create.startswith("create or replace temporary procedure DB.PROD.BIG__dbt_sp ()\nreturns string\n"
                             "language python\nruntime_version = '3.10'\npackages = ('snowflake-snowpark-python')\n"
                             "handler = 'main'\nexecute as caller\nas\n$$\n")
    assert (call, drop) == ("call DB.PROD.BIG__dbt_sp()", "drop procedure if exists DB.PROD.BIG__dbt_sp ()")


def test_the_handler_reads_refs_and_saves_the_result_with_a_fake_snowpark_session():
    """No Snowpark runtime exists here: a stand-in session records what the handler asks of it."""
    node, job = _model(transient=False)
    calls = []

    class Frame:
        def filter(self, condition):
            calls.append(("filter", condition))
            return self

        @property
        def write(self):
            return SimpleNamespace(mode=lambda mode: SimpleNamespace(
                save_as_table=lambda name, table_type: calls.append(("save", mode, name, table_type))))

    session = SimpleNamespace(table=lambda name: calls.append(("table", name)) or Frame())
    namespace = {}
    exec(handler_code(node, job, Relation("DB", "PROD", "BIG__dbt_tmp"), True), namespace)  # noqa: S102
    assert namespace["main"](session) == "OK"
    assert calls == [("table", '"DB"."PROD"."ORDERS"'), ("filter", "amount > 1"),
                     ("save", "overwrite", '"DB"."PROD"."BIG__dbt_tmp"', "")]


def test_code_with_a_dollar_quote_is_refused():
    node, job = _model()
    node.raw_code = CODE + "x = '$$'\n"
    with pytest.raises(Exception, match=r"contains `\$\$`"):
        sproc_statements(node, job, Relation("DB", "PROD", "BIG"), is_incremental=False)


@pytest.mark.snowflake
def test_a_python_model_runs_locally_on_snowflake(tmp_path, fakesnow, sf_database, sf_query):
    files = {"models/src.sql": "{{ config(materialized='table') }}\nselect 1 as id union all select 2 as id\n",
             "models/py.py": "def model(dbt, session):\n    dbt.config(submission_method='local')\n"
                             "    return dbt.ref('src').df().assign(twice=lambda d: d['ID'] * 2)\n"}
    project = write_target_project(tmp_path, files, fakesnow.target(sf_database, "prod"))
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert sf_query("select id, twice from prod.py order by id") == [(1, 2), (2, 4)]
