"""After a relation is built: ``grants`` and ``persist_docs``, through the ``apply_grants`` and
``persist_docs`` macros (so adapters and projects decide what runs, as in dbt)."""

from __future__ import annotations

from fusion.materializations import MaterializationContext
from fusion.relation import Relation


def finish(ctx: MaterializationContext, relation: Relation, existing: Relation | None,
           full_refresh_mode: bool = True) -> None:
    """``existing``: what stood there before the build; ``full_refresh_mode``: whether it was
    replaced (grants found on it are revoked only if they may have carried over)."""
    should_revoke = ctx.macro("should_revoke", existing, full_refresh_mode)
    ctx.macro("apply_grants", relation, ctx.config.get("grants") or {}, should_revoke)
    ctx.macro("persist_docs", relation, ctx.namespace["model"])
