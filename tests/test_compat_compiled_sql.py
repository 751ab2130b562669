"""On DuckDB, cross-database macros and generic tests compile to the SQL dbt-duckdb writes
(whitespace aside), so a project's target/compiled/ matches dbt's and its queries give dbt's
results (how many weeks lie between two dates; a concatenation with a null part is null)."""

from __future__ import annotations

import re

from conftest import query, run_fusion, write_project

MODEL = """select
  {{ dbt.dateadd('day', 'n', 'd') }} as a,
  {{ dbt.dateadd('quarter', 1, 'd') }} as b,
  {{ dbt.datediff('d', 'e', 'day') }} as c,
  {{ dbt.current_timestamp() }} as f,
  cast(1 as {{ dbt.type_int() }}) as g,
  {{ dbt.any_value('x') }} as h,
  cast(null as {{ dbt.type_string() }}) as i,
  {{ dbt.concat(['x', "'-'", 'y']) }} as j
"""

#: what dbt-duckdb compiles MODEL to
DBT_DUCKDB = """select
  (d + cast(n as bigint) * interval 1 day) as a,
  (d + (cast(1 as bigint) * 3) * interval 1 month) as b,
  (date_diff('day', d::timestamp, e::timestamp )) as c,
  now() as f,
  cast(1 as integer) as g,
  arbitrary(x) as h,
  cast(null as TEXT) as i,
  x || '-' || y as j
"""

WEEKS = ("select {{ dbt.datediff(\"date '2024-01-07'\", \"date '2024-01-08'\", 'week') }} as crossed, "
         "{{ dbt.datediff(\"date '2024-01-01'\", \"date '2024-01-07'\", 'week') }} as same, "
         "{{ dbt.concat([\"'a'\", 'null']) }} as joined\n")

SCHEMA = """models:
  - name: w
    columns:
      - name: crossed
        data_tests:
          - accepted_values:
              values: [0, 1]
              quote: false
"""


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_duckdb_macros_compile_to_dbt_duckdbs_sql(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": MODEL})
    result = run_fusion(project, "compile", "-s", "m")
    assert result.code == 0, result.output
    assert _bare((project / "target/compiled/proj/models/m.sql").read_text()) == _bare(DBT_DUCKDB)


def test_week_difference_and_accepted_values_as_dbt_duckdb(tmp_path):
    project = write_project(tmp_path, {"models/w.sql": WEEKS, "models/schema.yml": SCHEMA})
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    # dbt-duckdb: whole days over seven, plus one when the second date's weekday wraps around
    assert query(project / "db.duckdb", "select crossed, same, joined from main.w") == [(0, 1, None)]
    [test_sql] = (project / "target/compiled/proj/models/schema.yml").glob("accepted_values_*.sql")
    assert "notin(0,1)" in _bare(test_sql.read_text())


def test_dateadd_on_an_untyped_literal_fails_as_under_dbt_duckdb(tmp_path):
    """dbt-duckdb adds the interval to the literal as written, which DuckDB rejects: the model
    errors (dbt-utils' own date_spine test expects that on DuckDB); other models still build."""
    project = write_project(tmp_path, {"models/bad.sql": "select {{ dbt.dateadd('day', 1, \"'2018-01-01'\") }} as d\n",
                                       "models/good.sql": "select 1 as id\n"})
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "ERROR" in result.output and "bad" in result.output
    assert query(project / "db.duckdb", "select id from main.good") == [(1,)]
