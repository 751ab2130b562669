"""dbt's Jinja surface as packages use it: the global-project macros (schemas, columns, relations,
grants, on_schema_change, seeds, unit-test SQL, dates), `set_sql_header`, and the context members
of models and materializations, on DuckDB and PostgreSQL; then the error paths.

The expected values were checked against dbt Core 1.12 with dbt-duckdb and dbt-postgres on the
same project (only `get_rename_sql`, which those adapters leave unimplemented, differs)."""

from __future__ import annotations

import json
import re

from conftest import run_fusion, write_project

MACROS = """
{% macro prepare_run() %}
  create schema if not exists {{ target.schema }};
  create table if not exists {{ target.schema }}.hook_log (step varchar);
  {% if target.type == 'postgres' %}
  do $$ begin create role fusion_reader_a; exception when duplicate_object then null; end $$;
  do $$ begin create role fusion_reader_b; exception when duplicate_object then null; end $$;
  {% endif %}
{% endmacro %}

{% macro twice_function() -%}
  {#- a function that exists only in the session that runs the header -#}
  {%- if target.type == 'postgres' -%}
  create or replace function pg_temp.twice(x integer) returns integer language sql as $$ select x * 2 $$;
  {%- else -%}
  create or replace temp macro twice(x) as x * 2;
  {%- endif -%}
{%- endmacro %}

{% macro twice(x) -%}{{ 'pg_temp.' if target.type == 'postgres' }}twice({{ x }}){%- endmacro %}

{% materialization surface_view, default %}
  {% set built = create_or_replace_view() %}
  {% do adapter.commit() %}
  {{ return(built) }}
{% endmaterialization %}

{% materialization seed, default %}
  {#- a seed materialization written the dbt way, from the global seed helpers -#}
  {% set agate_table = load_agate_table() %}
  {% set old = load_relation(this) %}
  {% if old is none %}
    {% set create_sql = create_csv_table(model, agate_table) %}
  {% else %}
    {% set create_sql = reset_csv_table(model, should_full_refresh(), old, agate_table) %}
  {% endif %}
  {% set insert_sql = load_csv_rows(model, agate_table) %}
  {% call noop_statement('main', 'INSERT ' ~ (agate_table.rows | length), 'INSERT', agate_table.rows | length) %}
    {{ get_csv_sql(create_sql, insert_sql) }}
  {% endcall %}
  {{ return({'relations': [this]}) }}
{% endmaterialization %}

{% macro say(label, value) %}{% do log('RESULT ' ~ label ~ ' = ' ~ value, info=True) %}{% endmacro %}

{% macro inspect_warehouse() %}
  {% set scratch = api.Relation.create(database=target.database, schema='scratch_ops') %}
  {% do create_schema(scratch) %}
  {% do say('schema_exists', adapter.check_schema_exists(target.database, 'scratch_ops')) %}
  {% do say('schema_count', check_schema_exists(scratch.information_schema(), 'scratch_ops').rows[0][0]) %}
  {% do say('in_list_schemas', 'scratch_ops' in list_schemas(target.database).columns[0].values()) %}
  {% set t = api.Relation.create(database=target.database, schema='scratch_ops', identifier='t', type='table') %}
  {% do run_query('create table ' ~ t ~ ' as select 1 as a, 2 as b') %}
  {% set listed = list_relations_without_caching(scratch) %}
  {% do say('listed', listed.rows | map(attribute='name') | join(',') ~ ' '
                     ~ listed.rows | map(attribute='type') | join(',')) %}
  {% do say('columns', get_columns_in_relation(t) | map(attribute='name') | join(',')) %}
  {% do say('query_columns', get_columns_in_query('select 1 as x, 2 as y') | join(',')) %}
  {% do alter_relation_add_remove_columns(t, [api.Column('c', 'integer')], [api.Column('b', 'integer')]) %}
  {% do say('after_add_remove', adapter.get_columns_in_relation(t) | map(attribute='name') | join(',')) %}
  {% do alter_column_type(t, 'a', dbt.type_string()) %}
  {% set a = adapter.get_columns_in_relation(t) | selectattr('name', 'equalto', 'a') | first %}
  {% do say('a_is_string', a.is_string()) %}
  {% do say('a_value', run_query('select a from ' ~ t).rows[0][0]) %}
  {% set t2 = t.incorporate(path={'identifier': 't2'}) %}
  {% do rename_relation(t, t2) %}
  {% do say('renamed', list_relations_without_caching(scratch).rows | map(attribute='name') | join(',')) %}
  {% do say('cached', adapter.get_relation(t2.database, t2.schema, 't2') is not none) %}
  {% do drop_relation(t2) %}
  {% do say('dropped', list_relations_without_caching(scratch).rows | length) %}
  {% do say('validated', validate_sql('select 1 as one') is not none) %}
  {% do say('show_rows', run_query(get_show_sql('select 1 as n union all select 2', none, 1)) | length) %}
  {% do drop_schema(scratch) %}
  {% do say('schema_gone', not adapter.check_schema_exists(target.database, 'scratch_ops')) %}
  {% set types = {'id': 'integer', 'name': dbt.type_string()} %}
  {% set fixture = get_fixture_sql([{'id': 1, 'name': "it's"}, {'ID': 2}], types) %}
  {% do say('fixture', run_query(fixture + ' order by 1').rows | map(attribute='name') | list) %}
  {% set expected = get_expected_sql([{'id': 1, 'name': "it's"}], types, {'id': '"id"', 'name': '"name"'}) %}
  {% set compared = run_query(get_unit_test_sql(fixture, expected, ['"id"', '"name"'])) %}
  {% do say('unit_test_rows', compared.rows | map(attribute='actual_or_expected') | sort | join(',')) %}
  {% set info = api.Relation.create(database=target.database, schema=target.schema).information_schema() %}
  {% set catalog = get_catalog(info, [target.schema]).rows | selectattr('table_name', 'equalto', 'headered') %}
  {% do say('catalog', catalog | map(attribute='column_name') | list ~ ' ' ~ (info.database == target.database)) %}
  {% do say('dates', partition_range('20240130,20240202') | join(',')) %}
  {% do say('one_date', dates_in_range('2024-02-28', in_fmt='%Y-%m-%d', out_fmt='%d/%m') | join(',')) %}
  {% do say('timestring', py_current_timestring() | length) %}
  {% do say('revoke_sql', get_revoke_sql(t, 'select', ['r1'])) %}
  {% do say('should_revoke', [should_revoke(none), should_revoke(t), should_revoke(t, false)]) %}
{% endmacro %}
"""

