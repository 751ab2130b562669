"""``materialized: materialized_view`` on Redshift, which cannot rename a materialized view:
an existing one is refreshed, or (``--full-refresh``, or another kind of relation stands there)
dropped and created again, as dbt-redshift does."""

from __future__ import annotations

from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.persist import finish
from fusion.materializations.relations import build_transaction, existing_relation, prepare_schema


def run_materialized_view(ctx: MaterializationContext) -> MaterializationResult:
    prepare_schema(ctx)
    adapter = ctx.adapter
    target = ctx.relation.incorporate(type="materialized_view")
    existing = existing_relation(ctx)
    with build_transaction(ctx):
        if existing is not None and existing.type == "materialized_view" and not ctx.full_refresh:
            response, _ = adapter.execute(ctx.macro("refresh_materialized_view", target))
        else:
            if existing is not None:
                adapter.drop_relation(existing)
            response, _ = adapter.execute(ctx.macro("get_create_materialized_view_as_sql", target, ctx.sql))
            adapter.cache_added(target)
        finish(ctx, target, existing)
    return MaterializationResult("success", "OK", response)
