"""Seeds, ephemeral models, views, tables and materialized views; what the catalog says of them."""

from __future__ import annotations

import pytest

MODELS = {
    "seeds/people.csv": "id,name\n1,Ann\n2,Bob\n",
    "models/named.sql": "{{ config(materialized='ephemeral') }}\nselect id, name from {{ ref('people') }}\n",
    "models/people_view.sql": "{{ config(materialized='view') }}\nselect id, name from {{ ref('named') }}\n",
    "models/people_table.sql": "{{ config(materialized='table') }}\n"
                               "select id, name from {{ ref('people_view') }} where id > 1\n",
}


def test_seed_ephemeral_view_table(kit):
    kit.write(MODELS)
    kit.fusion("build")
    assert kit.rows("people", "id, name") == [(1, "Ann"), (2, "Bob")]
    assert kit.rows("people_view", "id, name") == [(1, "Ann"), (2, "Bob")]
    assert kit.rows("people_table", "id, name") == [(2, "Bob")]
    assert kit.relation_types() == {"people": "table", "people_view": "view", "people_table": "table"}
    with kit.adapter() as adapter:  # the catalog: columns in order, each with a type
        relation = adapter.relation(adapter.default_database, adapter.default_schema, "people_table", "table")
        columns = adapter.get_columns_in_relation(relation)
    assert [c.name.lower() for c in columns] == ["id", "name"]
    assert all(c.data_type for c in columns), [(c.name, c.data_type) for c in columns]


def test_materialized_view(kit):
    if not kit.adapter_class.supports_materialized_views:
        pytest.skip(f"{kit.target['type']} declares no materialized views (supports_materialized_views)")
    kit.write({"models/mv.sql": "{{ config(materialized='materialized_view') }}\nselect 1 as id\n"})
    kit.fusion("run")
    kit.fusion("run")
    assert kit.rows("mv", "id") == [(1,)]
