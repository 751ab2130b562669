"""The incremental materialization: first run builds a table; later runs move new rows in.

New rows are staged in ``<name>__dbt_tmp`` (a regular table in the target schema, so every
adapter can inspect its columns), schema drift is handled per ``on_schema_change``, and the
strategy's SQL comes from ``get_incremental_<strategy>_sql`` (``default`` when none is set). All of it runs in one
transaction: a failure leaves the previous table untouched.
"""

from __future__ import annotations

from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.contracts import assert_contract, contract_enforced
from fusion.materializations.microbatch import run_microbatch
from fusion.materializations.persist import finish
from fusion.materializations.relations import (
    build_transaction,
    drop_if_exists,
    existing_relation,
    prepare_schema,
    with_suffix,
)
from fusion.materializations.tables import build_table
from fusion.relation import Column, Relation

ON_SCHEMA_CHANGE = ("ignore", "fail", "append_new_columns", "sync_all_columns")


def _full_refresh(ctx: MaterializationContext) -> bool:
    configured = ctx.config.get("full_refresh")
    return ctx.full_refresh if configured is None else bool(configured)


def _strategy(ctx: MaterializationContext) -> str:
    adapter = ctx.adapter
    strategy = ctx.config.get("incremental_strategy") or "default"  # get_incremental_default_sql
    if strategy not in adapter.incremental_strategies and not ctx.namespace.get(
            f"get_incremental_{strategy.replace('+', '_')}_sql"):
        raise CompilationError(
            f"incremental strategy {strategy!r} is not supported by {adapter.type_name} "
            f"(supported: {', '.join(adapter.incremental_strategies)})", path=ctx.node.original_file_path,
            hint=f"or define a macro get_incremental_{strategy}_sql(arg_dict)")
    return strategy


def dest_columns(ctx: MaterializationContext, target: Relation, staged: Relation) -> list[Column]:
    """Apply ``on_schema_change`` (the ``process_schema_changes`` macro); return the columns rows
    are moved through: the staged ones, or the target's own when changes are ignored."""
    policy = ctx.config.get("on_schema_change") or "ignore"
    if policy not in ON_SCHEMA_CHANGE:
        raise CompilationError(f"on_schema_change must be one of {', '.join(ON_SCHEMA_CHANGE)}, got {policy!r}",
                               path=ctx.node.original_file_path)
    return ctx.macro("process_schema_changes", policy, staged, target) or ctx.adapter.get_columns_in_relation(target)


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
        rebuilt = existing is None or _full_refresh(ctx) or existing.type != "table"
        if rebuilt:
            response = build_table(ctx, existing)
        else:
            staged = with_suffix(ctx.relation.incorporate(type="table"), "__dbt_tmp", "table")
            drop_if_exists(ctx, staged)
            if ctx.node.language == "python":
                from fusion.materializations.python_model import stage_python_result

                stage_python_result(ctx, staged)
            else:
                adapter.execute(ctx.macro("create_table_as", False, staged, ctx.sql))
                adapter.cache_added(staged)
            arguments = {
                "target_relation": existing, "temp_relation": staged, "unique_key": ctx.config.get("unique_key"),
                "dest_columns": dest_columns(ctx, existing, staged),
                "incremental_predicates": ctx.config.get("incremental_predicates"),
            }
            response, _ = adapter.execute(ctx.macro(f"get_incremental_{strategy.replace('+', '_')}_sql", arguments))
            adapter.drop_relation(staged)
        finish(ctx, ctx.relation.incorporate(type="table"), existing, full_refresh_mode=rebuilt)
    return MaterializationResult("success", "OK", response)
