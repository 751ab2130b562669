"""Model contracts (``contract: {enforced: true}``): the query must return exactly the declared
columns with the declared types, checked before anything is built; constraints are emitted
into the table's DDL where the warehouse supports them.

Declared types are normalised by the warehouse itself (a probe table with the declared
column list), so ``int``/``integer``/``int4`` compare equal wherever the database says so.
"""

from __future__ import annotations

from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext

CONSTRAINT_SQL = {
    "not_null": "not null",
    "unique": "unique",
    "primary_key": "primary key",
}


def _where(ctx: MaterializationContext) -> str:
    """The properties YAML that declares the contract (else the model file)."""
    return (ctx.node.patch_path or "").split("://", 1)[-1] or ctx.node.original_file_path


def contract_enforced(ctx: MaterializationContext) -> bool:
    return bool((ctx.config.get("contract") or {}).get("enforced"))


def _declared(ctx: MaterializationContext) -> list[dict]:
    columns = list(ctx.node.columns.values())
    missing = [c["name"] for c in columns if not c.get("data_type")]
    if not columns or missing:
        raise CompilationError(
            f"the contract of {ctx.node.name} needs a data_type for every column"
            + (f" (missing: {', '.join(missing)})" if missing else " (no columns are declared)"),
            path=_where(ctx),
            hint="declare `columns:` with `data_type:` in the model's properties YAML")
    return columns


def column_name(adapter, column: dict) -> str:
    """A declared column as DDL names it: quoted only when its properties say ``quote: true`` (as in
    dbt), so that a warehouse folding unquoted names (Snowflake) stores it as it stores the rest."""
    return adapter.quote(column["name"]) if column.get("quote") else column["name"]


def render_columns(adapter, columns, with_constraints: bool) -> list[str]:
    """``name type [constraints]`` for each declared column."""
    parts = []
    for column in columns:
        text = f"{column_name(adapter, column)} {column['data_type']}"
        if with_constraints:
            for constraint in column.get("constraints") or []:
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
    for constraint in constraints or []:
        columns = ", ".join(constraint.get("columns") or [])  # as written, like column names
        if constraint.get("type") in ("primary_key", "unique") and columns:
            parts.append(f"{CONSTRAINT_SQL[constraint['type']]} ({columns})")
        elif constraint.get("type") == "check" and constraint.get("expression"):
            parts.append(f"check ({constraint['expression']})")
    return parts


def column_ddl(ctx: MaterializationContext, with_constraints: bool) -> str:
    parts = render_columns(ctx.adapter, _declared(ctx), with_constraints)
    if with_constraints:
        parts += render_model_constraints(ctx.adapter, ctx.config.get("constraints"))
    return ", ".join(parts)


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


def assert_contract(ctx: MaterializationContext) -> None:
    """Fail before building when the query's columns differ from the contract."""
    adapter = ctx.adapter
    declared = adapter.columns_of_query("", ctx.relation, columns_ddl=column_ddl(ctx, with_constraints=False))
    actual = adapter.columns_of_query(ctx.sql, ctx.relation, header=ctx.config.get("sql_header"))
    problems = contract_problems(declared, actual)
    if problems:
        raise CompilationError(f"the contract of {ctx.node.name} is not met:\n  " + "\n  ".join(problems),
                               path=_where(ctx),
                               hint="change the model's SQL or the columns declared in its YAML")
