"""Built-in materializations, registered through the public hook like any plugin's.

Registering imports nothing heavy: each materialization's code loads when a node first uses it.
"""

from __future__ import annotations

import importlib

from fusion.hookspecs import hookimpl
from fusion.materializations import Materialization

_STANDARD = "fusion.materializations.standard"
BUILTIN = {
    "view": (_STANDARD, "run_view"),
    "table": (_STANDARD, "run_table"),
    "incremental": ("fusion.materializations.incremental", "run_incremental"),
    "ephemeral": (_STANDARD, "run_ephemeral"),
    "seed": (_STANDARD, "run_seed"),
    "test": (_STANDARD, "run_test"),
    "snapshot": ("fusion.materializations.snapshot", "run_snapshot"),
    "materialized_view": (_STANDARD, "run_materialized_view"),
    "clone": ("fusion.materializations.clone", "run_clone"),
}


def _on_first_use(module: str, function: str):
    def run(ctx):
        return getattr(importlib.import_module(module), function)(ctx)

    run.__qualname__ = run.__name__ = function
    return run


@hookimpl
def fusion_register_materializations(register):
    for name, (module, function) in BUILTIN.items():
        register(Materialization(name, _on_first_use(module, function)))
