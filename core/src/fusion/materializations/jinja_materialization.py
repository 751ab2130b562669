"""``{% materialization name, adapter='x' %}`` blocks from a project or package, run through
the same Jinja runtime as everything else.

The block sees what dbt gives it: ``sql`` (the compiled model), ``this``, ``model``,
``config``, ``adapter``, ``pre_hooks``/``post_hooks`` with the ``run_hooks`` macro,
``statement``/``load_result``; it may ``return({'relations': [...]})``.
Blocks compete with the registered (Python) materializations under dbt's rule (see
``pick_materialization``): a root-project block for the adapter, or a ``default`` one for a name
registered for every adapter, overrides it; a package's block is used only for names Fusion
does not have.
"""

from __future__ import annotations

import functools

from fusion.adapter import AdapterResponse
from fusion.jinja.context import MacroFunction
from fusion.jinja.macros import MacroDef, MacroRegistry
from fusion.materializations import (
    PACKAGE,
    ROOT_PROJECT,
    Materialization,
    MaterializationContext,
    MaterializationResult,
)


def jinja_materializations(macros: MacroRegistry, name: str, adapter_chain: tuple[str, ...],
                           builtin_names: set[str]) -> list[Materialization]:
    """The blocks named ``name`` for ``adapter_chain`` (or ``default``), as registrations: the
    root project's, and the packages' for names Fusion does not have."""
    owners = [(macros.root_package, ROOT_PROJECT)]
    if name not in builtin_names:
        owners += [(p, PACKAGE) for p in macros.by_package if p not in macros.internal and p != macros.root_package]
    found = []
    for owner, locality in owners:
        for adapter in (*adapter_chain, "default"):
            macro = macros.by_package.get(owner, {}).get(f"materialization_{name}_{adapter}")
            if macro is not None:
                found.append(Materialization(name, functools.partial(run_jinja_materialization, macro=macro),
                                             () if adapter == "default" else (adapter,), locality))
    return found


def run_jinja_materialization(ctx: MaterializationContext, macro: MacroDef) -> MaterializationResult:
    namespace = ctx.namespace
    returned = MacroFunction(macro, namespace)()
    for relation in (returned or {}).get("relations", []) if isinstance(returned, dict) else []:
        ctx.adapter.cache_added(relation)
    main = namespace["load_result"]("main")
    response = main.get("response") if main else None
    return MaterializationResult("success", "OK", response or AdapterResponse())
