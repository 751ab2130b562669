"""``fusion docs generate`` on the fakesnow server: Snowflake's catalog through information_schema
(its column names come back in upper case)."""

from __future__ import annotations

import json

import pytest
from conftest import run_fusion
from servers import write_target_project

pytestmark = pytest.mark.snowflake


def test_catalog_on_snowflake(tmp_path, fakesnow, sf_database):
    files = {"seeds/people.csv": "id,name\n1,ann\n"}
    project = write_target_project(tmp_path, files, fakesnow.target(sf_database, "analytics"))
    assert run_fusion(project, "seed").code == 0
    result = run_fusion(project, "docs", "generate")
    assert result.code == 0, result.output
    catalog = json.loads((project / "target" / "catalog.json").read_text())
    people = catalog["nodes"]["seed.proj.people"]
    assert people["metadata"]["type"] == "BASE TABLE" and people["metadata"]["name"] == "PEOPLE"
    assert [(c["name"], c["type"], c["index"]) for c in people["columns"].values()] == [
        ("ID", "NUMBER", 1), ("NAME", "TEXT", 2)]
