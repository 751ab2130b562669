"""Grants: ``grants`` config is applied, and what the adapter reads back names the grantee."""

from __future__ import annotations

MACRO = """{% macro kit_show_grants(name) %}
  {%- set relation = adapter.get_relation(target.database, target.schema, name) -%}
  {%- set grants = adapter.standardize_grants_dict(run_query(get_show_grant_sql(relation))) -%}
  {{ print('GRANTS ' ~ (grants.get('select', []) | map('lower') | sort | join(','))) }}
{% endmacro %}
"""


def test_grants_applied(kit, grantee):
    kit.write({"macros/show.sql": MACRO,
               "models/granted.sql": f"{{{{ config(materialized='table', grants={{'select': ['{grantee}']}}) }}}}\n"
                                     "select 1 as id\n"})
    kit.fusion("run")
    kit.fusion("run")  # replacing the table keeps (re-applies) the grant
    output = kit.fusion("run-operation", "kit_show_grants", "--args", "{name: granted}")
    assert f"GRANTS {grantee.lower()}" in output.replace('"', ""), output
