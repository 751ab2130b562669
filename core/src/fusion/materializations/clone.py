"""``fusion clone``: the node's relation here becomes a view over (or, where the adapter can, a
zero-copy clone of) its relation in the ``--state`` run, as dbt's clone materialization does."""

from __future__ import annotations

from dataclasses import replace

from fusion import events
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.relations import drop_if_exists, existing_relation, prepare_schema
from fusion.materializations.standard import run_view


def run_clone(ctx: MaterializationContext) -> MaterializationResult:
    source = ctx.defer_relation
    if source is None:
        events.emit("CloneNoState", f"No relation found in state manifest for {ctx.node.unique_id}", level="info")
        return MaterializationResult("success", "No-op")
    existing = existing_relation(ctx)
    if existing is not None and not ctx.full_refresh:
        events.emit("CloneExists", f"Relation {existing} already exists", level="info")
        return MaterializationResult("success", "No-op")
    adapter = ctx.adapter
    found = adapter.get_relation(source.database, source.schema, source.identifier)
    if adapter.clone_table_sql is not None and found is not None and found.type == "table":
        target = ctx.relation.incorporate(type="table")
        if (target.database, target.schema, target.identifier) == (found.database, found.schema, found.identifier):
            return MaterializationResult("success", "No-op")
        prepare_schema(ctx)
        if existing is not None and existing.type != "table":
            drop_if_exists(ctx, existing)
        response, _ = adapter.execute(adapter.clone_table_sql.format(target=target, source=found))
        adapter.cache_added(target)
        return MaterializationResult("success", "OK", response)
    return run_view(replace(ctx, sql=f"select * from {source}"))
