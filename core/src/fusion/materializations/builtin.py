"""Built-in materializations, registered through the public hook like any plugin's."""

from __future__ import annotations

from fusion.adapter import AdapterResponse
from fusion.errors import CompilationError
from fusion.hookspecs import hookimpl
from fusion.materializations import Materialization, MaterializationContext, MaterializationResult
from fusion.relation import Relation


def _with_suffix(relation: Relation, suffix: str, type_: str | None = None) -> Relation:
    return relation.incorporate(path={"identifier": f"{relation.identifier}{suffix}"},
                                type=type_ or relation.type)


def _existing(ctx: MaterializationContext) -> Relation | None:
    rel = ctx.relation
    return ctx.adapter.get_relation(rel.database, rel.schema, rel.identifier)


def _drop_if_exists(ctx: MaterializationContext, relation: Relation) -> None:
    found = ctx.adapter.get_relation(relation.database, relation.schema, relation.identifier)
    if found is not None:
        ctx.adapter.drop_relation(found)


def _swap_in(ctx: MaterializationContext, built: Relation, existing: Relation | None) -> None:
    """Replace ``existing`` by ``built`` (same schema), keeping the old one until the new is in."""
    adapter, target = ctx.adapter, ctx.relation
    backup = None
    if existing is not None:
        backup_rel = _with_suffix(target, "__dbt_backup", existing.type)
        _drop_if_exists(ctx, backup_rel)
        backup = adapter.rename_relation(existing, backup_rel.identifier)
    adapter.rename_relation(built, target.identifier)
    if backup is not None:
        adapter.drop_relation(backup)


def _prepare_schema(ctx: MaterializationContext) -> None:
    ctx.adapter.create_schema(ctx.relation.database, ctx.relation.schema)


def run_view(ctx: MaterializationContext) -> MaterializationResult:
    _prepare_schema(ctx)
    target = ctx.relation.incorporate(type="view")
    existing = _existing(ctx)
    with ctx.adapter.transaction():
        ctx.run_hooks("pre_hook")
        if ctx.adapter.replace_view_in_place:
            if existing is not None and existing.type != "view":
                ctx.adapter.drop_relation(existing)
            response, _ = ctx.adapter.execute(ctx.macro("create_view_as", target, ctx.sql))
            ctx.adapter.cache_added(target)
        else:
            temp = _with_suffix(target, "__dbt_tmp", "view")
            _drop_if_exists(ctx, temp)
            response, _ = ctx.adapter.execute(ctx.macro("create_view_as", temp, ctx.sql))
            ctx.adapter.cache_added(temp)
            _swap_in(ctx, temp, existing)
        ctx.run_hooks("post_hook")
    return MaterializationResult("success", "OK", response)


def _build_table(ctx: MaterializationContext, existing: Relation | None) -> AdapterResponse:
    target = ctx.relation.incorporate(type="table")
    temp = _with_suffix(target, "__dbt_tmp", "table")
    _drop_if_exists(ctx, temp)
    response, _ = ctx.adapter.execute(ctx.macro("create_table_as", False, temp, ctx.sql))
    ctx.adapter.cache_added(temp)
    _swap_in(ctx, temp, existing)
    return response


def run_table(ctx: MaterializationContext) -> MaterializationResult:
    _prepare_schema(ctx)
    existing = _existing(ctx)
    with ctx.adapter.transaction():
        ctx.run_hooks("pre_hook")
        response = _build_table(ctx, existing)
        ctx.run_hooks("post_hook")
    return MaterializationResult("success", "OK", response)


