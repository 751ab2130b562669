"""Evaluating selection specs (``--select``/``--exclude`` words and selectors.yml definitions) on the graph."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fusion.errors import SelectionError
from fusion.graph.dag import Graph
from fusion.graph.spec import Criterion, Spec, parse_cli
from fusion.graph.state import StateMatcher
from fusion.manifest.manifest import Manifest
from fusion.manifest.state import read_source_freshness

if TYPE_CHECKING:
    from fusion.graph.selector_yaml import NamedSelectors


class Selector:
    def __init__(self, manifest: Manifest, graph: Graph, selectors: NamedSelectors | None = None,
                 state: StateMatcher | None = None, target_path: Path | None = None):
        self.manifest = manifest
        self.graph = graph
        self.selectors = selectors
        self.state = state or StateMatcher(None, manifest)  # --state: an earlier run's artifacts
        self.target_path = target_path  # this project's artifacts (sources.json of the last freshness run)
        self._resolving: list[str] = []  # selectors.yml names being evaluated (a cycle check)
        #: the --select words that matched no enabled node, in order (dbt warns about each)
        self.unmatched: list[str] = []
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
        """``--select``/``--exclude``: tests of excluded nodes always go too (as in dbt)."""
        chosen = self.select_spec(parse_cli(select, indirect, expect_exists=True)) if select else {
            uid for uid, obj in self._all.items() if obj.resource_type != "operation"}
        return chosen - (self.select_spec(parse_cli(exclude, "eager", expect_exists=True)) if exclude else set())

    def select_spec(self, spec: Spec, indirect: str = "eager") -> set[str]:
        """``indirect`` applies where a criterion sets no indirect_selection of its own."""
        return {uid for uid in self._recurse(spec, indirect)[0] if self._all[uid].resource_type != "operation"}

    def _recurse(self, spec: Spec, indirect: str) -> tuple[set[str], set[str]]:
        """(selected, tests seen but not selected) as dbt combines them: a group keeps the tests its
        components selected; with cautious/buildable it also takes the seen tests whose parents it has."""
        if isinstance(spec, Criterion):
            selected = self._criterion(spec)
            mode = spec.indirect or indirect
            if mode == "empty" or spec.method == "selector":  # a named selector did its own tests
                return selected, set()
            return self._expand(selected, mode)
        bundles = [self._recurse(c, indirect) for c in spec.components]
        direct = _combine(spec.kind, [d for d, _ in bundles])
        seen = _combine(spec.kind, [d | i for d, i in bundles])
        if spec.indirect in ("cautious", "buildable") and seen != direct:
            have = direct if spec.indirect == "cautious" else \
                direct.union(*(self.graph.ancestors(uid) for uid in direct))
            direct = direct | {uid for uid in seen - direct if set(self._all[uid].depends_on_nodes) <= have}
        if spec.raw is not None and not direct:
            self.unmatched.append(spec.raw)
        return direct, seen

    def _named(self, pattern: str) -> set[str]:
        if self.selectors is None:
            raise SelectionError(f"selector:{pattern} needs a selectors.yml", hint="define it in selectors.yml")
        names = sorted(n for n in self.selectors.specs if fnmatch.fnmatchcase(n, pattern))
        if not names:
            raise SelectionError(f"selector {pattern!r} matches no selector in selectors.yml",
                                 hint="known selectors: " + (", ".join(self.selectors.specs) or "none"))
        out: set[str] = set()
        for name in names:
            if name in self._resolving:
                entry = self.selectors.entries[name]
                raise SelectionError("selectors refer to each other in a cycle: "
                                     + " -> ".join([*self._resolving, name]),
                                     path="selectors.yml", line=entry.line, hint="remove one `method: selector`")
            self._resolving.append(name)
            try:
                out |= self.select_spec(self.selectors.specs[name])
            finally:
                self._resolving.pop()
        return out

    def _criterion(self, c: Criterion) -> set[str]:
        if c.method == "selector":
            direct = self._named(c.value)
        elif c.method == "source_status":
            direct = self._source_status(c.value)
        else:
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

    def _source_status(self, value: str) -> set[str]:
        """``fresher``: sources whose newest data in target/sources.json is newer than in --state's."""
        if value != "fresher":
            raise SelectionError(f"unknown source_status {value!r}", hint="use source_status:fresher")
        if self.state.previous is None or self.target_path is None:
            raise SelectionError("source_status:fresher needs --state DIR holding an earlier sources.json",
                                 hint="keep a copy of target/sources.json, run `fusion source freshness`, "
                                      "then pass --state with the copy's folder")
        previous = self.state.previous.sources
        current = read_source_freshness(self.target_path / "sources.json")
        return {uid for uid, loaded in current.items()
                if uid in self._all and (uid not in previous or loaded > previous[uid])}

    def _expand(self, chosen: set[str], indirect: str) -> tuple[set[str], set[str]]:
        """``chosen`` with the tests it pulls in by ``indirect``, and the tests it leaves pending."""
        direct, pending = set(chosen), set()
        candidates = {t for uid in chosen for t in self._tests_by_parent.get(uid, ())} - chosen
        upstream: set[str] | None = None
        for uid in candidates:
            parents = set(self._all[uid].depends_on_nodes)
            if indirect == "eager" or parents <= chosen:
                direct.add(uid)
            elif indirect == "buildable":  # parents selected, or built before something selected
                if upstream is None:
                    upstream = set(self.manifest.sources).union(*(self.graph.ancestors(u) for u in chosen))
                (direct if parents <= chosen | upstream else pending).add(uid)
            elif indirect != "empty":
                pending.add(uid)
        return direct, pending

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
            return value == "data" or (value in ("generic", "schema") and generic) or \
                (value == "singular" and not generic)
        return False


def _combine(kind: str, sets: list[set[str]]) -> set[str]:
    if not sets:
        return set()
    if kind == "union":
        return set().union(*sets)
    if kind == "intersection":
        return set.intersection(*sets)
    return sets[0].difference(*sets[1:])


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