MODELS = {
    "models/headered.sql": """
{{ config(materialized='table', grants={'select': ['fusion_reader_a']},
          post_hook=after_commit("insert into " ~ target.schema ~ ".hook_log values ('after commit')")) }}
{% call set_sql_header(config) %}
{{ twice_function() }}
{% endcall %}
select {{ twice(21) }} as answer
""",
    "models/headered_inc.sql": """
{{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns',
          grants={'select': [var('reader', 'fusion_reader_a')]}) }}
{% call set_sql_header(config) %}
{{ twice_function() }}
{% endcall %}
select 1 as id, {{ twice(5) }} as v{% if is_incremental() %}, {{ twice(50) }} as w{% endif %}
""",
    "models/synced.sql": """
{{ config(materialized='incremental', on_schema_change='sync_all_columns') }}
{% if var('second', false) %}select 2 as id, 'x' as n{% else %}select 1 as id, 1 as n, 1 as gone{% endif %}
""",
    "models/custom_view.sql": """
{{ config(materialized='surface_view',
          pre_hook="insert into {{ target.schema }}.hook_log values ('pre {{ this.name }} {{ sql is not none }}')") }}
select '{{ env.type }}' as warehouse, {{ sql_now }} is not null as has_now, {{ render("{{ 40 + 2 }}") }} as rendered,
  '{{ sql is none }} {{ compiled_code is none }} {{ pre_hooks | length }}' as at_compile
""",
    "seeds/people.csv": "id,name,born\n1,Ann,2001-02-03\n2,Bob,\n",
}


