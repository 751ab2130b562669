"""``{% materialization name, adapter='x' %}`` blocks from a project or package, run through
the same Jinja runtime as everything else.

The block sees what dbt gives it: ``sql`` (the compiled model), ``this``, ``model``,
``config``, ``adapter``, ``pre_hooks``/``post_hooks`` with the ``run_hooks`` macro,
``statement``/``load_result``; it may ``return({'relations': [...]})``. As in dbt, it can call the
registered materializations as ``dbt.materialization_<name>_<adapter>()`` (``default`` for one
registered for every adapter); the block's node then gets that call's status.
Blocks compete with the registered (Python) materializations under dbt's rule (see
``pick_materialization``): a root-project block for the adapter, or a ``default`` one for a name
registered for every adapter, overrides it; a package's block is used only for names Fusion
does not have.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from fusion.adapter import AdapterResponse
from fusion.jinja.context import MacroFunction
from fusion.jinja.macros import MacroDef, MacroRegistry
from fusion.materializations import (
    PACKAGE,
    PLUGIN,
    ROOT_PROJECT,
    Materialization,
    MaterializationContext,
    MaterializationResult,
)


def jinja_materializations(macros: MacroRegistry, name: str, adapter_chain: tuple[str, ...],
                           registered: Sequence[Materialization]) -> list[Materialization]:
    """The blocks named ``name`` for ``adapter_chain`` (or ``default``), as registrations: the
    root project's, and the packages' for names the ``registered`` ones do not have."""
    owners = [(macros.root_package, ROOT_PROJECT)]
    if name not in {m.name for m in registered}:
        owners += [(p, PACKAGE) for p in macros.by_package if p not in macros.internal and p != macros.root_package]
    found = []
    for owner, locality in owners:
        for adapter in (*adapter_chain, "default"):
            macro = macros.by_package.get(owner, {}).get(f"materialization_{name}_{adapter}")
            if macro is not None:
                found.append(Materialization(name, functools.partial(run_jinja_materialization, macro=macro,
                                                                               registered=registered),
                                             () if adapter == "default" else (adapter,), locality))
    return found


def run_jinja_materialization(ctx: MaterializationContext, macro: MacroDef,
                              registered: Sequence[Materialization]) -> MaterializationResult:
    namespace = ctx.namespace
    outcomes: list[MaterializationResult] = []
    for mat in registered:
        if mat.locality == PLUGIN:
            for adapter in mat.adapters or ("default",):
                namespace[f"dbt.materialization_{mat.name}_{adapter}"] = functools.partial(
                    _call_registered, ctx, mat, outcomes)
    returned = MacroFunction(macro, namespace)()
    if outcomes:
        return outcomes[-1]
    for relation in (returned or {}).get("relations", []) if isinstance(returned, dict) else []:
        ctx.adapter.cache_added(relation)
    main = namespace["load_result"]("main")
    response = main.get("response") if main else None
    return MaterializationResult("success", "OK", response or AdapterResponse())


def _call_registered(ctx: MaterializationContext, mat: Materialization,
                     outcomes: list[MaterializationResult]) -> dict:
    """``dbt.materialization_<name>_<adapter>()`` inside a block: run it and return what dbt's
    macro returns (the relations it built; none for a test)."""
    outcomes.append(mat.run(ctx))
    return {"relations": [] if ctx.node.resource_type == "test" else [ctx.relation]}
