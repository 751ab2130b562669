"""Database, schema and alias of a node: dbt's ``generate_*_name`` macros.

When no project or package overrides a macro, the built-in rule is applied in Python (the
same rule the built-in macro implements); otherwise the user's macro is rendered.
"""

from __future__ import annotations

from fusion.jinja.context import MacroFunction, RenderNamespace, Runtime
from fusion.manifest.nodes import Node


def _call_user_macro(runtime: Runtime, namespace: RenderNamespace, name: str, *args) -> str:
    macro = runtime.macros.find(name, runtime.project_name)
    return str(MacroFunction(macro, namespace)(*args)).strip()


def apply_naming(runtime: Runtime, node: Node, namespace_factory) -> None:
    """Set ``node.database/schema/alias`` from its config and the target."""
    config = node.config
    target_schema = runtime.target.get("schema") or ""
    target_database = runtime.adapter.default_database
    custom_schema = config.get("schema")
    custom_database = config.get("database")
    custom_alias = config.get("alias")
    overridden = runtime.macros.is_overridden
    namespace = None
    if any(overridden(n) for n in ("generate_schema_name", "generate_alias_name", "generate_database_name")):
        namespace = namespace_factory(node)

    if node.resource_type == "snapshot" and config.get("target_schema"):  # legacy: used verbatim
        node.schema = config["target_schema"]
    elif overridden("generate_schema_name"):
        node.schema = _call_user_macro(runtime, namespace, "generate_schema_name", custom_schema, node)
    else:
        node.schema = f"{target_schema}_{custom_schema.strip()}" if custom_schema else target_schema

    if node.resource_type == "snapshot" and config.get("target_database"):
        node.database = config["target_database"]
    elif overridden("generate_database_name"):
        node.database = _call_user_macro(runtime, namespace, "generate_database_name", custom_database, node)
    else:
        node.database = custom_database.strip() if custom_database else target_database

    if overridden("generate_alias_name"):
        node.alias = _call_user_macro(runtime, namespace, "generate_alias_name", custom_alias, node)
    elif custom_alias:
        node.alias = custom_alias.strip()
    elif node.version is not None:
        node.alias = f"{node.name}_v{node.version}"
    else:
        node.alias = node.name
