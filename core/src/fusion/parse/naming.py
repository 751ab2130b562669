"""Database, schema and alias of a node: dbt's ``generate_*_name`` macros.

When no project or package overrides a macro (nor the ``default__``/``<adapter>__`` macro it
dispatches to), the built-in rule is applied in Python (the
same rule the built-in macro implements); otherwise the user's macro is rendered.
"""

from __future__ import annotations

import functools

import jinja2.nodes as nodes

from fusion.jinja.context import MacroFunction, RenderNamespace, Runtime
from fusion.jinja.environment import environment
from fusion.manifest.nodes import Node

#: globals a naming macro may read and still give the same answer for every node of a package
_NODE_FREE_GLOBALS = frozenset({
    "target", "var", "env_var", "return", "exceptions", "log", "print", "modules", "range", "loop",
    "none", "true", "false", "None", "True", "False", "project_name", "dbt_version", "zip", "set",
    "tojson", "fromjson", "toyaml", "fromyaml", "caller",
})


@functools.cache
def _reads_only_its_arguments(file_source: str, file_path: str, name: str) -> bool:
    """Whether macro ``name`` ignores its ``node`` argument and the node's context (``model``,
    ``this``, ``config``, other macros): then its result depends on its first argument only."""
    tree = environment().parse_source(file_source, file_path)
    macro = next((n for n in tree.body if isinstance(n, nodes.Macro) and n.name == name), None)
    if macro is None:
        return False
    params = [a.name for a in macro.args]
    allowed = {*params[:1], *_NODE_FREE_GLOBALS}
    allowed |= {n.name for n in macro.find_all(nodes.Name) if n.ctx == "store"} - set(params[1:])
    return all(n.name in allowed for n in macro.find_all(nodes.Name) if n.ctx == "load")


class _Namer:
    """Calls the user's naming macros, reusing answers that cannot depend on the node."""

    def __init__(self, runtime: Runtime, node: Node, namespace_factory, answers: dict | None):
        self.runtime, self.node, self.factory, self.answers = runtime, node, namespace_factory, answers
        self.namespace: RenderNamespace | None = None

    def __call__(self, name: str, value) -> str:
        macro = self.runtime.macros.find(name, self.runtime.project_name)
        key = None
        if self.answers is not None and _reads_only_its_arguments(macro.file.source, macro.file.path, macro.name):
            key = (name, self.node.package_name, value)  # var() is scoped to the node's package
            if key in self.answers:
                return self.answers[key]
        if self.namespace is None:
            self.namespace = self.factory(self.node)
        answer = str(MacroFunction(macro, self.namespace)(value, self.node)).strip()
        if key is not None:
            self.answers[key] = answer
        return answer


def apply_naming(runtime: Runtime, node: Node, namespace_factory, answers: dict | None = None) -> None:
    """Set ``node.database/schema/alias`` from its config and the target.

    ``answers`` (one dict per parse) keeps the results of naming macros that ignore the node.
    """
    config = node.config
    target_schema = runtime.target.get("schema") or ""
    target_database = runtime.adapter.default_database
    custom_schema = config.get("schema")
    custom_database = config.get("database")
    custom_alias = config.get("alias")
    prefixes = (*runtime.adapter_chain, "default")

    def overridden(name: str) -> bool:
        """Whether the user defines the macro or one it dispatches to (``default__<name>``...)."""
        return any(runtime.macros.is_overridden(n) for n in (name, *(f"{p}__{name}" for p in prefixes)))

    call = _Namer(runtime, node, namespace_factory, answers)

    if node.resource_type == "snapshot" and config.get("target_schema"):  # legacy: used verbatim
        node.schema = config["target_schema"]
    elif overridden("generate_schema_name"):
        node.schema = call("generate_schema_name", custom_schema)
    else:
        node.schema = f"{target_schema}_{custom_schema.strip()}" if custom_schema else target_schema

    if node.resource_type == "snapshot" and config.get("target_database"):
        node.database = config["target_database"]
    elif overridden("generate_database_name"):
        node.database = call("generate_database_name", custom_database)
    else:
        node.database = custom_database.strip() if custom_database else target_database

    if overridden("generate_alias_name"):
        node.alias = call("generate_alias_name", custom_alias)
    elif custom_alias:
        node.alias = custom_alias.strip()
    elif node.version is not None:
        node.alias = f"{node.name}_v{node.version}"
    else:
        node.alias = node.name
