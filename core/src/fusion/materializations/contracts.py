"""Model contracts (``contract: {enforced: true}``): the query must return exactly the declared
columns with the declared types, checked before anything is built; constraints are emitted
into the table's DDL where the warehouse supports them.

Declared types are normalised by the warehouse itself (a probe table with the declared
column list), so ``int``/``integer``/``int4`` compare equal wherever the database says so.
"""

from __future__ import annotations

from fusion.contract_sql import contract_problems, render_columns, render_model_constraints
from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext


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


def column_ddl(ctx: MaterializationContext, with_constraints: bool) -> str:
    parts = render_columns(ctx.adapter, _declared(ctx), with_constraints)
    if with_constraints:
        parts += render_model_constraints(ctx.adapter, ctx.config.get("constraints"))
    return ", ".join(parts)


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
