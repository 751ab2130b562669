"""The SQL side of model contracts, shared by materializations and templates: declared columns
and constraints as DDL text, and how a query's columns differ from the declared ones."""

from __future__ import annotations

CONSTRAINT_SQL = {
    "not_null": "not null",
    "unique": "unique",
    "primary_key": "primary key",
}


def column_name(adapter, column: dict) -> str:
    """A declared column as DDL names it: quoted only when its properties say ``quote: true`` (as in
    dbt), so that a warehouse folding unquoted names (Snowflake) stores it as it stores the rest."""
    return adapter.quote(column["name"]) if column.get("quote") else column["name"]


def _supported(adapter, constraints) -> list[dict]:
    """The constraints the adapter's warehouse accepts in DDL (the others are left out, as dbt does)."""
    return [c for c in constraints or [] if c.get("type") not in adapter.unsupported_constraints]


def render_columns(adapter, columns, with_constraints: bool) -> list[str]:
    """``name type [constraints]`` for each declared column."""
    parts = []
    for column in columns:
        text = f"{column_name(adapter, column)} {column['data_type']}"
        if with_constraints:
            for constraint in _supported(adapter, column.get("constraints")):
                kind = constraint.get("type")
                if kind in CONSTRAINT_SQL:
                    text += f" {CONSTRAINT_SQL[kind]}"
                elif kind == "check" and constraint.get("expression"):
                    text += f" check ({constraint['expression']})"
        parts.append(text)
    return parts


def render_model_constraints(adapter, constraints) -> list[str]:
    """Table-level ``primary key (...)``, ``unique (...)`` and ``check (...)`` clauses."""
    parts = []
    for constraint in _supported(adapter, constraints):
        columns = ", ".join(constraint.get("columns") or [])  # as written, like column names
        if constraint.get("type") in ("primary_key", "unique") and columns:
            parts.append(f"{CONSTRAINT_SQL[constraint['type']]} ({columns})")
        elif constraint.get("type") == "check" and constraint.get("expression"):
            parts.append(f"check ({constraint['expression']})")
    return parts


def contract_problems(declared, actual) -> list[str]:
    """How the query's columns (``actual``) differ from the contract's (``declared``)."""
    want = {c.name.lower(): c for c in declared}
    have = {c.name.lower(): c for c in actual}
    problems = []
    for name, column in want.items():
        if name not in have:
            problems.append(f"{column.name}: declared {column.dtype}, missing from the query")
        elif have[name].dtype.lower() != column.dtype.lower():
            problems.append(f"{column.name}: declared {column.dtype}, the query returns {have[name].dtype}")
    problems += [f"{c.name}: returned by the query ({c.dtype}) but not in the contract"
                 for name, c in have.items() if name not in want]
    return problems
