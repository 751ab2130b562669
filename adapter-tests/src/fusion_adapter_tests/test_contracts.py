"""Enforced contracts: a model whose columns match builds; one that does not is refused, and
no relation is left behind."""

from __future__ import annotations

CONTRACT = """version: 2
models:
  - name: contracted
    config: {{contract: {{enforced: true}}}}
    columns:
      - {{name: id, data_type: '{integer}'}}
      - {{name: {second}, data_type: '{text}'}}
"""


def test_enforced_contract(kit):
    types = kit.adapter_class.seed_types  # this adapter's names of an integer and a text type
    model = (f"{{{{ config(materialized='table') }}}}\n"
             f"select cast(1 as {types['integer']}) as id, cast('a' as {types['text']}) as label\n")
    kit.write({"models/contracted.sql": model,
               "models/schema.yml": CONTRACT.format(integer=types["integer"], text=types["text"], second="label")})
    kit.fusion("run")
    assert kit.rows("contracted", "id, label") == [(1, "a")]

    kit.write({"models/schema.yml": CONTRACT.format(integer=types["integer"], text=types["text"], second="name")})
    output = kit.fusion("run", expect=1).lower()  # the error names both columns, as the warehouse spells them
    assert "contract" in output and "name" in output and "label" in output, output
    assert kit.rows("contracted", "id, label") == [(1, "a")]
    assert kit.relation_types() == {"contracted": "table"}
