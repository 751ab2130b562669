"""Python models in the ``table`` and ``incremental`` materializations: the model's Arrow
result is written with the adapter's bulk ingest (or batched INSERTs) into a new relation, which
the materialization then swaps in or merges from, as it does with a SQL model's query."""

from __future__ import annotations

from collections.abc import Callable

from fusion.adapter import AdapterResponse
from fusion.errors import CompilationError
from fusion.materializations import MaterializationContext
from fusion.materializations.python_job import python_job
from fusion.materializations.python_runner import run_python_model
from fusion.materializations.relations import create_beside_and_swap, drop_if_exists, replace_in_place, with_suffix
from fusion.relation import Relation


def build_python_table(ctx: MaterializationContext, existing: Relation | None) -> AdapterResponse:
    """Run the model, write its result beside the old table and swap it in (in the caller's
    transaction: a failed or killed model leaves the previous table)."""
    target = ctx.relation.incorporate(type="table")
    create = _creator(ctx, is_incremental=False)
    if not ctx.adapter.replace_table_in_place:
        return create_beside_and_swap(ctx, target, existing, create)
    # where `create or replace table` swaps atomically (and renames may not exist): stage, then
    # replace the target from the stage with the model's table configs (file format, clustering...)
    staged = with_suffix(target, "__dbt_python", "table")
    drop_if_exists(ctx, staged)
    response = create(staged)
    ctx.adapter.cache_added(staged)
    replace_in_place(ctx, target, existing,
                     lambda relation: ctx.macro("create_table_as", False, relation, f"select * from {staged}"))
    ctx.adapter.drop_relation(staged)
    return response


def stage_python_result(ctx: MaterializationContext, staged: Relation) -> None:
    """An incremental run: the model's new rows into ``staged`` (``dbt.is_incremental`` is true)."""
    _creator(ctx, is_incremental=True)(staged)
    ctx.adapter.cache_added(staged)


def _creator(ctx: MaterializationContext, is_incremental: bool) -> Callable[[Relation], AdapterResponse]:
    """What saves the model's result as a given relation: run here (``local``, the model runs at
    once, before anything is replaced) or in the warehouse (``submission_method``)."""
    adapter = ctx.adapter
    methods = adapter.python_submission_methods
    method = ctx.config.get("submission_method") or methods[0]
    if method not in methods:
        raise CompilationError(f"submission_method {method!r} is not available on {adapter.type_name}",
                               path=ctx.node.original_file_path, hint=f"use one of: {', '.join(methods)}")
    if method == "local":
        table = run_python_model(ctx, is_incremental)
        return lambda relation: write_arrow(ctx, relation, table)
    job = python_job(ctx.node, ctx.namespace)
    return lambda relation: adapter.submit_python_model(method, ctx.node, job, relation, is_incremental)


def write_arrow(ctx: MaterializationContext, relation: Relation, table) -> AdapterResponse:
    """Create ``relation`` holding ``table``'s rows."""
    adapter = ctx.adapter
    if adapter.supports_bulk_ingest:
        adapter.ingest(relation, table, mode="create")
    else:
        columns = [adapter.quote(name) for name in table.column_names]
        types = [_sql_type(adapter, field.type) for field in table.schema]
        ddl = ", ".join(f"{c} {t}" for c, t in zip(columns, types, strict=True))
        adapter.execute(f"create table {relation} ({ddl})")
        adapter.insert_values(relation, columns, types, table)
    return AdapterResponse(f"INSERT {table.num_rows}", rows_affected=table.num_rows)


def _sql_type(adapter, kind) -> str:
    """The adapter's seed type for an Arrow type (the types it loads CSV text into)."""
    import pyarrow.types as t

    if t.is_boolean(kind):
        key = "boolean"
    elif t.is_integer(kind):
        key = "integer"
    elif t.is_floating(kind) or t.is_decimal(kind):
        key = "number"
    elif t.is_date(kind):
        key = "date"
    elif t.is_timestamp(kind):
        key = "datetime"
    else:
        key = "text"
    return adapter.seed_types[key]
