"""The dependency graph over nodes, sources and exposures."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from fusion.errors import CompilationError
from fusion.manifest.manifest import Manifest


@dataclass
class Graph:
    parents: dict[str, list[str]]
    children: dict[str, list[str]]

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> Graph:
        graph = cls(manifest.parent_map(), manifest.child_map())
        graph.check_acyclic(manifest)
        return graph

    def check_acyclic(self, manifest: Manifest) -> None:
        """Kahn's algorithm; on a cycle, name its members in order."""
        indegree = {uid: len(p) for uid, p in self.parents.items()}
        ready = deque(uid for uid, n in indegree.items() if n == 0)
        seen = 0
        while ready:
            uid = ready.popleft()
            seen += 1
            for child in self.children.get(uid, ()):
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
        if seen == len(indegree):
            return
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
