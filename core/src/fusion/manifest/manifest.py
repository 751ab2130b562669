"""The Manifest: every parsed resource, with ref/source lookups and the dependency maps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fusion.manifest.nodes import REFABLE, DocBlock, Exposure, Node, RefCall, Source, UnitTest
from fusion.manifest.semantic import KINDS, SemanticResource

if TYPE_CHECKING:  # the registry is built by parse, from jinja's macro files
    from fusion.jinja.macros import MacroRegistry


@dataclass
class Manifest:
    root_package: str
    macros: MacroRegistry
    nodes: dict[str, Node] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    exposures: dict[str, Exposure] = field(default_factory=dict)
    docs: dict[str, DocBlock] = field(default_factory=dict)
    disabled: dict[str, list[Node]] = field(default_factory=dict)
    unit_tests: dict[str, UnitTest] = field(default_factory=dict)
    #: ``semantic_models``/``metrics``/``saved_queries`` -> unique id -> resource
    semantic: dict[str, dict[str, SemanticResource]] = field(default_factory=dict)
    _refable: dict[str, list[Node]] = field(default_factory=dict)
    _sources_by_name: dict[tuple[str, str], Source] = field(default_factory=dict)
    _flat_graph: dict | None = None

    def add_node(self, node: Node) -> None:
        self.nodes[node.unique_id] = node
        if node.resource_type in REFABLE:
            self._refable.setdefault(node.name, []).append(node)

    def add_source(self, source: Source) -> None:
        self.sources[source.unique_id] = source
        self._sources_by_name[(source.source_name, source.name)] = source

    def resolve_ref(self, ref: RefCall, from_package: str) -> Node | None:
        """dbt's rule: an explicit package, else the caller's own package, else the root, else any."""
        candidates = self._refable.get(ref.name, [])
        if ref.version is not None:
            candidates = [n for n in candidates if str(n.version) == str(ref.version)]
        elif any(n.version is not None for n in candidates):
            latest = [n for n in candidates if n.version is not None and str(n.version) == str(n.latest_version)]
            candidates = latest or candidates
        if ref.package is not None:
            candidates = [n for n in candidates if n.package_name == ref.package]
            return candidates[0] if candidates else None
        for package in (from_package, self.root_package):
            for node in candidates:
                if node.package_name == package:
                    return node
        return candidates[0] if candidates else None

    def resolve_source(self, source_name: str, table_name: str) -> Source | None:
        return self._sources_by_name.get((source_name, table_name))

    def flat_graph(self) -> dict:
        """``graph`` in templates: every resource as manifest.json shows it (built once, on use)."""
        if self._flat_graph is None:
            self._flat_graph = {
                "nodes": {uid: n.to_dict() for uid, n in self.nodes.items()},
                "sources": {uid: s.to_dict() for uid, s in self.sources.items()},
                "exposures": {uid: e.to_dict() for uid, e in self.exposures.items()},
                **{kind: {uid: r.to_dict() for uid, r in self.semantic.get(kind, {}).items()} for kind in KINDS},
                "groups": {}, "functions": {},
            }
        return self._flat_graph

    def summary(self) -> str:
        """``"1000 models, 3 seeds, ..."``: how many nodes of each type."""
        tally: dict[str, int] = {}
        for node in self.nodes.values():
            tally[node.resource_type] = tally.get(node.resource_type, 0) + 1
        return ", ".join(f"{n} {t}{'s' if n != 1 else ''}" for t, n in sorted(tally.items())) or "nothing"

    def forget_flat_graph(self) -> None:
        self._flat_graph = None

    def parent_map(self) -> dict[str, list[str]]:
        parents: dict[str, list[str]] = {uid: sorted(set(n.depends_on_nodes)) for uid, n in self.nodes.items()}
        parents.update({uid: [] for uid in self.sources})
        parents.update({uid: sorted(set(e.depends_on_nodes)) for uid, e in self.exposures.items()})
        parents.update({uid: list(u.depends_on_nodes) for uid, u in self.unit_tests.items()})
        parents.update({uid: list(r.depends_on_nodes) for uid, r in self.semantic_resources().items()})
        return parents

    def semantic_resources(self) -> dict[str, SemanticResource]:
        """Semantic models, metrics and saved queries, by unique id."""
        return {uid: r for kind in KINDS for uid, r in self.semantic.get(kind, {}).items()}

