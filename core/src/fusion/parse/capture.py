"""A parse-time render: what a resource's template declares (refs, sources, ``config()``)."""

from __future__ import annotations

from fusion.jinja.context import Runtime
from fusion.jinja.environment import environment
from fusion.jinja.node_context import Capture, node_namespace
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import Node


def capture_dependencies(runtime: Runtime, manifest: Manifest, node: Node, text: str) -> Capture:
    """Render ``text`` in parse mode and return the refs, sources and config it declares."""
    capture = Capture()
    if "{" not in text:
        return capture  # plain SQL: nothing to render
    template = environment().compile_source(text, node.original_file_path)
    node_namespace(runtime, manifest, node, execute=False, capture=capture).render(template)
    return capture
