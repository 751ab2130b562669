"""The incremental materialization: first run builds a table; later runs move new rows in.

New rows are staged in ``<name>__dbt_tmp`` (a regular table in the target schema, so every
adapter can inspect its columns), schema drift is handled per ``on_schema_change``, and the
strategy's SQL comes from ``get_incremental_<strategy>_sql``. All of it runs in one
transaction: a failure leaves the previous table untouched.
"""

from __future__ import annotations

from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.contracts import assert_contract, contract_enforced
from fusion.materializations.microbatch import run_microbatch
from fusion.materializations.persist import finish
from fusion.materializations.relations import (
    build_table,
    build_transaction,
    drop_if_exists,
    existing_relation,
    prepare_schema,
    with_suffix,
)
from fusion.relation import Column, Relation

ON_SCHEMA_CHANGE = ("ignore", "fail", "append_new_columns", "sync_all_columns")


def _full_refresh(ctx: MaterializationContext) -> bool:
    configured = ctx.config.get("full_refresh")
    return ctx.full_refresh if configured is None else bool(configured)


def _strategy(ctx: MaterializationContext) -> str:
    adapter = ctx.adapter
    strategy = ctx.config.get("incremental_strategy") or adapter.default_incremental_strategy
    if strategy not in adapter.incremental_strategies and not ctx.namespace.get(
            f"get_incremental_{strategy.replace('+', '_')}_sql"):
        raise CompilationError(
            f"incremental strategy {strategy!r} is not supported by {adapter.type_name} "
            f"(supported: {', '.join(adapter.incremental_strategies)})", path=ctx.node.original_file_path,
            hint=f"or define a macro get_incremental_{strategy}_sql(arg_dict)")
    return strategy


def _same_type(a: Column, b: Column) -> bool:
    return a.data_type.replace(" ", "").lower() == b.data_type.replace(" ", "").lower()


def sync_schema(ctx: MaterializationContext, target: Relation, staged: Relation) -> list[Column]:
    """Apply ``on_schema_change``; return the columns rows are moved through."""
    policy = ctx.config.get("on_schema_change") or "ignore"
    if policy not in ON_SCHEMA_CHANGE:
        raise CompilationError(f"on_schema_change must be one of {', '.join(ON_SCHEMA_CHANGE)}, got {policy!r}",
                               path=ctx.node.original_file_path)
    adapter = ctx.adapter
    have = adapter.get_columns_in_relation(target)
    want = adapter.get_columns_in_relation(staged)
    have_by_name = {c.name.lower(): c for c in have}
    want_by_name = {c.name.lower(): c for c in want}
    added = [c for c in want if c.name.lower() not in have_by_name]
    removed = [c for c in have if c.name.lower() not in want_by_name]
    changed = [c for c in want if c.name.lower() in have_by_name and not _same_type(c, have_by_name[c.name.lower()])]
    if policy == "ignore" or not (added or removed or changed):
        return [c for c in have if c.name.lower() in want_by_name] if policy != "ignore" else have
    if policy == "fail":
        raise CompilationError(
            "the source and target schemas of this incremental model are out of sync: "
            + "; ".join(part for part in (
                added and "new columns " + ", ".join(c.name for c in added),
                removed and "missing columns " + ", ".join(c.name for c in removed),
                changed and "changed types " + ", ".join(c.name for c in changed)) if part),
            path=ctx.node.original_file_path,
            hint="run with --full-refresh, or set on_schema_change to append_new_columns or sync_all_columns")
    for column in added:
        adapter.execute(f"alter table {target} add column {adapter.quote(column.name)} {column.data_type}")
    if policy == "sync_all_columns":
        for column in removed:
            adapter.execute(f"alter table {target} drop column {adapter.quote(column.name)}")
        for column in changed:
            adapter.execute(f"alter table {target} alter column {adapter.quote(column.name)} "
                            f"type {column.data_type}")
        return want
    return [*[c for c in have], *added]


def run_incremental(ctx: MaterializationContext) -> MaterializationResult:
    prepare_schema(ctx)
    adapter = ctx.adapter
    existing = existing_relation(ctx)
    strategy = _strategy(ctx)
    if strategy == "microbatch":
        return run_microbatch(ctx, existing, _full_refresh(ctx))
    if contract_enforced(ctx):
        assert_contract(ctx)
    with build_transaction(ctx):
        if existing is None or _full_refresh(ctx) or existing.type != "table":
            response = build_table(ctx, existing)
        else:
            staged = with_suffix(ctx.relation.incorporate(type="table"), "__dbt_tmp", "table")
            drop_if_exists(ctx, staged)
            adapter.execute(ctx.macro("create_table_as", False, staged, ctx.sql))
            adapter.cache_added(staged)
            arguments = {
                "target_relation": existing, "temp_relation": staged, "unique_key": ctx.config.get("unique_key"),
                "dest_columns": sync_schema(ctx, existing, staged),
                "incremental_predicates": ctx.config.get("incremental_predicates"),
            }
            response, _ = adapter.execute(ctx.macro(f"get_incremental_{strategy.replace('+', '_')}_sql", arguments))
            adapter.drop_relation(staged)
        finish(ctx, ctx.relation.incorporate(type="table"))
    return MaterializationResult("success", "OK", response)
