"""Building a model's table: from its SQL, or from its Python model's result."""

from __future__ import annotations

from fusion.adapter import AdapterResponse
from fusion.contract_sql import column_name
from fusion.materializations import MaterializationContext
from fusion.materializations.contracts import column_ddl, contract_enforced
from fusion.materializations.python_model import build_python_table
from fusion.materializations.relations import (
    build_beside_and_swap,
    create_if_missing,
    drop_and_create,
    replace_in_place,
)
from fusion.relation import Relation


def build_table(ctx: MaterializationContext, existing: Relation | None) -> AdapterResponse:
    if ctx.node.language == "python":
        return build_python_table(ctx, existing)
    if contract_enforced(ctx):  # checked by the caller before its transaction began
        names = [column_name(ctx.adapter, c) for c in ctx.node.columns.values()]

        def ddl(temp):
            return ctx.macro("create_table_with_columns", temp, column_ddl(ctx, with_constraints=True), names,
                             ctx.sql)
    else:
        def ddl(temp):
            return ctx.macro("create_table_as", False, temp, ctx.sql)
    target = ctx.relation.incorporate(type="table")
    build = {"replace": replace_in_place, "drop": drop_and_create, "skip": create_if_missing}.get(
        ctx.adapter.table_replacement(ctx.config), build_beside_and_swap)
    return build(ctx, target, existing, ddl)
