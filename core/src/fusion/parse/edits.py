"""One-edit parses: re-render only the model files whose text changed.

When the only inputs that changed since the last parse are SQL model files, and each one's
parse-time render still declares exactly what it declared before (the same refs, sources and
``config()``, so the same configs, names, dependencies and tests), every node of the last
manifest stays right except those nodes' text and checksum. Such a parse renders only the
edited files and patches the last manifest instead of parsing the whole project again, so its
cost follows the edit, not the project. Anything else (a new, removed or renamed file, YAML,
macros, project config, a changed declaration, a render that reads the graph or an environment
variable) falls back to the full parse, whose result is the same by construction.
"""

from __future__ import annotations

import copy
import pickle
import time
from dataclasses import dataclass
from typing import Any

from fusion.errors import FusionError
from fusion.fileio import read_text
from fusion.jinja.context import Runtime
from fusion.jinja.node_context import Capture
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import Node
from fusion.parse.cache import ParseCache, digest
from fusion.parse.capture import capture_dependencies
from fusion.parse.files import text_checksum


@dataclass(frozen=True)
class BodyEdit:
    """What changes in an edited model's node: its text, where it starts, its checksum, when."""

    unique_id: str
    raw_code: str
    raw_code_line: int
    checksum: str
    created_at: float

    def fields(self) -> dict[str, Any]:
        """The node fields this edit sets (the form the parse cache keeps)."""
        return {"raw_code": self.raw_code, "raw_code_line": self.raw_code_line, "checksum": self.checksum,
                "created_at": self.created_at}


def capture_digest(capture: Capture) -> str:
    return digest(capture.refs, capture.sources, capture.config)


def index_entry(node: Node, capture: Capture) -> tuple[str, bytes, str]:
    """How a model file is remembered for the next parse: its node as it was just before its
    parse-time render (to render the next text the same way) and what that render declared."""
    return node.unique_id, pickle.dumps(copy.copy(node), protocol=pickle.HIGHEST_PROTOCOL), capture_digest(capture)


class GraphReadAtParseTime(Exception):
    """A parse-time render read ``graph``: only a full parse gives it what it would see."""


class _NoGraph(Manifest):
    """The manifest a one-edit render sees: reading its graph abandons the one-edit parse."""

    def flat_graph(self) -> dict:
        raise GraphReadAtParseTime


def find_body_edits(cache: ParseCache, runtime: Runtime) -> list[BodyEdit] | None:
    """The edits that bring the last manifest up to date, or None when a full parse is needed."""
    changed = cache.changed_paths()
    if not changed or not all(path.endswith(".sql") for path in changed):
        return None
    index = cache.load_model_index()
    if index is None:
        return None
    edits = []
    for path in sorted(changed):
        entry = index.get(path)
        if entry is None or path not in cache.files:  # not a model file, or a removed one
            return None
        unique_id, pickled, declared = entry
        node: Node = pickle.loads(pickled)  # noqa: S301 - in a file sealed with this user's key
        text = read_text(path, node.original_file_path)
        node.raw_code = text.strip()
        node.raw_code_line = 1 + text[:len(text) - len(text.lstrip())].count("\n")
        capture = _render(runtime, node)
        if capture is None or capture_digest(capture) != declared:
            return None
        edits.append(BodyEdit(unique_id, node.raw_code, node.raw_code_line, text_checksum(text), time.time()))
    return edits


def _render(runtime: Runtime, node: Node) -> Capture | None:
    runtime.env.tracker = {}
    try:
        capture = capture_dependencies(runtime, _NoGraph(runtime.project_name, runtime.macros), node,
                                       node.template_code)
    except (GraphReadAtParseTime, FusionError):  # the full parse reports an error with its context
        return None
    finally:
        reads, runtime.env.tracker = runtime.env.tracker, None
    return None if reads else capture  # an environment read: the full parse tracks it
