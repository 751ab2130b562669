"""The one way Fusion reads YAML: safe, with errors naming the file and line, and bounded.

Aliases are shared nodes after parsing, but everything that walks the data (rendering, hashing,
writing JSON) expands them; a few hundred bytes of nested aliases ("billion laughs") expand to
billions of nodes. Each document is measured as if expanded, in time about its parsed size,
before any Python object is built from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fusion.errors import ProjectError
from fusion.fileio import read_text

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: nodes that aliases may add to a document once expanded (beyond the nodes written out)
MAX_ALIAS_EXPANSION = 1_000_000
#: nesting depth of collections (JSON writers and renderers walk the data recursively)
MAX_DEPTH = 200
#: levels of keys whose lines ``load_yaml_with_lines`` records
LINE_DEPTH = 6


#: line of each mapping key and list item, by its path from the top: keys, and indexes for list items
KeyLines = dict[tuple[str | int, ...], int]


def load_yaml_text(text: str, path: str) -> Any:
    return _load(text, path, None)


def load_yaml_file(path: Path, shown_as: str | None = None) -> Any:
    shown = shown_as or str(path)
    return _load(read_text(path, shown), shown, None)


def load_yaml_with_lines(path: Path, shown_as: str | None = None) -> tuple[Any, KeyLines]:
    """The document, and the line of every key and list item down to ``LINE_DEPTH`` levels (for errors)."""
    shown = shown_as or str(path)
    return _load(read_text(path, shown), shown, lines := {}), lines


def key_lines(text: str, path: str) -> KeyLines:
    """Only the lines of ``text``'s keys (to place an error found in data loaded earlier)."""
    _load(text, path, lines := {})
    return lines


def _load(text: str, path: str, lines: KeyLines | None) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, path, may_alias="*" in text)
        if lines is not None:
            _collect_lines(node, (), lines, LINE_DEPTH)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProjectError(f"invalid YAML: {problem}", path=path,
                           line=mark.line + 1 if mark else None,
                           hint="fix the indentation or quoting on that line") from exc
    finally:
        loader.dispose()


def _collect_lines(node: yaml.Node, prefix: tuple[str | int, ...], lines: KeyLines, depth: int) -> None:
    if depth == 0:
        return
    if isinstance(node, yaml.SequenceNode):
        items = [(index, item, item) for index, item in enumerate(node.value)]
    elif isinstance(node, yaml.MappingNode):
        items = [(key.value, key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]
    else:
        return
    for name, marked, value in items:
        lines[(*prefix, name)] = marked.start_mark.line + 1
        _collect_lines(value, (*prefix, name), lines, depth - 1)


def _check_size(root: yaml.Node, path: str, may_alias: bool) -> None:
    """Fail if the document nests too deeply, or its aliases would expand it too far.

    Walks one nesting level at a time. With aliases, a node reached along several paths is visited
    once per level with the number of paths, so a bomb costs its written size, not its expansion.
    """
    level, paths = [root], {id(root): 1}
    expanded = written = 0
    for depth in range(1, MAX_DEPTH + 2):
        if not level:
            return
        if depth > MAX_DEPTH:
            raise ProjectError(f"YAML nested more than {MAX_DEPTH} levels deep", path=path,
                               line=level[0].start_mark.line + 1, hint="flatten the structure")
        below: list[yaml.Node] = []
        if not may_alias:  # every node is reached once: only the depth matters
            for node in level:
                if type(node) is yaml.MappingNode:
                    for pair in node.value:
                        below.extend(pair)
                elif type(node) is yaml.SequenceNode:
                    below.extend(node.value)
            level = below
            continue
        counts: dict[int, int] = {}
        for node in level:
            reached = paths[id(node)]
            expanded += reached
            children = node.value if isinstance(node, yaml.SequenceNode) else (
                [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else ())
            for child in children:
                if id(child) in counts:
                    counts[id(child)] += reached
                else:
                    counts[id(child)] = reached
                    below.append(child)
        written += len(level)
        if expanded - written > MAX_ALIAS_EXPANSION:
            raise ProjectError(
                f"YAML aliases expand this document to more than {expanded:,} values "
                f"(at most {MAX_ALIAS_EXPANSION:,} may come from aliases)", path=path,
                hint="an alias bomb? use fewer nested anchors (&name) and aliases (*name)")
        level, paths = below, counts
