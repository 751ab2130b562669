"""Slim CI: a previous run's artifacts (``--state DIR``), the ``state:``/``result:`` selectors
and ``--defer``, with dbt's rules for what counts as modified."""

from __future__ import annotations

import re
from dataclasses import replace

from fusion.errors import SelectionError
from fusion.jinja.environment import environment
from fusion.jinja.macros import MacroDef, MacroRegistry, called_names
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import Node, Source
from fusion.manifest.state import PreviousState
from fusion.relation import Relation

STATE_METHODS = ("new", "old", "modified", "modified.body", "modified.configs", "modified.relation",
                 "modified.persisted_descriptions", "modified.contract", "modified.macros", "modified.logic")
#: configs dbt leaves out when it compares two nodes' configs
_CONFIG_IGNORED = frozenset({"pre-hook", "post-hook", "pre_hook", "post_hook"})
_RELATION_KEYS = ("database", "schema", "alias")
_SOURCE_KEYS = ("database", "schema", "identifier", "fqn", "quoting", "freshness", "loader",
                "loaded_at_field", "config", "external")
_VOLATILE = frozenset({"created_at", "unrendered_config", "compiled_code", "compiled", "compiled_path",
                       "extra_ctes", "extra_ctes_injected", "columns", "build_path"})
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
class StateMatcher:
    """Answers ``state:<check>`` and ``result:<status>`` for one object of the current manifest."""

    def __init__(self, previous: PreviousState | None, manifest: Manifest, dialect: str | None = None):
        self.previous = previous
        self.macros = manifest.macros
        self.dialect = dialect
        self._macro_changed: dict[str, bool] = {}

    def result(self, status: str, obj) -> bool:
        if self.previous is None or self.previous.results is None:
            raise SelectionError("result: selectors need --state DIR with the run_results.json of a previous run")
        return self.previous.results.get(obj.unique_id) == status

    def matches(self, check: str, obj) -> bool:
        if check not in STATE_METHODS:
            raise SelectionError(f"unknown state selector state:{check}", hint="known: " + ", ".join(STATE_METHODS))
        if self.previous is None or self.previous.manifest is None:
            raise SelectionError(f"state:{check} needs --state DIR with the manifest.json of a previous run",
                                 hint="e.g. --state prod-artifacts/ (or set DBT_STATE)")
        old = self.previous.old(obj.unique_id)
        if check in ("new", "old"):
            return (old is None) == (check == "new")
        if old is None:
            return True
        if not isinstance(obj, Node):
            return check == "modified" and not _same_other(obj, old)
        checks = {"body": _same_body, "configs": _same_configs, "relation": _same_relation,
                  "persisted_descriptions": _same_descriptions, "contract": _same_contract}
        sub = check.partition(".")[2]
        if sub in checks:
            return not checks[sub](obj, old)
        if sub == "macros":
            return self._macros_changed(obj)
        same_but_body = all(fn(obj, old) for name, fn in checks.items() if name != "body") \
            and obj.fqn == old.get("fqn")
        if not same_but_body or self._macros_changed(obj):
            return True
        if sub == "logic":
            return not _same_body(obj, old) and not self._same_logic(obj.raw_code, old.get("raw_code") or "")
        return not _same_body(obj, old)

    def _same_logic(self, new: str, old: str) -> bool:
        """Same SQL tokens (comments, whitespace and keyword case aside)."""
        try:
            return _tokens(new, self.dialect) == _tokens(old, self.dialect)
        except Exception:  # noqa: BLE001 - text sqlglot cannot tokenize counts as changed
            return False

    def _macros_changed(self, node: Node) -> bool:
        old_macros = (self.previous.manifest or {}).get("macros") or {}
        tree = environment().parse_source(node.raw_code, node.original_file_path)
        return any(self._macro_modified(m, old_macros, set())
                   for m in _resolve(self.macros, called_names(tree), node.package_name))

    def _macro_modified(self, macro: MacroDef, old_macros: dict, seen: set[str]) -> bool:
        uid = macro.unique_id
        if uid in self._macro_changed:
            return self._macro_changed[uid]
        if uid in seen:
            return False
        seen.add(uid)
        old = old_macros.get(uid)
        changed = old is None or old.get("macro_sql") != macro.sql or any(
            self._macro_modified(m, old_macros, seen)
            for m in _resolve(self.macros, macro.called_names(), macro.package))
        self._macro_changed[uid] = changed
        return changed


