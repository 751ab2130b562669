"""After a relation is built: ``persist_docs`` comments and ``grants``, by macro."""

from __future__ import annotations

from fusion.materializations import MaterializationContext
from fusion.relation import Relation


def persist_docs(ctx: MaterializationContext, relation: Relation) -> None:
    wanted = ctx.config.get("persist_docs") or {}
    adapter = ctx.adapter
    if wanted.get("relation") and ctx.node.description:
        adapter.execute(ctx.macro("alter_relation_comment", relation, ctx.node.description))
    if wanted.get("columns"):
        present = {c.name.lower() for c in adapter.get_columns_in_relation(relation)}
        for column in ctx.node.columns.values():
            if column.get("description") and column["name"].lower() in present:
                adapter.execute(ctx.macro("alter_column_comment", relation, column["name"], column["description"]))


def apply_grants(ctx: MaterializationContext, relation: Relation) -> None:
    for privilege, grantees in (ctx.config.get("grants") or {}).items():
        grantees = [grantees] if isinstance(grantees, str) else list(grantees or [])
        if grantees:
            sql = ctx.macro("get_grant_sql", relation, privilege, grantees)
            if sql:
                ctx.adapter.execute(sql)


def finish(ctx: MaterializationContext, relation: Relation) -> None:
    apply_grants(ctx, relation)
    persist_docs(ctx, relation)
