"""dbt's cross-database macros (core/src/fusion/jinja/macros/cross_database.sql): every macro applied to
literal inputs in a few models, built on DuckDB and on PostgreSQL, must give the same values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conftest import run_fusion, write_project

SCALARS = """
select
  cast('abc' as {{ dbt.type_string() }}) as t_string,
  cast('2024-01-02 03:04:05' as {{ dbt.type_timestamp() }}) as t_timestamp,
  cast(1.5 as {{ dbt.type_float() }}) as t_float,
  cast(12.3456789 as {{ dbt.type_numeric() }}) as t_numeric,
  cast(9000000000 as {{ dbt.type_bigint() }}) as t_bigint,
  cast('42' as {{ dbt.type_int() }}) as t_int,
  cast('true' as {{ dbt.type_boolean() }}) as t_boolean,
  {{ dbt.current_timestamp() }} as now_ts,

  {{ dbt.dateadd('day', 3, "cast('2024-01-30' as timestamp)") }} as add_day,
  {{ dbt.dateadd('month', 1, "cast('2024-01-31' as date)") }} as add_month,
  {{ dbt.dateadd('quarter', -1, "cast('2024-05-15' as timestamp)") }} as add_quarter,
  {{ dateadd(datepart='hour', interval=25, from_date_or_timestamp="cast('2024-01-01 00:00:00' as timestamp)") }} as add_hour,
  {{ dbt.dateadd('week', 2, "cast('2024-01-01 06:00:00' as timestamp)") }} as add_week,

  {{ dbt.datediff("'2023-12-31'", "'2024-01-01'", 'year') }} as diff_year,
  {{ dbt.datediff("'2023-01-01'", "'2024-12-31'", 'quarter') }} as diff_quarter,
  {{ dbt.datediff("'2024-01-31'", "'2024-02-01'", 'month') }} as diff_month,
  {{ dbt.datediff("'2024-01-07'", "'2024-01-08'", 'week') }} as diff_week_crossed,
  {{ dbt.datediff("'2024-01-01'", "'2024-01-07'", 'week') }} as diff_week_same,
  {{ dbt.datediff("'2024-01-01 23:00:00'", "'2024-01-02 01:00:00'", 'day') }} as diff_day,
  {{ dbt.datediff("cast('2024-03-01' as date)", "cast('2024-02-01' as date)", 'day') }} as diff_day_negative,
  {{ dbt.datediff("'2024-01-01 23:59:00'", "'2024-01-02 00:01:00'", 'hour') }} as diff_hour,
  {{ dbt.datediff("'2024-01-01 00:00:59'", "'2024-01-01 00:01:00'", 'minute') }} as diff_minute,
  {{ dbt.datediff("'2024-01-01 00:00:00.9'", "'2024-01-01 00:00:01.1'", 'second') }} as diff_second,
  {{ dbt.datediff("'2024-01-01 00:00:00'", "'2024-01-01 00:00:01.5'", 'millisecond') }} as diff_millisecond,
  {{ dbt.datediff("'2024-01-01 00:00:00'", "'2024-01-01 00:00:00.000123'", 'microsecond') }} as diff_microsecond,

  {{ dbt.date_trunc('month', "cast('2024-05-17 13:45:00' as timestamp)") }} as trunc_month,
  {{ dbt.date_trunc('week', "cast('2024-05-17 13:45:00' as timestamp)") }} as trunc_week,
  {{ dbt.last_day("cast('2024-02-10' as date)", 'month') }} as last_day_month,
  {{ dbt.last_day("cast('2024-05-10' as date)", 'quarter') }} as last_day_quarter,
  {{ dbt.last_day("cast('2024-05-10' as date)", 'year') }} as last_day_year,
  {{ dbt.date(2024, 2, 29) }} as a_date,

  {{ dbt.safe_cast("'42'", dbt.type_int()) }} as safe_cast_int,
  {{ dbt.cast("'2024-03-04'", 'date') }} as cast_date,
  {{ dbt.cast_bool_to_text('1 = 1') }} as bool_text_true,
  {{ dbt.cast_bool_to_text('1 = 2') }} as bool_text_false,

  {{ dbt.hash("'abc'") }} as hash_abc,
  {{ dbt.concat(["'a'", "'-'", "'b'"]) }} as concatenated,
  {{ dbt.split_part("'a,b,c'", "','", 2) }} as split_2,
  {{ dbt.split_part("'a,b,c'", "','", -1) }} as split_last,
  {{ dbt.split_part("'a,b,c'", "','", -3) }} as split_first_from_end,
  {{ dbt.split_part("'a,b,c'", "','", -4) }} as split_before_start,
  {{ dbt.split_part("'a,b,c'", "','", 5) }} as split_past_end,
  {{ dbt.split_part("'a||b||c'", "'||'", -2) }} as split_long_delimiter,
  {{ dbt.string_literal(dbt.escape_single_quotes("it's")) }} as escaped,
  {{ dbt.length("'hello'") }} as len,
  {{ dbt.position("'b'", "'abc'") }} as pos,
  {{ dbt.replace("'banana'", "'a'", "'o'") }} as replaced,
  {{ dbt.right("'abcdef'", 3) }} as right_3,

  {{ dbt.array_construct([1, 2, 3], 'integer') }} as arr,
  {{ dbt.array_construct([], 'integer') }} as arr_empty,
  {{ dbt.array_append(dbt.array_construct([1, 2], 'integer'), 3) }} as arr_appended,
  {{ dbt.array_concat(dbt.array_construct([1], 'integer'), dbt.array_construct([2, 3], 'integer')) }} as arr_concat,

  {{ dbt.equals('1', '1') }} as eq_same,
  {{ dbt.equals('1', '2') }} as eq_different,
  {{ dbt.equals('cast(null as int)', 'cast(null as int)') }} as eq_nulls
