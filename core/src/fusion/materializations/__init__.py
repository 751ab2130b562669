"""The materialization plugin interface.

A materialization turns one compiled node into database objects. It orchestrates in Python and
takes every SQL text from macros by name (``ctx.macro("create_table_as", ...)``), so a project
or package overriding those macros changes what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    relation_name: str | None = None  # a test's stored failures, when it keeps them


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

    def macro(self, name: str, *args: Any, **kwargs: Any) -> Any:
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


#: where a materialization comes from (``Materialization.locality``): more local wins a tie
PLUGIN, PACKAGE, ROOT_PROJECT = 0, 1, 2


@dataclass(frozen=True)
class Materialization:
    """Registered through ``fusion_register_materializations``; a project's or package's
    ``{% materialization %}`` block takes part in the choice as one too."""

    name: str
    run: Callable[[MaterializationContext], MaterializationResult]
    adapters: tuple[str, ...] = ()  # empty: every adapter
    locality: int = PLUGIN  # PLUGIN, PACKAGE or ROOT_PROJECT


def pick_materialization(registered: Sequence[Materialization], name: str,
                         adapter_chain: Sequence[str]) -> Materialization | None:
    """dbt's rule: the most specific registration wins (for the adapter itself, then for the
    adapters it inherits from, ``adapter_chain``'s order, then a generic one); among equally
    specific ones the most local (the root project, a package, a plugin); then the later one."""
    best, best_rank = None, (0, 0)
    for mat in registered:
        if mat.name != name:
            continue
        matches = [adapter_chain.index(a) for a in mat.adapters if a in adapter_chain]
        if mat.adapters and not matches:
            continue
        rank = (-min(matches, default=len(adapter_chain)), mat.locality)
        if best is None or rank >= best_rank:
            best, best_rank = mat, rank
    return best
