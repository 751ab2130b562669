"""dbt's cross-database macros in Snowflake's dialect, on the fakesnow server: the same models
and expected values as tests/test_cross_database_macros.py (DuckDB and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import run_fusion
from servers import write_target_project
from test_cross_database_macros import AGGREGATES, EXPECTED, SCALARS, SETS, SPINE, _norm

pytestmark = pytest.mark.snowflake

LIMITED = "{{ dbt.listagg('s', \"', '\", 'order by n', 2) }} as agg_limited,"


def test_cross_database_macros(tmp_path, fakesnow, sf_database, sf_query):
    spines = {"spine_day": ("day", "2024-01-30", "2024-02-03"), "spine_month": ("month", "2024-01-01", "2025-01-01")}
    assert LIMITED in AGGREGATES
    files = {"models/scalars.sql": SCALARS, "models/aggregates.sql": AGGREGATES.replace(LIMITED, ""),
             "models/limited.sql": f"select {LIMITED[:-1]} from (values (1, 'a'), (2, 'b'), (3, 'c')) as src(n, s)\n",
             "models/sets.sql": SETS}
    for name, (part, start, end) in spines.items():
        files[f"models/{name}.sql"] = SPINE.format(part=part, start=start, end=end)
    project = write_target_project(tmp_path, files, fakesnow.target(sf_database, "analytics"))
    result = run_fusion(project, "run")
    # fakesnow reads array_agg's result as JSON text, so array_slice over it fails; Snowflake
    # slices the array: only that model fails here, with the emulator's error
    assert result.code == 1 and "ERROR creating sql view model analytics.limited" in result.output, result.output
    assert "Invalid LIST argument during lambda function binding" in result.output
    assert result.output.count("ERROR creating") == 1
    compiled = (project / "target" / "compiled" / "proj" / "models" / "limited.sql").read_text()
    assert "array_to_string(array_slice(array_agg(s) within group (order by n), 0, 2), ', ')" in compiled

    def row(table: str) -> dict:
        # arrays are read as text: fakesnow fails (HTTP 500) to return an ARRAY column of a view,
        # and describes it as a DuckDB list (INTEGER[]) where Snowflake says ARRAY
        columns = [(r[0].lower(), r[1]) for r in sf_query(f"describe table analytics.{table}")]
        exprs = [f"array_to_string({c}, ',')" if kind == "ARRAY" or kind.endswith("[]") else c for c, kind in columns]
        [values] = sf_query(f"select {', '.join(exprs)} from analytics.{table}")
        return dict(zip((c for c, _ in columns), (_norm(v) for v in values), strict=True))

    got = {**row("scalars"), **row("aggregates")}
    now = got.pop("now_ts")
    assert abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - now) < dt.timedelta(minutes=5)  # UTC, no zone
    assert got.pop("any_n") in (1, 2, 3)
    for column in ("arr", "arr_empty", "arr_appended", "arr_concat"):
        got[column] = [int(v) for v in got[column].split(",") if v]
    for column in ("last_day_month", "last_day_quarter", "last_day_year", "a_date", "cast_date"):
        assert type(got[column]) is dt.date, (column, got[column])
    got["t_numeric"] = Decimal(str(got["t_numeric"]))
    # Snowflake's dateadd keeps a DATE a DATE (so does dbt-snowflake's macro); interval arithmetic
    # on DuckDB and PostgreSQL gives a timestamp: the same day either way
    assert got.pop("add_month") == dt.date(2024, 2, 29)
    assert got == {k: v for k, v in EXPECTED.items() if k not in ("agg_limited", "add_month")}

    assert sorted(sf_query("select op, n from analytics.sets")) == [("except", 1), ("except", 3), ("intersect", 2)]
    days = [r[0] for r in sf_query("select date_day from analytics.spine_day order by 1")]
    assert days == [dt.date(2024, 1, 30) + dt.timedelta(days=i) for i in range(4)]  # dates, as add_month
    assert len(sf_query("select date_month from analytics.spine_month")) == 12
