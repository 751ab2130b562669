"""The materialization plugin interface.

A materialization turns one compiled node into database objects. It orchestrates in Python and
takes every SQL text from macros by name (``ctx.macro("create_table_as", ...)``), so a project
or package overriding those macros changes what runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fusion.errors import CompilationError

if TYPE_CHECKING:  # registering a materialization must not load the engine
    from fusion.adapter import Adapter, AdapterResponse
    from fusion.jinja.context import RenderNamespace
    from fusion.manifest.nodes import Node
    from fusion.relation import Relation


def _ok() -> AdapterResponse:
    from fusion.adapter import AdapterResponse

    return AdapterResponse()


@dataclass
class MaterializationResult:
    status: str  # success | error | pass | warn | fail | skipped
    message: str
    adapter_response: AdapterResponse = field(default_factory=_ok)
    failures: int | None = None
    batch_results: dict[str, list[list[str]]] | None = None  # microbatch: successful/failed windows


@dataclass
class MaterializationContext:
    """What a materialization's ``run`` receives."""

    node: Node
    sql: str
    adapter: Adapter
    namespace: RenderNamespace
    relation: Relation
    full_refresh: bool
    seed_rows: Callable[[], Any] | None = None  # seeds: returns (column types, Arrow table)
    render_batch: Callable[[tuple[str, str]], str] | None = None  # microbatch: SQL for one window
    defer_relation: Relation | None = None  # clone: the node's relation in the --state run

    @property
    def config(self) -> dict[str, Any]:
        return self.node.config

    def macro(self, name: str, *args, **kwargs) -> Any:
        """Call a macro (dispatched for this adapter) and return its text or returned value."""
        function = self.namespace.get(name)
        if function is None:
            raise CompilationError(f"macro {name!r} is not defined", path=self.node.original_file_path)
        try:
            result = function(*args, **kwargs)
        except CompilationError as exc:
            if exc.path is None:  # raised by a macro (exceptions.raise_compiler_error): the node is where
                exc.path = self.node.original_file_path
            raise
        return result.strip() if isinstance(result, str) else result

    def run_hooks(self, key: str, inside_transaction: bool = True) -> None:
        """Run the node's ``pre_hook``/``post_hook`` statements whose ``transaction`` flag matches
        (the ``run_hooks`` macro; hooks are inside the build's transaction unless they say otherwise)."""
        self.macro("run_hooks", self.namespace[f"{key}s"], inside_transaction)


@dataclass(frozen=True)
class Materialization:
    """Registered through ``fusion_register_materializations``."""

    name: str
    run: Callable[[MaterializationContext], MaterializationResult]
    adapters: tuple[str, ...] = ()  # empty: every adapter


def pick_materialization(registered: list[Materialization], name: str, adapter: str) -> Materialization | None:
    """An adapter-specific registration wins over a generic one; later registrations win ties."""
    best = None
    for mat in registered:
        if mat.name != name or (mat.adapters and adapter not in mat.adapters):
            continue
        if best is None or mat.adapters or not best.adapters:
            best = mat
    return best
