"""Execute-mode rendering of nodes, with ephemeral models injected as CTEs."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from fusion.errors import CompilationError
from fusion.jinja.context import RenderNamespace, Runtime
from fusion.jinja.environment import environment
from fusion.jinja.node_context import EPHEMERAL_PREFIX, Resolution, node_namespace
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import Node
from fusion.materializations.python_job import compiled_python, python_job
from fusion.parse.test_kwargs import GENERIC_TEST_KWARGS, GENERIC_TEST_SOURCE, render_test_kwargs

_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*\n|/\*.*?\*/)*", re.S)
_WITH = re.compile(r"with\b", re.I)


@dataclass
class Compiled:
    node: Node
    sql: str  # with ephemeral CTEs injected
    namespace: RenderNamespace
    rendered: str  # the node's own SQL: ephemeral models appear as references to their CTEs


@dataclass
class _Ephemeral:
    sql: str  # the model's own SQL, before injection
    ctes: list[tuple[str, str]]  # (unique_id, sql) of everything it needs, in order


class Compiler:
    """Compiles nodes for one invocation; each ephemeral model is compiled once."""

    def __init__(self, runtime: Runtime, manifest: Manifest):
        self.runtime = runtime
        self.manifest = manifest
        self._ephemerals: dict[str, _Ephemeral] = {}
        self._lock = threading.Lock()

    def compile(self, node: Node, extra: dict | None = None) -> Compiled:
        sql, namespace, resolution = self._render(node, extra)
        node.extra_ctes = self._cte_entries(resolution)
        final = inject_ctes(sql, [c["sql"] for c in node.extra_ctes])
        node.compiled_code = final
        return Compiled(node, final, namespace, sql)

    def render(self, node: Node) -> str:
        """The node's own SQL (as ``Compiled.rendered``), without recording anything on the node."""
        if node.is_ephemeral:
            return self._ephemeral(node.unique_id, ()).sql
        return self._render(node, None)[0]

    def compile_isolated(self, node: Node, extra: dict | None, batch: tuple[str, str] | None = None) -> str:
        """Render ``node`` with some members replaced (unit tests) or for one microbatch window;
        the node is not modified."""
        sql, _, resolution = self._render(node, extra, batch)
        return inject_ctes(sql, [c["sql"] for c in self._cte_entries(resolution)])

    def _cte_entries(self, resolution: Resolution) -> list[dict[str, str]]:
        return [{"id": uid, "sql": f" {EPHEMERAL_PREFIX}{self.manifest.nodes[uid].alias} as (\n{body}\n)"}
                for uid, body in self._ctes_for(resolution.ephemerals)]

    def _render(self, node: Node, extra: dict | None, batch: tuple[str, str] | None = None):
        resolution = Resolution()
        namespace = node_namespace(self.runtime, self.manifest, node, execute=True,
                                   resolution=resolution, extra=extra, batch=batch)
        if node.language == "python":  # its code, with what its dbt object resolves to
            return compiled_python(node, python_job(node, namespace)), namespace, resolution
        if node.test_metadata is not None:
            namespace[GENERIC_TEST_KWARGS] = render_test_kwargs(namespace, node.test_metadata["kwargs"],
                                                                 node.original_file_path)
        template = environment().compile_source(
            node.template_code, GENERIC_TEST_SOURCE if node.test_metadata is not None else node.original_file_path)
        try:
            sql = namespace.render(template)
        except CompilationError as exc:
            if exc.path is None:
                exc.path = node.original_file_path
            raise
        return sql, namespace, resolution

    def _ctes_for(self, ephemeral_ids: list[str]) -> list[tuple[str, str]]:
        ordered: dict[str, str] = {}
        for uid in ephemeral_ids:
            eph = self._ephemeral(uid, ())
            for cte_id, body in eph.ctes:
                ordered.setdefault(cte_id, body)
            ordered.setdefault(uid, eph.sql)
        return list(ordered.items())

    def _ephemeral(self, uid: str, stack: tuple[str, ...]) -> _Ephemeral:
        with self._lock:
            found = self._ephemerals.get(uid)
        if found is not None:
            return found
        if uid in stack:
            raise CompilationError("ephemeral models reference each other in a cycle: " + " -> ".join(stack))
        node = self.manifest.nodes[uid]
        sql, _, resolution = self._render(node, None)
        ctes: dict[str, str] = {}
        for child in resolution.ephemerals:
            eph = self._ephemeral(child, (*stack, uid))
            for cte_id, body in eph.ctes:
                ctes.setdefault(cte_id, body)
            ctes.setdefault(child, eph.sql)
        result = _Ephemeral(sql, list(ctes.items()))
        with self._lock:
            self._ephemerals[uid] = result
        return result


def inject_ctes(sql: str, ctes: list[str]) -> str:
    """Put CTEs first, as dbt does: after the query's own ``with`` (comments may come before it),
    else in a new ``with`` ahead of everything but leading whitespace (comments included)."""
    if not ctes:
        return sql
    joined = ", ".join(ctes)
    start = _LEADING_NOISE.match(sql).end()
    if _WITH.match(sql, start):
        after = start + 4
        return f"{sql[:start]}with {joined}, {sql[after:].lstrip()}"
    start = len(sql) - len(sql.lstrip())
    return f"{sql[:start]}with {joined}\n{sql[start:]}"
