"""``fusion docs generate`` on DuckDB and PostgreSQL: catalog.json as dbt writes it (schema v1), read
with one query per database; --empty-catalog, --no-compile, selection, and errors."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from conftest import EXAMPLES, REPO, SCHEMAS, run_fusion, write_project
from servers import profile_yaml

EXPECTED = REPO / "tests" / "expected" / "docs"

FILES = {
    "seeds/people.csv": "id,name\n1,ann\n2,bob\n",
    "models/staging/stg_people.sql": "{{ config(materialized='view') }}\nselect id, name from {{ ref('people') }}\n",
    "models/helper.sql": "{{ config(materialized='ephemeral') }}\nselect 1 as one\n",
    "models/marts/people_count.sql": ("{{ config(materialized='table', schema='marts') }}\n"
                                      "select count(*) as n, max(name) as last_name from {{ ref('stg_people') }}\n"
                                      "cross join {{ ref('helper') }}\n"),
    "models/schema.yml": ("version: 2\nsources:\n  - name: raw\n    schema: main\n    tables:\n"
                          "      - name: people\n        identifier: people\n"
                          "models:\n  - name: stg_people\n    columns:\n      - name: id\n"
                          "        data_tests: [not_null]\n"),
}

#: (type of the view, of the table, of the seed's id column, of a text column) as each dbt adapter spells them
TYPES = {"duckdb": ("VIEW", "BASE TABLE", "INTEGER", "VARCHAR"),
         "postgres": ("VIEW", "BASE TABLE", "integer", "text")}


def _json(project, name):
    return json.loads((project / "target" / name).read_text())


def _valid_catalog(document):
    schema = json.loads((SCHEMAS / "catalog" / "v1.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    return document


def test_catalog_matches_the_warehouse(warehouse, tmp_path):
    project = warehouse.project(tmp_path, FILES)
    assert run_fusion(project, "build").code == 0
    result = run_fusion(project, "docs", "generate")
    assert result.code == 0, result.output
    catalog = _valid_catalog(_json(project, "catalog.json"))
    view, table, integer, text = TYPES[warehouse.name]
    assert set(catalog["nodes"]) == {"seed.proj.people", "model.proj.stg_people", "model.proj.people_count"}
    assert set(catalog["sources"]) == {"source.proj.raw.people"}
    assert catalog["errors"] is None
    stg = catalog["nodes"]["model.proj.stg_people"]
    assert stg["metadata"]["type"] == view and stg["metadata"]["schema"] == "main"
    assert stg["metadata"]["name"] == "stg_people" and stg["unique_id"] == "model.proj.stg_people"
    assert stg["columns"] == {"id": {"type": integer, "index": 1, "name": "id", "comment": None},
                              "name": {"type": text, "index": 2, "name": "name", "comment": None}}
    assert stg["stats"]["has_stats"]["value"] is False
    marts = catalog["nodes"]["model.proj.people_count"]
    assert marts["metadata"]["type"] == table and marts["metadata"]["schema"] == "main_marts"
    assert list(marts["columns"]) == ["n", "last_name"]
    source = catalog["sources"]["source.proj.raw.people"]
    assert source["columns"] == catalog["nodes"]["seed.proj.people"]["columns"]
    assert source["unique_id"] == "source.proj.raw.people"
    if warehouse.name == "postgres":
        assert stg["metadata"]["owner"]  # the role that created it, as dbt-postgres reports
    # as dbt: manifest and run results of the compile, and the site beside them
    assert _json(project, "run_results.json")["args"]["which"] == "generate"
    assert "model.proj.people_count" in _json(project, "manifest.json")["nodes"]
    assert (project / "target" / "index.html").is_file()


def test_catalog_is_one_query_per_database(tmp_path, monkeypatch):
    """Reading the catalog costs one query for all schemas, not one per relation."""
    from fusion.docs.catalog import catalog_objects, read_catalog
    from fusion.invocation import Flags, Invocation

    models = {f"models/m{i}.sql": f"{{{{ config(schema='s{i % 3}') }}}}\nselect {i} as x\n" for i in range(12)}
    project = write_project(tmp_path, models)
    assert run_fusion(project, "run").code == 0
    monkeypatch.chdir(project)  # the profile's DuckDB path is relative
    inv = Invocation(Flags(which="generate", project_dir=str(project)))
    statements = []
    execute = inv.adapter.execute
    inv.adapter.execute = lambda sql, fetch=False: statements.append(sql) or execute(sql, fetch)
    try:
        nodes, sources, errors = read_catalog(inv.adapter, catalog_objects(inv.manifest))
    finally:
        inv.close()
    assert len(statements) == 1 and errors == [] and sources == {}
    assert sorted(nodes) == sorted(f"model.proj.m{i}" for i in range(12))
    assert {n["metadata"]["schema"] for n in nodes.values()} == {"main_s0", "main_s1", "main_s2"}


def test_selection_limits_the_catalog(tmp_path):
    project = write_project(tmp_path, FILES)
    assert run_fusion(project, "build").code == 0
    assert run_fusion(project, "docs", "generate", "-s", "stg_people").code == 0
    assert set(_valid_catalog(_json(project, "catalog.json"))["nodes"]) == {"model.proj.stg_people"}


UNREACHABLE = ("proj:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n"
               "      port: 1\n      user: u\n      password: p\n      dbname: d\n      schema: main\n")


def test_empty_catalog_never_touches_the_warehouse(tmp_path):
    project = write_project(tmp_path, {**FILES, "profiles.yml": UNREACHABLE})
    result = run_fusion(project, "docs", "generate", "--empty-catalog")
    assert result.code == 0, result.output
    catalog = _valid_catalog(_json(project, "catalog.json"))
    assert (catalog["nodes"], catalog["sources"], catalog["errors"]) == ({}, {}, None)

    failed = run_fusion(project, "docs", "generate")  # the same project, with the catalog read
    assert failed.code == 1 and "Traceback" not in failed.output
    assert "Error: could not read the catalog of d (schemas main, main_marts)" in failed.output
    catalog = _valid_catalog(_json(project, "catalog.json"))
    assert catalog["nodes"] == {} and len(catalog["errors"]) == 1


def test_no_compile_writes_only_catalog_and_site(tmp_path):
    was_view = "{{ config(materialized=var('kind', 'view')) }}\nselect 1 as x\n"
    project = write_project(tmp_path, {**FILES, "models/was_view.sql": was_view})
    assert run_fusion(project, "run", "-s", "was_view").code == 0
    assert run_fusion(project, "seed").code == 0
    now_ephemeral = ("--vars", "{kind: ephemeral}")
    result = run_fusion(project, "docs", "generate", "--no-compile", *now_ephemeral)
    assert result.code == 0, result.output
    # as dbt: without compiling, every node of the manifest is matched, so the relation an
    # ephemeral model left behind is listed; compiled, only the selected relations are read
    catalog = _valid_catalog(_json(project, "catalog.json"))
    assert set(catalog["nodes"]) == {"seed.proj.people", "model.proj.was_view"}
    assert (project / "target" / "index.html").is_file()
    assert _json(project, "run_results.json")["args"]["which"] == "seed"  # nothing was compiled
    assert run_fusion(project, "docs", "generate", *now_ephemeral).code == 0
    assert "model.proj.was_view" not in _json(project, "catalog.json")["nodes"]


def test_compile_error_writes_no_catalog(tmp_path):
    project = write_project(tmp_path, {**FILES, "models/broken.sql": "select {{ undefined_macro() }}\n"})
    result = run_fusion(project, "docs", "generate")
    assert result.code == 1
    assert "broken" in result.output and "Traceback" not in result.output
    assert not (project / "target" / "catalog.json").exists()


def test_asset_paths_are_copied_without_links(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("private")
    config = "name: proj\nprofile: proj\nasset-paths: [assets]\n"
    project = write_project(tmp_path / "proj", {**FILES, "assets/logo.svg": "<svg/>", "dbt_project.yml": config})
    (project / "assets" / "link.txt").symlink_to(outside)
    assert run_fusion(project, "docs", "generate", "--empty-catalog").code == 0
    copied = project / "target" / "assets"
    assert (copied / "logo.svg").read_text() == "<svg/>" and not (copied / "link.txt").exists()

    (project / "dbt_project.yml").write_text(config.replace("[assets]", "['../proj/assets', target]"))
    refused = run_fusion(project, "docs", "generate", "--empty-catalog")
    assert refused.code == 2 and "asset-paths entry 'target' is not a folder of the project" in refused.output
    assert (project / "assets" / "logo.svg").is_file()  # '../proj/assets' was copied to target/, not onto itself


@pytest.mark.parametrize("adapter", ["duckdb", "postgres"])
def test_shop_catalog_is_dbt_cores(adapter, request, tmp_path):
    """examples/shop's catalog is what dbt Core with dbt-duckdb / dbt-postgres writes
    (tests/expected/docs/regenerate.py); only the database's name differs on PostgreSQL."""
    if adapter == "duckdb":
        project = request.getfixturevalue("shop")
    else:
        server, database = request.getfixturevalue("postgres"), request.getfixturevalue("pg_database")
        project = tmp_path / "shop"
        shutil.copytree(EXAMPLES / "shop", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
        (project / "profiles.yml").write_text(profile_yaml(server.target(database, "main"), profile="shop"))
    assert run_fusion(project, "build").code == 0
    result = run_fusion(project, "docs", "generate")
    assert result.code == 0, result.output
    catalog = _valid_catalog(_json(project, "catalog.json"))
    for table in [*catalog["nodes"].values(), *catalog["sources"].values()]:
        table["metadata"]["database"] = "shop"
    expected = json.loads((EXPECTED / f"catalog_{adapter}.json").read_text())
    assert {key: catalog[key] for key in ("nodes", "sources", "errors")} == expected