def run_incremental(ctx: MaterializationContext) -> MaterializationResult:
    _prepare_schema(ctx)
    adapter = ctx.adapter
    existing = _existing(ctx)
    full_refresh = ctx.full_refresh if ctx.config.get("full_refresh") is None else bool(ctx.config["full_refresh"])
    strategy = ctx.config.get("incremental_strategy") or adapter.default_incremental_strategy
    if strategy not in adapter.incremental_strategies:
        raise CompilationError(
            f"incremental strategy {strategy!r} is not supported by {adapter.type_name} "
            f"(supported: {', '.join(adapter.incremental_strategies)})", path=ctx.node.original_file_path)
    with adapter.transaction():
        ctx.run_hooks("pre_hook")
        if existing is None or full_refresh or existing.type != "table":
            response = _build_table(ctx, existing)
        else:
            temp = Relation(None, None, f"{ctx.relation.identifier}__dbt_tmp", "table",
                            quote_character=adapter.quote_character)
            adapter.execute(f"drop table if exists {temp}")
            adapter.execute(ctx.macro("create_table_as", True, temp, ctx.sql))
            dest_columns = adapter.get_columns_in_relation(existing)
            arguments = {
                "target_relation": existing, "temp_relation": temp, "unique_key": ctx.config.get("unique_key"),
                "dest_columns": dest_columns, "incremental_predicates": ctx.config.get("incremental_predicates"),
            }
            strategy_name = strategy.replace("+", "_")
            response, _ = adapter.execute(ctx.macro(f"get_incremental_{strategy_name}_sql", arguments))
            adapter.execute(f"drop table if exists {temp}")
        ctx.run_hooks("post_hook")
    return MaterializationResult("success", "OK", response)


def run_ephemeral(ctx: MaterializationContext) -> MaterializationResult:
    return MaterializationResult("success", "OK")


def run_seed(ctx: MaterializationContext) -> MaterializationResult:
    _prepare_schema(ctx)
    adapter = ctx.adapter
    target = ctx.relation.incorporate(type="table")
    names, sql_types, table = ctx.seed_rows()
    stage = _with_suffix(target, "__dbt_seed_stage", "table")
    existing = _existing(ctx)
    with adapter.transaction():
        ctx.run_hooks("pre_hook")
        _drop_if_exists(ctx, stage)
        adapter.ingest(stage, table, mode="create")
        if existing is not None and existing.type == "table" and not ctx.full_refresh:
            adapter.execute(ctx.macro("truncate_relation", target))
        else:
            if existing is not None:
                adapter.drop_relation(existing)
            columns = ", ".join(f"{adapter.quote(n)} {t}" for n, t in zip(names, sql_types, strict=True))
            adapter.execute(f"create table {target} ({columns})")
            adapter.cache_added(target)
        casts = ", ".join(f"cast({adapter.quote(n)} as {t})" for n, t in zip(names, sql_types, strict=True))
        adapter.execute(f"insert into {target} select {casts} from {stage}")
        adapter.execute(f"drop table {stage}")
        ctx.run_hooks("post_hook")
    return MaterializationResult("success", f"INSERT {table.num_rows}",
                                 AdapterResponse(f"INSERT {table.num_rows}", rows_affected=table.num_rows))


def run_test(ctx: MaterializationContext) -> MaterializationResult:
    config = ctx.config
    sql = ctx.macro("get_test_sql", ctx.sql, config.get("fail_calc", "count(*)"),
                    config.get("warn_if", "!= 0"), config.get("error_if", "!= 0"), config.get("limit"))
    response, table = ctx.adapter.execute(sql, fetch=True)
    if table is None or table.num_rows != 1:
        raise CompilationError("a test query must return exactly one row", path=ctx.node.original_file_path)
    failures, should_warn, should_error = (table.column(i)[0].as_py() for i in range(3))
    failures = int(failures or 0)
    plural = "" if failures == 1 else "s"
    if str(config.get("severity", "ERROR")).upper() == "ERROR" and should_error:
        return MaterializationResult("fail", f"Got {failures} result{plural}, configured to fail if "
                                     f"{config.get('error_if', '!= 0')}", response, failures)
    if should_warn:
        return MaterializationResult("warn", f"Got {failures} result{plural}, configured to warn if "
                                     f"{config.get('warn_if', '!= 0')}", response, failures)
    return MaterializationResult("pass", "PASS", response, failures)


@hookimpl
def fusion_register_materializations(register):
    register(Materialization("view", run_view))
    register(Materialization("table", run_table))
    register(Materialization("incremental", run_incremental))
    register(Materialization("ephemeral", run_ephemeral))
    register(Materialization("seed", run_seed))
    register(Materialization("test", run_test))
