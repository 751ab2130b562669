"""Quoting: mixed-case and reserved column names (``quote_columns``, ``adapter.quote``) and a
mixed-case relation name (the project's ``quoting: identifier``)."""

from __future__ import annotations

PROJECT = "name: kit\nprofile: kit\nconfig-version: 2\nquoting:\n  identifier: true\n"


def test_quoted_columns_and_identifiers(kit):
    kit.write({
        "dbt_project.yml": PROJECT,
        "seeds/Quoted.csv": "Name,order\nAnn,1\nBob,2\n",
        "seeds/schema.yml": "version: 2\nseeds:\n  - name: Quoted\n    config: {quote_columns: true}\n",
        "models/Mixed_Case.sql": "select {{ adapter.quote('Name') }} as name, {{ adapter.quote('order') }} as position "
                                 "from {{ ref('Quoted') }}\n",
    })
    kit.fusion("build")
    assert kit.rows("Mixed_Case", "name, position") == [("Ann", 1), ("Bob", 2)]
    assert kit.rows("Quoted", f"{kit.quote('Name')}, {kit.quote('order')}") == [("Ann", 1), ("Bob", 2)]


def test_project_quoting_can_turn_identifier_quoting_off(kit):
    """``quoting: identifier: false``: a mixed-case model is created unquoted (so the warehouse
    folds its name), and an unquoted lower-case name reads it."""
    kit.write({
        "dbt_project.yml": "name: kit\nprofile: kit\nconfig-version: 2\nquoting:\n  identifier: false\n",
        "models/Mixed_Case.sql": "select 1 as id\n",
    })
    kit.fusion("build")
    assert kit.relation("mixed_case").endswith(".mixed_case")
    assert kit.rows("mixed_case", "id") == [(1,)]