"""

AGGREGATES = """
with src as (
  select * from (values (1, 'a', true), (2, 'b', false), (3, 'c', false)) as t(n, s, flag)
)
select
  {{ dbt.listagg('s', "'|'", 'order by n desc') }} as agg_ordered,
  {{ dbt.listagg('s', "', '", 'order by n', 2) }} as agg_limited,
  length({{ dbt.listagg('s') }}) as agg_default_length,
  {{ dbt.any_value('n') }} as any_n,
  {{ dbt.bool_or('flag') }} as any_flag,
  {{ dbt.bool_or('n > 5') }} as any_big
from src
"""

SETS = """
select 'except' as op, n from (
  select n from (values (1), (2), (3)) as a(n) {{ dbt.except() }} select n from (values (2)) as b(n)
) as e
union all
select 'intersect' as op, n from (
  select n from (values (1), (2), (3)) as a(n) {{ dbt.intersect() }} select n from (values (2), (4)) as b(n)
) as i
"""

SPINE = """{{{{ config(materialized='table') }}}}
{{{{ dbt.date_spine('{part}', "cast('{start}' as date)", "cast('{end}' as date)") }}}}
"""

EXPECTED = {
    "t_string": "abc", "t_timestamp": dt.datetime(2024, 1, 2, 3, 4, 5), "t_float": 1.5,
    "t_numeric": Decimal("12.345679"), "t_bigint": 9000000000, "t_int": 42, "t_boolean": True,
    "add_day": dt.datetime(2024, 2, 2), "add_month": dt.datetime(2024, 2, 29),
    "add_quarter": dt.datetime(2024, 2, 15), "add_hour": dt.datetime(2024, 1, 2, 1),
    "add_week": dt.datetime(2024, 1, 15, 6),
    "diff_year": 1, "diff_quarter": 7, "diff_month": 1, "diff_week_crossed": 1, "diff_week_same": 0,
    "diff_day": 1, "diff_day_negative": -29, "diff_hour": 1, "diff_minute": 1, "diff_second": 1,
    "diff_millisecond": 1500, "diff_microsecond": 123,
    "trunc_month": dt.datetime(2024, 5, 1), "trunc_week": dt.datetime(2024, 5, 13),
    "last_day_month": dt.date(2024, 2, 29), "last_day_quarter": dt.date(2024, 6, 30),
    "last_day_year": dt.date(2024, 12, 31), "a_date": dt.date(2024, 2, 29),
    "safe_cast_int": 42, "cast_date": dt.date(2024, 3, 4), "bool_text_true": "true", "bool_text_false": "false",
    "hash_abc": "900150983cd24fb0d6963f7d28e17f72", "concatenated": "a-b",
    "split_2": "b", "split_last": "c", "split_first_from_end": "a", "split_before_start": "",
    "split_past_end": "", "split_long_delimiter": "b", "escaped": "it's", "len": 5, "pos": 2,
    "replaced": "bonono", "right_3": "def",
    "arr": [1, 2, 3], "arr_empty": [], "arr_appended": [1, 2, 3], "arr_concat": [1, 2, 3],
    "eq_same": True, "eq_different": False, "eq_nulls": None,
    "agg_ordered": "c|b|a", "agg_limited": "a, b", "agg_default_length": 5, "any_flag": True, "any_big": False,
}

#: where dbt's adapters themselves differ, each gives what its dbt adapter's SQL gives: dbt-duckdb
#: counts weeks as whole days over seven (corrected for wrapped weekdays) and its split_part
#: indexes a list (NULL outside it)
EXPECTED_BY_WAREHOUSE = {
    "duckdb": {"diff_week_crossed": 0, "diff_week_same": 1, "split_before_start": None, "split_past_end": None},
    "postgres": {},
}


def _norm(value):
    """One Python value whatever the driver returned (Decimal, numpy-ish lists, dates as datetimes)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    if hasattr(value, "tolist"):
        return _norm(value.tolist())
    return value


