"""Relation steps shared by materializations: intermediate names, swaps, schema creation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from fusion.adapter import AdapterResponse
from fusion.jinja.context import is_builtin
from fusion.materializations import MaterializationContext
from fusion.relation import Relation


def with_suffix(relation: Relation, suffix: str, type_: str | None = None) -> Relation:
    return relation.incorporate(path={"identifier": f"{relation.identifier}{suffix}"},
                                type=type_ or relation.type)


def existing_relation(ctx: MaterializationContext) -> Relation | None:
    rel = ctx.relation
    return ctx.adapter.get_relation(rel.database, rel.schema, rel.identifier)


def drop_if_exists(ctx: MaterializationContext, relation: Relation) -> None:
    found = ctx.adapter.get_relation(relation.database, relation.schema, relation.identifier)
    if found is not None:
        ctx.adapter.drop_relation(found)


def swap_in(ctx: MaterializationContext, built: Relation, existing: Relation | None) -> None:
    """Replace ``existing`` by ``built`` (same schema), keeping the old one until the new is in."""
    adapter, target = ctx.adapter, ctx.relation
    backup = None
    if existing is not None:
        backup_rel = with_suffix(target, "__dbt_backup", existing.type)
        drop_if_exists(ctx, backup_rel)
        backup = adapter.rename_relation(existing, backup_rel.identifier)
    adapter.rename_relation(built, target.identifier)
    if backup is not None:
        adapter.drop_relation(backup)


def prepare_schema(ctx: MaterializationContext) -> None:
    ctx.adapter.create_schema(ctx.relation.database, ctx.relation.schema)


def build_beside_and_swap(ctx: MaterializationContext, target: Relation, existing: Relation | None,
                          ddl: Callable[[Relation], str]) -> AdapterResponse:
    """Create ``<name>__dbt_tmp`` with ``ddl(temp)``, then swap it in for ``existing``."""
    return create_beside_and_swap(ctx, target, existing, lambda temp: ctx.adapter.execute(ddl(temp))[0])


def create_beside_and_swap(ctx: MaterializationContext, target: Relation, existing: Relation | None,
                           create: Callable[[Relation], AdapterResponse]) -> AdapterResponse:
    """Build ``<name>__dbt_tmp`` with ``create(temp)``, then swap it in for ``existing``."""
    temp = with_suffix(target, "__dbt_tmp", target.type)
    drop_if_exists(ctx, temp)
    response = create(temp)
    ctx.adapter.cache_added(temp)
    swap_in(ctx, temp, existing)
    return response


def replace_in_place(ctx: MaterializationContext, target: Relation, existing: Relation | None,
                     ddl: Callable[[Relation], str]) -> AdapterResponse:
    """Build ``target`` with ``ddl(target)`` (a ``create or replace``), dropping first an existing
    relation of another type, which ``create or replace`` would not replace."""
    if existing is not None and existing.type != target.type:
        ctx.adapter.drop_relation(existing)
    response, _ = ctx.adapter.execute(ddl(target))
    ctx.adapter.cache_added(target)
    return response


def drop_and_create(ctx: MaterializationContext, target: Relation, existing: Relation | None,
                    ddl: Callable[[Relation], str]) -> AdapterResponse:
    """Drop ``existing``, then build ``target`` with ``ddl(target)`` (where DDL is not transactional,
    a failed build leaves no relation)."""
    if existing is not None:
        ctx.adapter.drop_relation(existing)
    response, _ = ctx.adapter.execute(ddl(target))
    ctx.adapter.cache_added(target)
    return response


def create_if_missing(ctx: MaterializationContext, target: Relation, existing: Relation | None,
                      ddl: Callable[[Relation], str]) -> AdapterResponse:
    """Build ``target`` with ``ddl(target)`` only where nothing stands yet; an existing one is kept."""
    if existing is not None:
        return AdapterResponse()
    return drop_and_create(ctx, target, None, ddl)


#: the steps around a build (hooks, grants, persisted docs) and the dbt-dispatched macros they call
_STEP_MACROS = ("run_hooks", "should_revoke", "apply_grants", "persist_docs")
_DISPATCHED_STEPS = ("apply_grants", "persist_docs", "copy_grants")


def without_steps(ctx: MaterializationContext) -> bool:
    """Whether the hooks, grants and persisted-docs steps around a build would run nothing: the
    node has none of them and no project or package overrides the macros that run them."""
    config, namespace = ctx.config, ctx.namespace
    if namespace.get("pre_hooks") or namespace.get("post_hooks") or config.get("grants") \
            or any((config.get("persist_docs") or {}).values()):
        return False
    runtime = namespace.runtime
    return all(is_builtin(namespace.get(name), runtime) for name in _STEP_MACROS) and all(
        is_builtin(runtime.dispatch_macro(namespace, name, "dbt"), runtime) for name in _DISPATCHED_STEPS)


@contextlib.contextmanager
def build_transaction(ctx: MaterializationContext):
    """Hooks around one transaction: out-of-transaction pre-hooks, then inside it the pre-hooks,
    the build (the ``with`` body) and the post-hooks; out-of-transaction post-hooks after commit."""
    ctx.run_hooks("pre_hook", inside_transaction=False)
    with ctx.adapter.transaction():
        ctx.run_hooks("pre_hook")
        yield
        ctx.run_hooks("post_hook")
    ctx.run_hooks("post_hook", inside_transaction=False)
