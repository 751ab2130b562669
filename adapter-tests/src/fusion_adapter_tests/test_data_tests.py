"""Generic and singular data tests, and unit tests: passing ones pass, failing ones fail."""

from __future__ import annotations

SCHEMA = """version: 2
models:
  - name: letters
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: v
        data_tests:
          - accepted_values: {values: ['a', 'b']}
  - name: doubled
    columns:
      - name: id
        data_tests:
          - relationships: {to: ref('letters'), field: id}
unit_tests:
  - name: doubles
    model: doubled
    given:
      - input: ref('letters')
        rows: [{id: 1, v: a}, {id: 5, v: b}]
    expect:
      rows: [{id: 1, twice: 2}, {id: 5, twice: %s}]
"""
FILES = {
    "models/letters.sql": "select 1 as id, 'a' as v union all select 2 as id, 'b' as v\n",
    "models/doubled.sql": "select id, id * 2 as twice from {{ ref('letters') }}\n",
    "tests/no_negative_ids.sql": "select id from {{ ref('letters') }} where id < 0\n",
}


def test_data_and_unit_tests(kit):
    kit.write({**FILES, "models/schema.yml": SCHEMA % 10})
    kit.fusion("build")
    statuses = kit.results()
    assert sorted(s for k, s in statuses.items() if k.startswith(("test.", "unit_test."))) == ["pass"] * 6, statuses

    kit.write({"models/schema.yml": SCHEMA % 11,
               "tests/has_one.sql": "select id from {{ ref('letters') }} where id = 1\n"})
    kit.fusion("test", expect=1)
    failed = sorted(k.split(".")[-1] for k, s in kit.results().items() if s == "fail")
    assert failed == ["doubles", "has_one"], kit.results()