def _results(output: str) -> dict[str, str]:
    return dict(re.findall(r"RESULT (\w+) = (.*)", output))


def test_package_macros_and_sql_header(warehouse, tmp_path):
    project = warehouse.project(tmp_path, {
        "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\non-run-start: ['{{ prepare_run() }}']\n",
        "macros/surface.sql": MACROS, **MODELS})
    first = run_fusion(project, "build")
    assert first.code == 0, first.output
    q = warehouse.query
    assert q("select answer from main.headered") == [(42,)]  # the header's function, in the DDL's session
    assert q("select id, v from main.headered_inc") == [(1, 10)]
    assert q("select warehouse, has_now, rendered, at_compile from main.custom_view") == [
        (warehouse.name, True, 42, "True True 1")]
    # `sql` is set when the materialization runs; after_commit() makes a hook outside the transaction
    assert sorted(q("select step from main.hook_log")) == [("after commit",), ("pre custom_view True",)]
    run_file = (project / "target/run/proj/models/custom_view.sql").read_text()
    assert "create" in run_file and "custom_view" in run_file  # statement('main') writes it, as in dbt
    assert q("select id, name, born from main.people order by id") == [
        (1, "Ann", q("select cast('2001-02-03' as date)")[0][0]), (2, "Bob", None)]
    results = {r["unique_id"]: r for r in json.loads((project / "target/run_results.json").read_text())["results"]}
    assert results["seed.proj.people"]["adapter_response"]["rows_affected"] == 2  # noop_statement('main', ...)

    second = run_fusion(project, "build", "--exclude", "custom_view",
                        "--vars", "{second: true, reader: fusion_reader_b}")
    assert second.code == 0, second.output
    assert q("select id, v, w from main.headered_inc") == [(1, 10, 100)]  # header in the staging DDL too
    assert q("select id, n from main.synced order by id") == [(1, "1"), (2, "x")]
    assert [r[0] for r in q("select column_name from information_schema.columns where table_name = 'synced' "
                            "order by ordinal_position")] == ["id", "n"]
    assert q("select count(*) from main.people") == [(2,)]  # reset (truncated), then loaded again
    if warehouse.name == "postgres":  # grants made exactly what is configured, revoking the old reader
        assert sorted(q("select table_name, grantee, privilege_type from information_schema.role_table_grants "
                        "where grantee like 'fusion_reader%'")) == [
            ("headered", "fusion_reader_a", "SELECT"), ("headered_inc", "fusion_reader_b", "SELECT")]

    database = q("select current_database()")[0][0] if warehouse.name == "postgres" else "db"
    ops = run_fusion(project, "run-operation", "inspect_warehouse")
    assert ops.code == 0, ops.output
    assert _results(ops.output) == {
        "schema_exists": "True", "schema_count": "1", "in_list_schemas": "True", "listed": "t table",
        "columns": "a,b", "query_columns": "x,y", "after_add_remove": "a,c", "a_is_string": "True",
        "a_value": "1", "renamed": "t2", "cached": "True", "dropped": "0", "validated": "True", "show_rows": "1",
        "schema_gone": "True", "fixture": "[\"it's\", None]", "unit_test_rows": "actual,actual,expected",
        "dates": "20240130,20240131,20240201,20240202", "one_date": "28/02", "timestring": "20",
        "revoke_sql": f'revoke select on "{database}"."scratch_ops"."t" from "r1"',
        "catalog": "['answer'] True",
        "should_revoke": f"[False, {warehouse.name != 'postgres'}, True]",  # postgres__copy_grants is false
    }


