"""On DuckDB and PostgreSQL, unit tests: dict/csv/sql fixtures, overrides, run before their model
in build, clear failures."""

from __future__ import annotations

from conftest import run_fusion, write_project

MODELS = {
    "seeds/people.csv": "id,name,age\n1,ann,30\n2,bob,17\n",
    "seeds/countries.csv": "person_id,country\n1,NO\n",
    "models/adults.sql": """
{{ config(materialized='incremental', unique_key='id') }}
select p.id, upper(p.name) as name, p.age >= {{ var('adult_age', 18) }} as is_adult, c.country
from {{ ref('people') }} p
left join {{ ref('countries') }} c on c.person_id = p.id
{% if is_incremental() %}where p.id > (select max(id) from {{ this }}){% endif %}
""",
}

PASSING = """
unit_tests:
  - name: adults_flagged
    model: adults
    given:
      - input: ref('people')
        rows:
          - {id: 1, name: ann, age: 30}
          - {id: 2, name: bob, age: 17}
      - input: ref('countries')
        format: csv
        rows: |
          person_id,country
          1,SE
    expect:
      rows:
        - {id: 1, name: ANN, is_adult: true, country: SE}
        - {id: 2, name: BOB, is_adult: false, country: null}
  - name: incremental_only_new
    model: adults
    overrides:
      macros: {is_incremental: true}
      vars: {adult_age: 40}
    given:
      - input: ref('people')
        format: sql
        rows: |
          select 5 as id, 'cy' as name, 35 as age union all select 1, 'old', 50
      - input: ref('countries')
        rows: []
      - input: this
        rows: [{id: 4}]
    expect:
      rows:
        - {id: 5, is_adult: false}
"""


def test_unit_tests_pass_and_run_before_the_model(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {**MODELS, "models/unit.yml": PASSING})
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    position = {name: i for i, line in enumerate(lines) for name in
                ("adults_flagged", "incremental_only_new", "model main.adults") if name in line}
    assert position["adults_flagged"] < position["model main.adults"]
    assert position["incremental_only_new"] < position["model main.adults"]
    listed = run_fusion(project, "ls", "-s", "test_type:unit", "--output", "name")
    assert set(listed.stdout.split()) == {"adults_flagged", "incremental_only_new"}


def test_failing_unit_test_shows_the_difference_and_skips_the_model(warehouse, tmp_path):
    failing = PASSING.replace("{id: 1, name: ANN, is_adult: true, country: SE}",
                              "{id: 1, name: ANN, is_adult: false, country: SE}")
    project = warehouse.project(tmp_path, {**MODELS, "models/unit.yml": failing})
    result = run_fusion(project, "build")
    assert result.code == 1
    assert "FAIL 2 adults_flagged" in result.output
    assert "+ {'id': 1, 'name': 'ANN', 'is_adult': True, 'country': 'SE'}" in result.output
    assert "- {'id': 1, 'name': 'ANN', 'is_adult': False, 'country': 'SE'}" in result.output
    assert "SKIP relation main.adults" in result.output


def test_missing_input_and_unknown_columns_are_clear_errors(warehouse, tmp_path):
    no_countries = PASSING.split("  - name: incremental_only_new")[0].replace(
        """      - input: ref('countries')
        format: csv
        rows: |
          person_id,country
          1,SE
""", "")
    project = warehouse.project(tmp_path, {**MODELS, "models/unit.yml": no_countries})
    assert run_fusion(project, "seed").code == 0
    result = run_fusion(project, "test")
    assert result.code == 1 and "gives no rows for ref('countries')" in result.output
    bad_column = PASSING.split("  - name: incremental_only_new")[0].replace("{id: 1, name: ann, age: 30}",
                                                                            "{id: 1, nam: ann}")
    (project / "models" / "unit.yml").write_text(bad_column)
    result = run_fusion(project, "test")
    assert result.code == 1 and "columns ['nam'] that the input does not have" in result.output


def test_unit_test_for_unknown_model_names_the_yaml(tmp_path):
    project = write_project(tmp_path, {**MODELS, "models/unit.yml": PASSING.replace("model: adults", "model: ghost")})
    result = run_fusion(project, "parse")
    assert result.code == 2 and "models/unit.yml" in result.output and "'ghost'" in result.output


def test_manifest_with_unit_tests_is_valid(tmp_path):
    import json

    import jsonschema
    from conftest import SCHEMAS

    project = write_project(tmp_path, {**MODELS, "models/unit.yml": PASSING})
    assert run_fusion(project, "parse").code == 0
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    schema = json.loads((SCHEMAS / "manifest" / "v12.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(manifest)
    assert set(manifest["unit_tests"]) == {"unit_test.proj.adults.adults_flagged",
                                           "unit_test.proj.adults.incremental_only_new"}
    assert not any(k.startswith("unit_test.") for k in manifest["parent_map"])
