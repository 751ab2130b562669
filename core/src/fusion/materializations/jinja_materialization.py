"""``{% materialization name, adapter='x' %}`` blocks from a project or package, run through
the same Jinja runtime as everything else.

The block sees what dbt gives it: ``sql`` (the compiled model), ``this``, ``model``,
``config``, ``adapter``, ``pre_hooks``/``post_hooks`` with the ``run_hooks`` macro,
``statement``/``load_result``; it may ``return({'relations': [...]})``.
A root-project block overrides a built-in materialization of the same name; a package's block
is used only for names Fusion does not have.
"""

from __future__ import annotations

from fusion.adapter import AdapterResponse
from fusion.jinja.context import MacroFunction
from fusion.jinja.macros import MacroDef, MacroRegistry
from fusion.materializations import MaterializationContext, MaterializationResult


def find_jinja_materialization(macros: MacroRegistry, name: str, adapter_chain: tuple[str, ...],
                               builtin_names: set[str]) -> MacroDef | None:
    owners = [macros.root_package] + [p for p in macros.by_package if p not in macros.internal
                                       and p != macros.root_package and name not in builtin_names]
    for owner in owners:
        for adapter in (*adapter_chain, "default"):
            macro = macros.by_package.get(owner, {}).get(f"materialization_{name}_{adapter}")
            if macro is not None:
                return macro
    return None


def run_jinja_materialization(ctx: MaterializationContext, macro: MacroDef) -> MaterializationResult:
    namespace = ctx.namespace
    returned = MacroFunction(macro, namespace)()
    for relation in (returned or {}).get("relations", []) if isinstance(returned, dict) else []:
        ctx.adapter.cache_added(relation)
    main = namespace["load_result"]("main")
    response = main.get("response") if main else None
    return MaterializationResult("success", "OK", response or AdapterResponse())
