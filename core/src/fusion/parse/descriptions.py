"""Descriptions render ``{{ doc('name') }}`` (and any Jinja) once every doc block is known."""

from __future__ import annotations

import re

from fusion.errors import CompilationError
from fusion.jinja.context import Runtime
from fusion.jinja.environment import environment
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import Source

#: a description that is only ``{{ doc('name') }}``
_DOC_ONLY = re.compile(r"""\{\{\s*doc\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)\s*\}\}""")


def render_descriptions(manifest: Manifest, runtime: Runtime, root_package: str) -> None:
    """Descriptions of nodes, their columns, sources and exposures, rendered in place."""
    base = runtime.base_members(False)  # built once: most descriptions are only {{ doc('x') }}
    for resource in [*manifest.nodes.values(), *manifest.sources.values(), *manifest.exposures.values()]:
        resource.description = _render(manifest, runtime, base, root_package, resource, resource.description)
        for column in (getattr(resource, "columns", None) or {}).values():
            column["description"] = _render(manifest, runtime, base, root_package, resource,
                                            column.get("description"))
        if isinstance(resource, Source):
            resource.source_description = _render(manifest, runtime, base, root_package, resource,
                                                  resource.source_description)


def _render(manifest: Manifest, runtime: Runtime, base: dict, root_package: str, resource, text):
    if not isinstance(text, str) or ("{{" not in text and "{%" not in text):
        return text
    package = resource.package_name
    patch_path = getattr(resource, "patch_path", None)  # the YAML file that gave the description
    where = patch_path.split("://", 1)[-1] if patch_path else resource.original_file_path

    def doc(*args):
        """``doc(name)``: the resource's package, then the root project, then any; ``doc(package, name)``."""
        if len(args) not in (1, 2):
            raise CompilationError(f"doc() takes a name, or a package and a name; got {args!r}", path=where)
        name, packages = args[-1], [args[0]] if len(args) == 2 else [package, root_package]
        found = next((manifest.docs[f"doc.{p}.{name}"] for p in packages if f"doc.{p}.{name}" in manifest.docs), None)
        if found is None and len(args) == 1:
            found = next((d for d in manifest.docs.values() if d.name == name), None)
        if found is None:
            raise CompilationError(f"{resource.unique_id}: its description uses doc({name!r}), which was not found",
                                   path=where, hint="define it in a .md file: {% docs " + name + " %}...{% enddocs %}")
        return found.block_contents

    only_doc = _DOC_ONLY.fullmatch(text)
    if only_doc is not None:  # the usual description: the doc block's text, no template to render
        return doc(only_doc.group(1) if only_doc.group(1) is not None else only_doc.group(2))
    members = {**base, "doc": doc,
               "var": lambda name, default=None: runtime.vars.get(name, package, default)}
    return environment().compile_source(text, where).render(members)
