"""The built-in materializations (registered by fusion.materializations.builtin)."""

from __future__ import annotations

from fusion.adapter import AdapterResponse
from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext, MaterializationResult
from fusion.materializations.contracts import assert_contract, contract_enforced
from fusion.materializations.persist import finish
from fusion.materializations.relations import (
    build_beside_and_swap,
    build_transaction,
    drop_if_exists,
    existing_relation,
    prepare_schema,
    replace_in_place,
    with_suffix,
    without_steps,
)
from fusion.materializations.tables import build_table


def run_view(ctx: MaterializationContext) -> MaterializationResult:
    prepare_schema(ctx)
    target = ctx.relation.incorporate(type="view")
    existing = existing_relation(ctx)
    if contract_enforced(ctx):
        assert_contract(ctx)

    def ddl(relation):
        return ctx.macro("create_view_as", relation, ctx.sql)

    if ctx.adapter.replace_view_in_place and (existing is None or existing.type == "view") and without_steps(ctx):
        # one `create or replace view` and nothing else: atomic by itself, no begin/commit round trips
        return MaterializationResult("success", "OK", replace_in_place(ctx, target, existing, ddl))
    with build_transaction(ctx):
        build = replace_in_place if ctx.adapter.replace_view_in_place else build_beside_and_swap
        response = build(ctx, target, existing, ddl)
        finish(ctx, target, existing)
    return MaterializationResult("success", "OK", response)


def run_table(ctx: MaterializationContext) -> MaterializationResult:
    prepare_schema(ctx)
    existing = existing_relation(ctx)
    if contract_enforced(ctx):
        assert_contract(ctx)
    with build_transaction(ctx):
        response = build_table(ctx, existing)
        finish(ctx, ctx.relation.incorporate(type="table"), existing)
    return MaterializationResult("success", "OK", response)


def run_materialized_view(ctx: MaterializationContext) -> MaterializationResult:
    """Refresh it when it exists (dbt does not compare the SQL); else build beside and swap in."""
    if not ctx.adapter.supports_materialized_views:
        raise CompilationError(f"{ctx.adapter.type_name} has no materialized views",
                               path=ctx.node.original_file_path, hint="use materialized='table' instead")
    prepare_schema(ctx)
    target = ctx.relation.incorporate(type="materialized_view")
    existing = existing_relation(ctx)
    with build_transaction(ctx):
        if existing is not None and existing.type == "materialized_view" and not ctx.full_refresh:
            response, _ = ctx.adapter.execute(ctx.macro("refresh_materialized_view", target))
        else:  # in place where views are replaced in place (BigQuery cannot rename materialized views)
            build = replace_in_place if ctx.adapter.replace_view_in_place else build_beside_and_swap
            response = build(ctx, target, existing,
                             lambda relation: ctx.macro("get_create_materialized_view_as_sql", relation, ctx.sql))
        finish(ctx, target, existing)
    return MaterializationResult("success", "OK", response)


def run_ephemeral(ctx: MaterializationContext) -> MaterializationResult:
    return MaterializationResult("success", "OK")


def run_seed(ctx: MaterializationContext) -> MaterializationResult:
    prepare_schema(ctx)
    adapter = ctx.adapter
    target = ctx.relation.incorporate(type="table")
    names, sql_types, table = ctx.seed_rows()
    columns = [adapter.quote_seed_column(n, ctx.config.get("quote_columns")) for n in names]
    stage = with_suffix(target, "__dbt_seed_stage", "table")
    existing = existing_relation(ctx)
    with build_transaction(ctx):
        if adapter.supports_bulk_ingest:
            drop_if_exists(ctx, stage)
            adapter.ingest(stage, table, mode="create")
        kept = existing is not None and existing.type == "table" and not ctx.full_refresh
        if kept:
            ctx.macro("truncate_relation", target)
        else:
            if existing is not None:
                adapter.drop_relation(existing)
            columns_ddl = ", ".join(f"{c} {t}" for c, t in zip(columns, sql_types, strict=True))
            adapter.execute(ctx.macro("create_seed_table", target, columns_ddl))
            adapter.cache_added(target)
        if adapter.supports_bulk_ingest:
            casts = ", ".join(f"cast({adapter.quote(n)} as {t})" for n, t in zip(names, sql_types, strict=True))
            adapter.execute(f"insert into {target} select {casts} from {stage}")
            adapter.execute(f"drop table {stage}")
        else:
            adapter.insert_values(target, columns, sql_types, table)
        finish(ctx, target, existing, full_refresh_mode=not kept)
    return MaterializationResult("success", f"INSERT {table.num_rows}",
                                 AdapterResponse(f"INSERT {table.num_rows}", rows_affected=table.num_rows))


def _store_failures(ctx: MaterializationContext) -> str | None:
    """Keep the failing rows in ``<schema>_dbt_test__audit.<test>``; return that relation."""
    kind = ctx.config.get("store_failures_as") or "table"
    if kind == "ephemeral":
        return None
    target = ctx.relation.incorporate(type=kind)
    prepare_schema(ctx)
    with ctx.adapter.transaction():
        drop_if_exists(ctx, target)
        ddl = ctx.macro("create_view_as", target, ctx.sql) if kind == "view" else \
            ctx.macro("create_table_as", False, target, ctx.sql)
        ctx.adapter.execute(ddl)
        ctx.adapter.cache_added(target)
    return str(target)


def run_test(ctx: MaterializationContext) -> MaterializationResult:
    config = ctx.config
    stored = config.get("store_failures")
    if stored is None:
        stored = ctx.namespace["flags"].STORE_FAILURES or config.get("store_failures_as") in ("table", "view")
    audit = _store_failures(ctx) if stored else None
    main_sql = f"select * from {audit}" if audit else ctx.sql
    sql = ctx.macro("get_test_sql", main_sql, config.get("fail_calc", "count(*)"),
                    config.get("warn_if", "!= 0"), config.get("error_if", "!= 0"), config.get("limit"))
    response, table = ctx.adapter.execute(sql, fetch=True)
    if table is None or table.num_rows != 1:
        raise CompilationError("a test query must return exactly one row", path=ctx.node.original_file_path)
    failures, should_warn, should_error = (table.column(i)[0].as_py() for i in range(3))
    failures = int(failures or 0)
    plural = "" if failures == 1 else "s"
    if str(config.get("severity", "ERROR")).upper() == "ERROR" and should_error:
        return MaterializationResult("fail", f"Got {failures} result{plural}, configured to fail if "
                                     f"{config.get('error_if', '!= 0')}", response, failures, relation_name=audit)
    if should_warn:
        return MaterializationResult("warn", f"Got {failures} result{plural}, configured to warn if "
                                     f"{config.get('warn_if', '!= 0')}", response, failures, relation_name=audit)
    return MaterializationResult("pass", "PASS", response, failures, relation_name=audit)
