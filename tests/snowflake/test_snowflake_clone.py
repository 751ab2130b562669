"""fusion clone on Snowflake (fakesnow server): a table of the --state run is cloned zero-copy."""

from __future__ import annotations

import shutil

import pytest
from conftest import run_fusion
from servers import write_target_project

pytestmark = pytest.mark.snowflake


def test_clone_copies_tables_zero_copy_and_views_stay_views(tmp_path, fakesnow, sf_database, sf_query):
    files = {"models/t.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
             "models/v.sql": "select id from {{ ref('t') }}\n"}
    project = write_target_project(tmp_path, files, fakesnow.target(sf_database, "prod"))
    assert run_fusion(project, "run").code == 0
    shutil.copytree(project / "target", project / "prod_artifacts")
    write_target_project(tmp_path, files, fakesnow.target(sf_database, "ci"))
    result = run_fusion(project, "clone", "--state", "prod_artifacts")
    assert result.code == 0, result.output
    objects = {(row[1], row[4]) for row in sf_query("show objects in schema CI")}
    assert objects == {("T", "TABLE"), ("V", "VIEW")}
    sf_query("insert into prod.t values (2)")
    assert sf_query("select id from ci.t") == [(1,)]  # a clone, not a view over prod