ERRORS = {
    "models/bad_date.sql": "{% if execute %}{{ convert_datetime('2024-13-45', '%Y-%m-%d') }}{% endif %}select 1",
    "models/reversed.sql": "{% if execute %}{{ dates_in_range('20240105', '20240101') }}{% endif %}select 1",
    "models/not_a_seed.sql": "{% if execute %}{{ load_agate_table() }}{% endif %}select 1",
    "models/validator.sql": "{% if execute %}{{ config.get('materialized', validator=validation.any('table')) }}"
                            "{% endif %}select 1",
    "models/invalid_sql.sql": "{% if execute %}{{ validate_sql('select * from no_such_table') }}{% endif %}select 1",
    "models/contract.sql": "{% if execute %}{{ get_assert_columns_equivalent(\"select 'x' as id\") }}{% endif %}"
                           "select 1 as id",
    "models/contract.yml": "version: 2\nmodels:\n  - name: contract\n    columns: [{name: id, data_type: integer}]\n",
    "models/fine.sql": "{% if execute %}{{ get_assert_columns_equivalent('select 2 as id') }}{% endif %}"
                       "select {{ (debug is defined) | lower }} as debug, '{{ get_table_columns_and_constraints() }}' "
                       "as ddl, {{ try_or_compiler_error('unused', modules.datetime.date, 2024, 1, 2).day }} as day",
    "models/fine.yml": "version: 2\nmodels:\n  - name: fine\n    columns:\n"
                       "      - {name: id, data_type: integer, constraints: [{type: not_null}]}\n",
}


def test_error_paths_name_the_file(tmp_path):
    project = write_project(tmp_path, {**ERRORS, "models/metric_user.sql": "select {{ metric('revenue') }} as r"})
    parsed = run_fusion(project, "parse")
    assert parsed.code == 2 and "Traceback" not in parsed.output
    assert "models/metric_user.sql: metric('revenue') cannot be resolved: Fusion has no semantic layer" in parsed.output

    (project / "models/metric_user.sql").unlink()
    compiled = run_fusion(project, "compile")
    assert compiled.code == 1 and "Traceback" not in compiled.output
    out = compiled.output
    assert "models/bad_date.sql" in out and "The date '2024-13-45' does not match the format '%Y-%m-%d'" in out
    assert "models/reversed.sql" in out and "is after the end date" in out
    assert "models/not_a_seed.sql" in out and "load_agate_table() is only available to seeds, not to a model" in out
    assert "models/validator.sql" in out and "config 'materialized': expected 'view' to be one of table" in out
    assert "models/invalid_sql.sql" in out and "no_such_table" in out.lower()
    assert "models/contract.sql" in out and "id: declared INTEGER, the query returns VARCHAR" in out
    assert "Compiled 1 node(s), 6 error(s)" in out
    fine = (project / "target/compiled/proj/models/fine.sql").read_text()
    # a contract column is quoted only with `quote: true`, as dbt renders it
    assert fine == "select false as debug, '(id integer not null)' as ddl, 2 as day"


def test_introspection_while_parsing_never_reaches_the_warehouse(tmp_path):
    """Unguarded calls in a model: parse answers what dbt does then (nothing, empty lists, false)."""
    project = write_project(tmp_path, {
        "models/m.sql": """
{% set rel = api.Relation.create(database='d', schema='s', identifier='t', type='table') %}
{% do create_schema(rel) %}{% do drop_relation(rel) %}{% do rename_relation(rel, rel) %}{% do truncate_relation(rel) %}
{% do alter_column_type(rel, 'a', 'integer') %}{% do alter_relation_add_remove_columns(rel, [], []) %}
{% do apply_grants(rel, {'select': ['r']}, true) %}{% do persist_docs(rel, model) %}{% do drop_schema(rel) %}
{% do list_schemas('d') %}{% do list_relations_without_caching(rel) %}{% do validate_sql('select 1') %}
{% set found = [get_columns_in_relation(rel), get_columns_in_query('select 1 as a'),
                adapter.check_schema_exists('d', 's'), get_column_schema_from_query('select 1')] %}
{% do log('FOUND ' ~ found, info=True) %}
select 1 as id
""",
    }, profile_path="/nonexistent/dir/db.duckdb")
    result = run_fusion(project, "parse")
    assert result.code == 0, result.output
    assert "FOUND [[], [], False, []]" in result.output