def _resolve(registry: MacroRegistry, names, package: str) -> list[MacroDef]:
    found = []
    for pkg, name in names:
        macro = registry.in_package(pkg, name) if pkg else registry.find(name, package)
        if macro is not None:
            found.append(macro)
    return found


def _tokens(sql: str, dialect: str | None) -> list[tuple[str, str]]:
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    out = []
    for token in Dialect.get_or_raise(dialect).tokenize(_JINJA_COMMENT.sub(" ", sql)):
        quoted = token.token_type in (TokenType.STRING, TokenType.IDENTIFIER)
        out.append((token.token_type.name, token.text if quoted else token.text.lower()))
    return out


def _same_body(node: Node, old: dict) -> bool:
    if node.resource_type == "seed":
        return node.checksum == (old.get("checksum") or {}).get("checksum")
    return node.raw_code == old.get("raw_code")


def _comparable_config(config: dict) -> dict:
    return {k: v for k, v in (config or {}).items() if k not in _CONFIG_IGNORED}


def _same_configs(node: Node, old: dict) -> bool:
    return _comparable_config(node.unrendered_config) == _comparable_config(old.get("unrendered_config"))


def _same_relation(node: Node, old: dict) -> bool:
    """The configured database/schema/alias (not what generate_*_name made of them)."""
    mine, theirs = node.unrendered_config, old.get("unrendered_config") or {}
    return all(mine.get(k) == theirs.get(k) for k in _RELATION_KEYS)


def _same_descriptions(node: Node, old: dict) -> bool:
    persist = node.config.get("persist_docs") or {}
    if persist.get("relation") and node.description != old.get("description"):
        return False
    if persist.get("columns"):
        mine = {k: c.get("description", "") for k, c in node.columns.items()}
        theirs = {k: c.get("description", "") for k, c in (old.get("columns") or {}).items()}
        return mine == theirs
    return True


def _same_contract(node: Node, old: dict) -> bool:
    if node.resource_type != "model":
        return True
    contract = old.get("contract") or {}
    now = node.to_dict()["contract"]
    if not contract.get("enforced") and not now["enforced"]:
        return True
    return contract.get("enforced") == now["enforced"] and contract.get("checksum") == now["checksum"]


def _same_other(obj, old: dict) -> bool:
    """Sources by what locates and checks them; other resources by their whole entry."""
    mine = obj.to_dict()
    keys = _SOURCE_KEYS if isinstance(obj, Source) else [k for k in mine if k not in _VOLATILE]
    return all(mine.get(k) == old.get(k) for k in keys)



class Deferral:
    """``--defer``: a ref to a node this run does not build reads the state's relation when the
    node's relation is missing here (with ``--favor-state``: whenever the node is not selected)."""

    def __init__(self, state: PreviousState, adapter, runtime, favor_state: bool):
        self.state = state
        self.adapter = adapter
        self.runtime = runtime  # its ``selected`` is filled once the selection is known
        self.favor_state = favor_state
        self._selected: frozenset[str] | None = None

    def __call__(self, target: Node, relation: Relation) -> Relation:
        state_relation = self.state_relation(target, relation)
        if state_relation is None:
            return relation
        if self._selected is None:  # refs resolve once the selection is made
            self._selected = frozenset(self.runtime.selected)
        if (self.favor_state and target.unique_id not in self._selected) or \
                self.adapter.get_relation(relation.database, relation.schema, relation.identifier) is None:
            return state_relation
        return relation

    def state_relation(self, target: Node, relation: Relation) -> Relation | None:
        """``relation`` (the node's here) moved to where the state run built the node, if it did."""
        old = self.state.relation_of(target.unique_id)
        if old is None:
            return None
        return replace(relation, database=old.get("database"), schema=old.get("schema"),
                       identifier=old.get("alias") or old.get("name"))
