"""The adapter's catalog queries are macros (``list_relations_sql``, ``columns_sql``,
``dependents_sql``): a project overrides them for its adapter as dbt's ``<adapter>__`` macros."""

from __future__ import annotations

from conftest import run_fusion, write_project

COLUMNS_IN_UPPER_CASE = """
{% macro duckdb__columns_sql(relation) -%}
  select upper(column_name), data_type, null, null, null from information_schema.columns
  where table_name = {{ adapter.quote_string(relation.identifier) }} order by ordinal_position
{%- endmacro %}
"""


def test_a_project_overrides_the_columns_query(tmp_path):
    project = write_project(tmp_path, {
        "macros/catalog.sql": COLUMNS_IN_UPPER_CASE,
        "models/a.sql": "select 1 as id, 'x' as name\n",
        "models/b.sql": "{% set a = ref('a') %}{% set cols = adapter.get_columns_in_relation(a) %}"
                        "select '{{ cols | map(attribute='name') | join(',') }}' as names\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert "select 'ID,NAME' as names" in (project / "target/run/proj/models/b.sql").read_text()


def test_a_project_overrides_the_relation_listing(tmp_path):
    project = write_project(tmp_path, {
        "macros/catalog.sql": "{% macro duckdb__list_relations_sql(schema_relation) -%}\n"
                              "  select 'ghost', 'view'\n{%- endmacro %}\n",
        "models/a.sql": "select '{{ adapter.get_relation(this.database, this.schema, 'ghost') is not none }}' as seen\n",
    })
    result = run_fusion(project, "run")
    assert result.code == 0, result.output
    assert "select 'True' as seen" in (project / "target/run/proj/models/a.sql").read_text()
