"""The snapshot materialization: type-2 history of a query, keyed by ``unique_key``.

The strategy (``snapshot_<strategy>_strategy`` macro, so custom strategies work) gives the
SQL expressions for the key, the change time, change detection and the row id; the staging
query and the merge come from ``snapshot_staging_table`` and ``snapshot_merge_sql``. One
transaction: a failed snapshot leaves the table as it was.
"""

from __future__ import annotations

from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.persist import finish
from fusion.materializations.relations import (
    build_transaction,
    drop_if_exists,
    existing_relation,
    prepare_schema,
    with_suffix,
)

META_COLUMNS = ("dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")


def _source_columns(ctx: MaterializationContext) -> list[str]:
    _, table = ctx.adapter.execute(f"select * from (\n{ctx.sql}\n) as fusion_columns limit 0", fetch=True)
    return list(table.column_names)


def _strategy(ctx: MaterializationContext, columns: list[str], target_exists: bool) -> dict:
    config = dict(ctx.config)
    name = config.get("strategy")
    if not name:
        raise CompilationError(f"snapshot {ctx.node.name!r} needs a `strategy` (timestamp or check)",
                               path=ctx.node.original_file_path)
    if config.get("check_cols") == "all":
        key = config.get("unique_key")
        keys = {key} if isinstance(key, str) else set(key or [])
        config["check_cols"] = [c for c in columns if c not in keys]
    macro = ctx.namespace.get(f"snapshot_{name}_strategy")
    if macro is None:
        raise CompilationError(f"unknown snapshot strategy {name!r}", path=ctx.node.original_file_path,
                               hint="use timestamp or check, or define a macro snapshot_<name>_strategy")
    strategy = dict(macro(ctx.node, None, None, config, target_exists))
    strategy["source_columns"] = [ctx.adapter.quote(c) for c in columns]
    return strategy


def _meta_names(ctx: MaterializationContext) -> list[str]:
    names = ctx.config.get("snapshot_meta_column_names") or {}
    wanted = META_COLUMNS if ctx.config.get("hard_deletes") == "new_record" else META_COLUMNS[:4]
    return [names.get(c, c) for c in wanted]


def run_snapshot(ctx: MaterializationContext) -> MaterializationResult:
    if ctx.config.get("invalidate_hard_deletes") and not ctx.config.get("hard_deletes"):
        ctx.node.config["hard_deletes"] = "invalidate"
    prepare_schema(ctx)
    adapter = ctx.adapter
    target = ctx.relation.incorporate(type="table")
    existing = existing_relation(ctx)
    columns = _source_columns(ctx)
    strategy = _strategy(ctx, columns, existing is not None)
    with build_transaction(ctx):
        if existing is None:
            response, _ = adapter.execute(ctx.macro("create_table_as", False, target,
                                                    ctx.macro("build_snapshot_table", strategy, ctx.sql)))
            adapter.cache_added(target)
        else:
            have = {c.name.lower() for c in adapter.get_columns_in_relation(existing)}
            missing = [m for m in _meta_names(ctx) if m.lower() not in have]
            if missing:
                raise CompilationError(f"{existing} is not a snapshot table: it lacks {', '.join(missing)}",
                                       path=ctx.node.original_file_path,
                                       hint="drop it, or point the snapshot at another relation")
            new_columns = [c for c in columns if c.lower() not in have]
            staging = with_suffix(target, "__dbt_snapshot_staging", "table")
            drop_if_exists(ctx, staging)
            adapter.execute(ctx.macro("create_table_as", False, staging,
                                      ctx.macro("snapshot_staging_table", strategy, ctx.sql, existing)))
            adapter.cache_added(staging)
            for column in adapter.get_columns_in_relation(staging):
                if column.name in new_columns:
                    adapter.execute(f"alter table {existing} add column {adapter.quote(column.name)} "
                                    f"{column.data_type}")
            insert_cols = [adapter.quote(c) for c in [*columns, *_meta_names(ctx)]]
            response, _ = adapter.execute(ctx.macro("snapshot_merge_sql", existing, staging, insert_cols))
            adapter.drop_relation(staging)
        finish(ctx, ctx.relation.incorporate(type="table"), existing, full_refresh_mode=False)
    return MaterializationResult("success", "OK", response)
