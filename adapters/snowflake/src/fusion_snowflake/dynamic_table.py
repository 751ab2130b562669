"""``materialized='dynamic_table'``: a table Snowflake keeps up to date from its query.

The first build (or ``--full-refresh``, or a relation of another type in its place) creates it;
later builds apply ``target_lag``/``snowflake_warehouse`` (``on_configuration_change: apply``,
the default) and refresh it. Snowflake cannot change a dynamic table's query in place: a changed
query needs ``--full-refresh``, as in dbt-snowflake.
"""

from __future__ import annotations

from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.persist import finish
from fusion.materializations.relations import build_transaction, existing_relation, prepare_schema, replace_in_place

ON_CONFIGURATION_CHANGE = ("apply", "continue")


def _check(ctx: MaterializationContext) -> str:
    where = ctx.node.original_file_path
    if not ctx.config.get("snowflake_warehouse"):
        raise CompilationError("a dynamic_table needs `snowflake_warehouse` (the warehouse that refreshes it)",
                               path=where)
    if not (ctx.config.get("target_lag") or ctx.config.get("scheduler")):
        raise CompilationError("a dynamic_table needs `target_lag` (e.g. '5 minutes' or 'downstream')",
                               path=where, hint="or set scheduler: DISABLE to refresh it only when Fusion runs")
    change = ctx.config.get("on_configuration_change") or "apply"
    if change not in ON_CONFIGURATION_CHANGE:
        raise CompilationError(f"on_configuration_change {change!r} is not supported for dynamic tables "
                               f"(supported: {', '.join(ON_CONFIGURATION_CHANGE)})", path=where)
    return change


def run_dynamic_table(ctx: MaterializationContext) -> MaterializationResult:
    change = _check(ctx)
    prepare_schema(ctx)
    target = ctx.relation.incorporate(type="dynamic_table")
    existing = existing_relation(ctx)
    with build_transaction(ctx):
        rebuilt = existing is None or ctx.full_refresh or existing.type != "dynamic_table"
        if rebuilt:
            response = replace_in_place(
                ctx, target, existing, lambda relation: ctx.macro("get_create_dynamic_table_as_sql", relation, ctx.sql))
        else:
            if change == "apply":
                ctx.adapter.execute(ctx.macro("get_alter_dynamic_table_sql", target))
            response, _ = ctx.adapter.execute(ctx.macro("refresh_dynamic_table", target))
        finish(ctx, target, existing, full_refresh_mode=rebuilt)
    return MaterializationResult("success", "OK", response)
