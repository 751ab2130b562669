"""dbt's node selection syntax: ``[@][N+][method:]value[+N]``, space = union, comma = intersection."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from fusion.errors import SelectionError
from fusion.graph.dag import Graph
from fusion.graph.state import StateMatcher
from fusion.manifest.manifest import Manifest

_CRITERION = re.compile(
    r"^(?P<at>@)?(?:(?P<up>\d*)\+)?(?:(?P<method>[A-Za-z_][\w.]*):)?(?P<value>[^+]*?)(?:\+(?P<down>\d*))?$")
METHODS = ("fqn", "tag", "path", "file", "config", "resource_type", "source", "package", "test_name",
           "test_type", "exposure", "state", "result")


@dataclass(frozen=True)
class Criterion:
    method: str
    value: str
    parents: bool = False
    parents_depth: int | None = None
    children: bool = False
    children_depth: int | None = None
    childrens_parents: bool = False


def parse_criterion(text: str) -> Criterion:
    match = _CRITERION.match(text)
    if not match or not match.group("value"):
        raise SelectionError(f"invalid selector {text!r}",
                             hint="use e.g. my_model, +my_model+, tag:nightly, path:models/staging")
    method = match.group("method")
    value = match.group("value")
    if method is None:
        method = "path" if ("/" in value or value.endswith((".sql", ".csv", ".py"))) else "fqn"
    base = method.split(".", 1)[0]
    if base not in METHODS or (base == "config" and "." not in method):
        raise SelectionError(f"unknown selection method {method!r} in {text!r}",
                             hint="known methods: " + ", ".join(METHODS))
    if match.group("at") and match.group("up") is not None:
        raise SelectionError(f"invalid selector {text!r}: '@' and a leading '+' cannot be combined")
    up, down = match.group("up"), match.group("down")
    return Criterion(method, value, up is not None, int(up) if up else None,
                     down is not None, int(down) if down else None, bool(match.group("at")))


class Selector:
    def __init__(self, manifest: Manifest, graph: Graph, state: StateMatcher | None = None):
        self.manifest = manifest
        self.graph = graph
        self.state = state or StateMatcher(None, manifest)
        everything = {**manifest.nodes, **manifest.sources, **manifest.exposures, **manifest.unit_tests,
                      **manifest.semantic_resources()}
        # a test whose ref target is missing stays in the manifest, disabled (as in dbt)
        self._all = {uid: obj for uid, obj in everything.items() if obj.config.get("enabled", True)}
        self._tests_by_parent: dict[str, list[str]] = {}
        for uid, node in self._all.items():
            if node.resource_type in ("test", "unit_test"):
                for parent in set(node.depends_on_nodes):
                    self._tests_by_parent.setdefault(parent, []).append(uid)

    def select(self, select: Iterable[str] | None, exclude: Iterable[str] | None,
               indirect: str = "eager") -> set[str]:
        """Tests of selected nodes join each criterion before intersections (as in dbt)."""
        chosen = self._union(select, indirect) if select else {
            uid for uid, obj in self._all.items() if obj.resource_type != "operation"}
        if indirect != "empty":  # tests whose parents are spread over several criteria
            chosen |= self._tests_of(chosen, indirect)
        excluded = self._union(exclude, "empty") if exclude else set()
        excluded |= self._tests_of(excluded, "eager")  # a test of an excluded node goes too
        return chosen - excluded

    def _union(self, specs: Iterable[str], indirect: str) -> set[str]:
        out: set[str] = set()
        for spec in specs:
            for token in spec.split():
                out |= self._intersection(token, indirect)
        return out

    def _intersection(self, token: str, indirect: str) -> set[str]:
        result: set[str] | None = None
        for part in token.split(","):
            found = self._criterion(parse_criterion(part))
            if indirect != "empty":
                found |= self._tests_of(found, indirect)
            result = found if result is None else result & found
        return result or set()

    def _criterion(self, c: Criterion) -> set[str]:
        direct = {uid for uid, obj in self._all.items() if self._matches(c, obj)}
        out = set(direct)
        for uid in direct:
            if c.parents:
                out |= self.graph.ancestors(uid, c.parents_depth)
            if c.children or c.childrens_parents:
                kids = self.graph.descendants(uid, c.children_depth)
                out |= kids
                if c.childrens_parents:
                    for kid in kids:
                        out |= self.graph.ancestors(kid)
        return out

    def _tests_of(self, chosen: set[str], indirect: str) -> set[str]:
        tests = set()
        candidates = {t for uid in chosen for t in self._tests_by_parent.get(uid, ())} - chosen
        upstream: set[str] | None = None
        for uid in candidates:
            parents = set(self._all[uid].depends_on_nodes)
            if indirect == "eager" or parents <= chosen:
                tests.add(uid)
            elif indirect == "buildable":  # parents selected, or built before something selected
                if upstream is None:
                    upstream = set().union(*(self.graph.ancestors(u) for u in chosen))
                if parents <= chosen | upstream:
                    tests.add(uid)
        return tests

    def _matches(self, c: Criterion, obj) -> bool:
        method, value = c.method, c.value
        if method == "fqn":
            return _fqn_matches(obj.fqn, value)
        if method == "tag":
            tags = obj.tags if isinstance(obj.tags, list) else list(obj.tags)
            return any(fnmatch.fnmatchcase(t, value) for t in tags)
        if method == "path":
            path = obj.original_file_path
            want = value.rstrip("/")
            return (fnmatch.fnmatchcase(path, want) or path.startswith(want + "/") or path == want)
        if method == "file":
            return fnmatch.fnmatchcase(PurePosixPath(obj.original_file_path).name, value) or \
                fnmatch.fnmatchcase(PurePosixPath(obj.original_file_path).stem, value)
        if method.startswith("config."):
            key = method.split(".", 1)[1]
            actual = getattr(obj, "config", {}).get(key)
            if isinstance(actual, list):
                return any(str(a) == value for a in actual)
            return actual is not None and str(actual).lower() == value.lower()
        if method == "state":
            return self.state.matches(value, obj)
        if method == "result":
            return self.state.result(value, obj)
        if method == "resource_type":
            return obj.resource_type == value
        if method == "package":
            return obj.package_name == value
        if method == "source":
            if obj.resource_type != "source":
                return False
            parts = value.split(".")
            full = [obj.package_name, obj.source_name, obj.name] if len(parts) == 3 else \
                [obj.source_name, obj.name][:len(parts)]
            return _glob_parts(full, parts)
        if method == "exposure":
            return obj.resource_type == "exposure" and fnmatch.fnmatchcase(obj.name, value)
        if method == "test_name":
            meta = getattr(obj, "test_metadata", None)
            return obj.resource_type == "test" and meta is not None and fnmatch.fnmatchcase(meta["name"], value)
        if method == "test_type":
            if obj.resource_type == "unit_test":
                return value == "unit"
            if obj.resource_type != "test":
                return False
            generic = getattr(obj, "test_metadata", None) is not None
            return (value in ("generic", "schema") and generic) or (value in ("singular", "data") and not generic)
        return False


def _glob_parts(have: list[str], want: list[str]) -> bool:
    return len(have) == len(want) and all(fnmatch.fnmatchcase(h, w) for h, w in zip(have, want, strict=True))


def _fqn_matches(fqn: list[str], value: str) -> bool:
    """A name, or a dotted path prefix of the fqn (with or without the package), globs allowed."""
    parts = value.split(".")
    if len(parts) == 1 and fnmatch.fnmatchcase(fqn[-1], value):
        return True
    for start in (0, 1):
        window = fqn[start:start + len(parts)]
        if _glob_parts(window, parts):
            return True
    return False
