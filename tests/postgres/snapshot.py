"""The canonical picture of a PostgreSQL database that tests/expected/shop_postgres holds.

Standard library only: ``query`` is any callable running SQL and returning a list of tuples
(the tests pass the signed ADBC driver, regenerate.py passes dbt Core's psycopg2). The form is
described in tests/expected/README.md ("shop_postgres/").
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

Query = Callable[[str], list[tuple]]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


RELATIONS_SQL = (
    "select table_schema, table_name, table_type from information_schema.tables "
    "where table_catalog = current_database() "
    "and table_schema not in ('information_schema', 'pg_catalog') and table_schema not like 'pg\\_%' "
    'order by table_schema collate "C", table_name collate "C"'
)


def columns_sql(schema: str, name: str) -> str:
    return ("select column_name, data_type from information_schema.columns "
            f"where table_catalog = current_database() and table_schema = {literal(schema)} "
            f"and table_name = {literal(name)} order by ordinal_position")


def rows_sql(schema: str, name: str, columns: list[str]) -> str:
    """Every column cast to text; rows ordered by those texts in code-point order, NULL last."""
    texts = [f"cast({quote_ident(c)} as text)" for c in columns]
    select = ", ".join(f"{t} as {quote_ident(c)}" for t, c in zip(texts, columns, strict=True))
    order = ", ".join(f'{t} collate "C" asc nulls last' for t in texts)
    return f"select {select} from {quote_ident(schema)}.{quote_ident(name)} order by {order}"


def snapshot(query: Query) -> dict:
    """``{"relations": [...], "columns": {...}, "rows": {"schema.name": [tuple, ...]}}``."""
    out: dict = {"relations": [], "columns": {}, "rows": {}}
    for schema, name, table_type in query(RELATIONS_SQL):
        kind = {"BASE TABLE": "table", "VIEW": "view"}[table_type]
        out["relations"].append({"schema": schema, "name": name, "type": kind})
        columns = [list(c) for c in query(columns_sql(schema, name))]
        out["columns"][f"{schema}.{name}"] = columns
        out["rows"][f"{schema}.{name}"] = [tuple(r) for r in query(rows_sql(schema, name, [c for c, _ in columns]))]
    return out


def summarize_results(run_results: dict) -> dict:
    """``{unique_id: {"status": ..., "failures": ... (tests only)}}`` from run_results.json."""
    out = {}
    for result in run_results["results"]:
        uid = result["unique_id"]
        entry = {"status": result["status"]}
        if uid.startswith("test."):
            entry["failures"] = result["failures"]
        out[uid] = entry
    return dict(sorted(out.items()))


def write(snap: dict, results: dict, folder: Path) -> None:
    """Write one run's files: ``<schema>.<name>.csv``, relations/columns/results.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for relation, rows in snap["rows"].items():
        with open(folder / f"{relation}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c for c, _ in snap["columns"][relation]])
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
    for name, data in (("results", results), ("relations", snap["relations"]), ("columns", snap["columns"])):
        (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")


def read(folder: Path) -> dict:
    """The files ``write`` wrote, in ``snapshot``'s shape, plus ``"results"``."""
    relations = json.loads((folder / "relations.json").read_text())
    out = {"relations": relations, "columns": json.loads((folder / "columns.json").read_text()), "rows": {},
           "results": json.loads((folder / "results.json").read_text())}
    for rel in relations:
        key = f"{rel['schema']}.{rel['name']}"
        with open(folder / f"{key}.csv", newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            out["rows"][key] = [tuple(None if v == "" else v for v in row) for row in reader]
    return out
