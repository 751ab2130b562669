"""Macro discovery, resolution (root project > package > adapter > core) and dispatch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import jinja2.nodes as nodes

from fusion.jinja.blocks import block_spans, toplevel_blocks
from fusion.jinja.environment import environment

CORE_PACKAGE = "dbt"


@dataclass
class MacroFile:
    package: str
    path: str  # as shown to users: original_file_path, or an absolute path for built-ins
    source: str
    _template: object = None
    _by_line: dict[int, str] | None = None

    def block_at(self, lineno: int) -> str:
        """The text of the top-level block starting on line ``lineno``."""
        if self._by_line is None:
            self._by_line = {self.source.count("\n", 0, start) + 1: self.source[start:end]
                             for start, end in block_spans(self.source)}
        return self._by_line.get(lineno, "")

    @property
    def blocks(self) -> str:
        """The source as Jinja sees it: its top-level macro/test/docs blocks only."""
        return toplevel_blocks(self.source)

    def template_tree(self):
        """The parsed (not compiled) Jinja tree of the file's blocks."""
        return environment().parse_source(self.blocks, self.path)

    @property
    def template(self):
        if self._template is None:
            self._template = environment().compile_source(self.blocks, self.path)
        return self._template


@dataclass
class MacroDef:
    name: str
    package: str
    file: MacroFile
    lineno: int
    arguments: tuple[str, ...] = ()

    @property
    def unique_id(self) -> str:
        return f"macro.{self.package}.{self.name}"

    @property
    def sql(self) -> str:
        """The macro's own block of its file (manifest.json's ``macro_sql``)."""
        return self.file.block_at(self.lineno)

    def called_names(self) -> list[tuple[str | None, str]]:
        """(package or None, name) of each macro this one calls directly, e.g. ``pkg.m()``, ``m()``."""
        for node in self.file.template_tree().find_all(nodes.Macro):
            if node.name == self.name:
                return called_names(node)
        return []


def called_names(tree) -> list[tuple[str | None, str]]:
    """(package or None, name) of the calls ``name(...)`` and ``package.name(...)`` in a Jinja tree."""
    found: dict[tuple[str | None, str], None] = {}
    for call in tree.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name):
            found[(None, target.name)] = None
        elif isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
            found[(target.node.name, target.attr)] = None
    return list(found)


def macros_in_file(file: MacroFile, index: dict[str, list] | None = None) -> list[MacroDef]:
    """The top-level macros a file defines (block tags count: ``test_x``, ``docs_x``...).

    ``index`` maps a digest of a file's text to its macros' (name, line, arguments), so that a
    parse cache spares parsing unchanged macro files; new entries are added to it.
    """
    key = hashlib.sha256(file.source.encode()).hexdigest() if index is not None else ""
    found = index.get(key) if index is not None else None
    if found is None:
        tree = environment().parse_source(file.blocks, file.path)
        found = [[node.name, node.lineno, [a.name for a in node.args]]
                 for node in tree.body if isinstance(node, nodes.Macro)]
        if index is not None:
            index[key] = found
    return [MacroDef(name, file.package, file, lineno, tuple(args)) for name, lineno, args in found]


@dataclass
class MacroRegistry:
    """All macros, by package. ``internal`` lists adapter packages then the core package."""

    root_package: str
    internal: tuple[str, ...] = (CORE_PACKAGE,)
    by_package: dict[str, dict[str, MacroDef]] = field(default_factory=dict)
    files: list[MacroFile] = field(default_factory=list)
    index: dict[str, list] | None = None  # see macros_in_file
    _overridden: frozenset[str] | None = None
    _naming_overridden: bool | None = None

    def add_file(self, file: MacroFile) -> list[MacroDef]:
        found = macros_in_file(file, self.index)
        self._overridden = self._naming_overridden = None
        self.files.append(file)
        package = self.by_package.setdefault(file.package, {})
        for macro in found:
            package[macro.name] = macro
        return found

    def find(self, name: str, package: str | None = None) -> MacroDef | None:
        """Resolve an unqualified name as seen from ``package`` (a node's or a macro's)."""
        for candidate in self._search_order(package):
            macro = self.by_package.get(candidate, {}).get(name)
            if macro is not None:
                return macro
        return None

    def _search_order(self, package: str | None) -> list[str]:
        order = [self.root_package]
        if package and package != self.root_package and package not in self.internal:
            order.append(package)
        order.extend(self.internal)
        return order

    def in_package(self, package: str, name: str) -> MacroDef | None:
        if package == CORE_PACKAGE:  # `dbt.x` reaches the adapter's overrides too
            for internal in self.internal:
                macro = self.by_package.get(internal, {}).get(name)
                if macro is not None:
                    return macro
            return None
        return self.by_package.get(package, {}).get(name)

    @property
    def internal_adapters(self) -> list[str]:
        """Adapter names whose macro packages (``dbt_<name>``) are internal, in dispatch order."""
        return [p.removeprefix("dbt_") for p in self.internal if p != CORE_PACKAGE]


    @property
    def naming_overridden(self) -> bool:
        """Whether any ``generate_{schema,alias,database}_name`` macro (or a ``<prefix>__`` one it
        dispatches to) is the user's own."""
        if self._naming_overridden is None:  # asked once per node: answered once per macro set
            suffixes = tuple(f"generate_{part}_name" for part in ("schema", "alias", "database"))
            self._naming_overridden = any(name.endswith(suffixes) for name in self._user_macro_names)
        return self._naming_overridden

    def is_overridden(self, name: str) -> bool:
        """Whether a project or package replaces a built-in macro of this name."""
        return name in self._user_macro_names

    @property
    def _user_macro_names(self) -> frozenset[str]:
        overridden = self._overridden
        if overridden is None:  # built once: files are all added before anything renders
            overridden = self._overridden = frozenset(
                macro for pkg, macros in self.by_package.items() if pkg not in self.internal for macro in macros)
        return overridden

    def flat_dispatch_candidates(self, name: str, package: str, adapter_chain: tuple[str, ...]):
        """Yield macros as dispatch without a namespace finds them: for each prefix (adapters',
        then ``default``), the calling node's package, then the root project, then built-ins."""
        for prefix in [*adapter_chain, "default"]:
            for candidate in dict.fromkeys((package, self.root_package)):
                macro = self.by_package.get(candidate, {}).get(f"{prefix}__{name}")
                if macro is not None:
                    yield macro
            macro = self.in_package(CORE_PACKAGE, f"{prefix}__{name}")
            if macro is not None:
                yield macro

    def dispatch_candidates(self, name: str, namespaces: list[str], adapter_chain: tuple[str, ...]):
        """Yield macros in dispatch order: each namespace, each ``<adapter>__`` then ``default__``."""
        prefixes = [*adapter_chain, "default"]
        for namespace in namespaces:
            for prefix in prefixes:
                macro = (self.in_package(namespace, f"{prefix}__{name}") if namespace != self.root_package
                         else self.by_package.get(namespace, {}).get(f"{prefix}__{name}"))
                if macro is not None:
                    yield macro