def _row(warehouse, table: str) -> dict:
    columns = [r[0] for r in warehouse.query(
        "select column_name from information_schema.columns "
        f"where table_schema = 'main' and table_name = '{table}' order by ordinal_position")]
    [values] = warehouse.query(f"select {', '.join(columns)} from main.{table}")
    return dict(zip(columns, (_norm(v) for v in values), strict=True))


def test_cross_database_macros(warehouse, tmp_path):
    spines = {"spine_day": ("day", "2024-01-30", "2024-02-03"),
              "spine_month": ("month", "2024-01-01", "2025-01-01"),
              "spine_long": ("day", "2021-03-15", "2024-01-01"),
              "spine_empty": ("day", "2024-01-01", "2024-01-01")}
    files = {"models/scalars.sql": SCALARS, "models/aggregates.sql": AGGREGATES, "models/sets.sql": SETS}
    for name, (part, start, end) in spines.items():
        files[f"models/{name}.sql"] = SPINE.format(part=part, start=start, end=end)
    project = warehouse.project(tmp_path, files)
    result = run_fusion(project, "run")
    assert result.code == 0, result.output

    got = {**_row(warehouse, "scalars"), **_row(warehouse, "aggregates")}
    now = got.pop("now_ts")
    assert isinstance(now, dt.datetime)
    now_utc = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - now_utc) < dt.timedelta(days=1)
    assert got.pop("any_n") in (1, 2, 3)
    got["t_numeric"] = Decimal(str(got["t_numeric"]))  # PostgreSQL's driver hands numerics over as text
    for column in ("last_day_month", "last_day_quarter", "last_day_year", "a_date", "cast_date"):
        assert type(got[column]) is dt.date, (column, got[column])
    assert got == {**EXPECTED, **EXPECTED_BY_WAREHOUSE[warehouse.name]}

    assert sorted(warehouse.query("select op, n from main.sets")) == [("except", 1), ("except", 3), ("intersect", 2)]

    def spine(name):
        rows = [r[0] for r in warehouse.query(f"select date_{spines[name][0]} from main.{name} order by 1")]
        return [v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time()) for v in rows]

    assert spine("spine_day") == [dt.datetime(2024, 1, 30) + dt.timedelta(days=i) for i in range(4)]
    assert spine("spine_month") == [dt.datetime(2024, m, 1) for m in range(1, 13)]
    long = spine("spine_long")
    assert len(long) == (dt.date(2024, 1, 1) - dt.date(2021, 3, 15)).days
    assert (long[0], long[-1]) == (dt.datetime(2021, 3, 15), dt.datetime(2023, 12, 31))
    assert len(set(long)) == len(long)
    assert spine("spine_empty") == []


def test_safe_cast_is_a_plain_cast_on_duckdb(tmp_path):
    """dbt-duckdb keeps dbt's default safe_cast, a plain cast: a value that does not convert
    fails the model (a try_cast would hide it as null, which dbt never does there)."""
    project = write_project(tmp_path, {"models/m.sql": "{{ config(materialized='table') }}"
                                       "select {{ dbt.safe_cast(\"'x'\", dbt.type_int()) }} as v"})
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "Conversion Error" in result.output
