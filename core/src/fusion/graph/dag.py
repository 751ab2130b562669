"""The dependency graph over nodes, sources and exposures."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from fusion.errors import CompilationError
from fusion.manifest.manifest import Manifest


@dataclass
class Graph:
    parents: dict[str, list[str]]
    children: dict[str, list[str]]

    order: list[str] = field(default_factory=list)  # topological, ties broken by unique_id

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> Graph:
        parents = manifest.parent_map()
        children: dict[str, list[str]] = {uid: [] for uid in parents}
        for uid in sorted(parents):
            for parent in parents[uid]:
                children.setdefault(parent, []).append(uid)
        graph = cls(parents, children)
        graph.order = graph._topological_order(manifest)
        return graph

    def _topological_order(self, manifest: Manifest) -> list[str]:
        """Kahn's algorithm; on a cycle, name its members in order."""
        indegree = {uid: len(p) for uid, p in self.parents.items()}
        ready = [uid for uid, n in indegree.items() if n == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            uid = heapq.heappop(ready)
            order.append(uid)
            for child in self.children.get(uid, ()):
                indegree[child] -= 1
                if indegree[child] == 0:
                    heapq.heappush(ready, child)
        if len(order) == len(indegree):
            return order
        cycle = self._find_cycle({uid for uid, n in indegree.items() if n > 0})
        first = manifest.nodes.get(cycle[0])
        raise CompilationError(
            "found a cycle: " + " --> ".join([*cycle, cycle[0]]),
            path=first.original_file_path if first else None,
            hint="a model cannot depend, directly or indirectly, on itself")

    def _find_cycle(self, remaining: set[str]) -> list[str]:
        start = min(remaining)
        path, index, node = [], {}, start
        while node not in index:
            index[node] = len(path)
            path.append(node)
            node = min(p for p in self.parents[node] if p in remaining)
        return list(reversed(path[index[node]:]))

    def ancestors(self, uid: str, depth: int | None = None) -> set[str]:
        return self._walk(uid, self.parents, depth)

    def descendants(self, uid: str, depth: int | None = None) -> set[str]:
        return self._walk(uid, self.children, depth)

    @staticmethod
    def _walk(start: str, edges: dict[str, list[str]], depth: int | None) -> set[str]:
        found: set[str] = set()
        frontier = [start]
        level = 0
        while frontier and (depth is None or level < depth):
            nxt = []
            for uid in frontier:
                for other in edges.get(uid, ()):
                    if other not in found:
                        found.add(other)
                        nxt.append(other)
            frontier = nxt
            level += 1
        return found
