"""Render namespaces for one node: ``ref``, ``source``, ``config``, ``this``, ``adapter``...

Two modes, as in dbt. At parse time (``execute=False``) ``ref``/``source``/``config`` record
what the node depends on and nothing touches the warehouse. At execute time they resolve to
relations, ephemeral models become CTE names, and ``adapter`` talks to the warehouse.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fusion.config import hook_entry, merge_config, normalize_config
from fusion.errors import CompilationError
from fusion.jinja.context import VALIDATION, RenderNamespace, Runtime
from fusion.jinja.environment import environment
from fusion.jinja.table import ResultTable
from fusion.jinja.template_adapter import template_adapter
from fusion.manifest.nodes import Node, RefCall
from fusion.project.vars import MISSING
from fusion.relation import Column, Relation

EPHEMERAL_PREFIX = "__dbt__cte__"


@dataclass
class Capture:
    """What a parse-time render discovered."""

    refs: list[RefCall] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class Resolution:
    """What an execute-time render referenced: ephemeral models to inject as CTEs."""

    ephemerals: list[str] = field(default_factory=list)


def relation_for(runtime: Runtime, node: Node) -> Relation:
    kind = node.materialized if node.materialized in ("view", "materialized_view") else "table"
    return runtime.adapter.relation(node.database, node.schema, node.alias, kind)


class _Config:
    """``config(...)``, ``config.get(...)``, ``config.require(...)``."""

    def __init__(self, node: Node, capture: Capture | None):
        self._node = node
        self._capture = capture

    def __call__(self, *args, **kwargs):
        if self._capture is not None:
            values = dict(args[0]) if args and isinstance(args[0], dict) else {}
            values.update(kwargs)
            given = normalize_config(values, self._node.original_file_path)
            self._capture.config = merge_config(self._capture.config, given)
        return ""

    def _lookup(self, key: str):
        if self._capture is not None and key in self._capture.config:
            return self._capture.config[key]
        return self._node.config.get(key)

    def get(self, key: str, default=None, validator=None):
        value = self._lookup(key)
        if value is None:
            return default
        return self._validated(key, value, validator)

    def require(self, key: str, validator=None):
        value = self._lookup(key)
        if value is None:
            raise CompilationError(f"config {key!r} is required for {self._node.unique_id}",
                                   path=self._node.original_file_path)
        return self._validated(key, value, validator)

    def _validated(self, key: str, value, validator):
        if validator is not None:
            try:
                validator(value)
            except CompilationError as exc:
                raise CompilationError(f"config {key!r}: {exc.message}", path=self._node.original_file_path) from exc
        return value

    def set(self, key: str, value) -> str:
        return self(**{key: value})

    def persist_relation_docs(self) -> bool:
        return bool(self._node.config.get("persist_docs", {}).get("relation"))

    def persist_column_docs(self) -> bool:
        return bool(self._node.config.get("persist_docs", {}).get("columns"))


class _StatementResults:
    def __init__(self):
        self._results: dict[str, dict[str, Any]] = {}

    def store_result(self, name, response=None, agate_table=None):
        self._results[name] = _AttrDict(response=response, table=agate_table,
                                        data=agate_table.rows if agate_table is not None else [])
        return ""

    def store_raw_result(self, name, message=None, code=None, rows_affected=None, agate_table=None):
        from fusion.adapter import AdapterResponse

        return self.store_result(name, AdapterResponse(message, code, rows_affected), agate_table)

    def load_result(self, name):
        return self._results.get(name)


class _AttrDict(dict):
    def __getattr__(self, item):
        try:
            return self[item]
        except KeyError as exc:
            raise AttributeError(item) from exc


def node_namespace(runtime: Runtime, manifest, node: Node, *, execute: bool,
                   capture: Capture | None = None, resolution: Resolution | None = None,
                   extra: dict[str, Any] | None = None, batch: tuple[str, str] | None = None) -> RenderNamespace:
    """The namespace a node's SQL (and the macros it calls) render in.

    ``batch``: a microbatch window (start, end); refs and sources that declare ``event_time``
    then read only that window."""
    namespace = RenderNamespace(runtime, node.package_name, runtime.base_members(execute))
    this = relation_for(runtime, node)
    results = _StatementResults()

    def ref(*args, **kwargs):
        ref_call = _ref_call(node, args, kwargs)
        if capture is not None:
            capture.refs.append(ref_call)
            return runtime.adapter.relation(node.database, node.schema, ref_call.name)
        target = manifest.resolve_ref(ref_call, node.package_name)
        if target is None:
            raise CompilationError(f"{node.unique_id} depends on a node named {ref_call.name!r} "
                                   "which was not found", path=node.original_file_path)
        if target.is_ephemeral:
            if resolution is not None and target.unique_id not in resolution.ephemerals:
                resolution.ephemerals.append(target.unique_id)
            return runtime.adapter.relation(None, None, EPHEMERAL_PREFIX + target.alias, "cte").quote(
                identifier=False)
        relation = relation_for(runtime, target)
        if runtime.defer is not None:
            relation = runtime.defer(target, relation)
        return _narrow(relation, target.config.get("event_time"))

    def source(source_name, table_name):
        if capture is not None:
            capture.sources.append([source_name, table_name])
            return runtime.adapter.relation(node.database, source_name, table_name)
        found = manifest.resolve_source(source_name, table_name)
        if found is None:
            raise CompilationError(f"{node.unique_id} depends on source {source_name}.{table_name} "
                                   "which was not found", path=node.original_file_path)
        return _narrow(runtime.adapter.relation(found.database, found.schema, found.identifier, "table"),
                       found.config.get("event_time"))

    def _narrow(relation: Relation, event_time: str | None) -> Relation:
        """``--empty`` reads zero rows; a microbatch reads its window of inputs with ``event_time``."""
        if batch is not None and event_time:
            relation = replace(relation, event_time_filter=(event_time, *batch))
        return replace(relation, limit=0) if runtime.flags.get("EMPTY") else relation

    def var(name, default=MISSING):
        if default is MISSING and not execute:  # as dbt: a missing var is an error at compile/run only
            default = None
        value = runtime.vars.get(name, node.package_name, default, node)
        if isinstance(value, str) and ("{{" in value or "{%" in value):  # dbt renders a var's value when read
            return namespace.render(environment().compile_source(value, f"<var {name}>"))
        return value

    def render(text) -> str:
        """A string rendered as a template in this node's context (hooks, ``sql_header``...)."""
        return namespace.render(environment().compile_source(str(text), node.original_file_path))

    namespace.update({
        "ref": ref,
        "source": source,
        "var": var,
        "config": _Config(node, capture),
        "this": this,
        "database": node.database,
        "schema": node.schema,
        "adapter": template_adapter(runtime, namespace, execute),
        "store_result": results.store_result,
        "store_raw_result": results.store_raw_result,
        "load_result": results.load_result,
        "model": resource_view(node),
        "graph": _SharedGraph(manifest.flat_graph),
        "selected_resources": list(runtime.selected),
        "env": runtime.target,
        "column": Column,
        "sql_now": runtime.adapter.date_function,
        "validation": VALIDATION,
        "render": render,
        "metric": _no_metrics(node),
        "write": _writer(runtime, node, execute),
        "load_agate_table": _seed_loader(runtime, node),
        # set to the compiled SQL when a materialization runs (None while the node compiles)
        "sql": None,
        "compiled_code": None,
        **_hooks(node),
    })
    namespace["builtins"] = {"ref": _Resolver(ref, runtime.runtime_config), "source": source,
                             "config": namespace["config"]}
    if extra:
        namespace.update(extra)
    return namespace


class _Resolver:
    """``builtins.ref``: callable as ``ref``, and ``.config`` is the runtime config, as in dbt."""

    def __init__(self, call, config):
        self._call = call
        self.config = config

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)


def resource_view(resource) -> dict:
    """A resource as templates see it (``model``, ``results[i].node``): its manifest.json entry,
    built on first use; keys read as attributes too."""
    return _LazyDict(lambda: _attrify(resource.to_dict()))


def _hooks(node: Node) -> dict[str, list[dict[str, Any]]]:
    """``pre_hooks``/``post_hooks``: the node's hooks as {sql, transaction, index} (none for tests)."""
    if node.resource_type in ("test", "unit_test"):
        return {"pre_hooks": [], "post_hooks": []}
    return {f"{key}s": [hook_entry(h) for h in node.config.get(key) or []] for key in ("pre_hook", "post_hook")}


def _no_metrics(node: Node):
    def metric(name=None, package=None, *_args, **_kwargs):
        raise CompilationError(
            f"metric({name!r}) cannot be resolved: Fusion has no semantic layer, so there are no metrics to "
            "reference", path=node.original_file_path,
            hint="compute the measure in SQL from the models the metric is built on")

    return metric


def _writer(runtime: Runtime, node: Node, execute: bool):
    """``write(payload)``: save text as the node's file under target/run (at execute time only)."""
    def write(payload) -> str:
        if execute and runtime.target_path:
            from fusion.fileio import write_atomic
            from fusion.sql_files import compiled_file_path

            write_atomic(Path(runtime.target_path) / compiled_file_path(node, "run"), str(payload).encode("utf-8"))
        return ""

    return write


def _seed_loader(runtime: Runtime, node: Node):
    """``load_agate_table()``: a seed's rows as a table (seeds only, as in dbt)."""
    def load_agate_table():
        if node.resource_type != "seed":
            raise CompilationError(f"load_agate_table() is only available to seeds, not to a {node.resource_type}",
                                   path=node.original_file_path)
        from fusion.seed_csv import load_seed

        return ResultTable(load_seed(node, runtime.adapter.seed_types)[2])

    return load_agate_table


class _SharedGraph(MutableMapping):
    """``graph``: the manifest's flat graph, built on first use and shared by every render of the
    invocation, as in dbt (packages keep run-wide caches in it from on-run-start on); keys read
    as attributes too."""

    def __init__(self, flat_graph):
        self._flat_graph = flat_graph

    def __getitem__(self, key):
        return self._flat_graph()[key]

    def __setitem__(self, key, value):
        self._flat_graph()[key] = value

    def __delitem__(self, key):
        del self._flat_graph()[key]

    def __iter__(self):
        return iter(self._flat_graph())

    def __len__(self) -> int:
        return len(self._flat_graph())

    def __getattr__(self, item):
        if item.startswith("_"):
            raise AttributeError(item)
        try:
            return self._flat_graph()[item]
        except KeyError as exc:
            raise AttributeError(item) from exc


class _LazyDict(dict):
    """A dict filled by ``factory()`` the first time a template reads it (``model``, ``graph``);
    keys also read as attributes (``model.config.materialized``)."""

    def __init__(self, factory):
        super().__init__()
        self._factory = factory
        self._loaded = False

    def _load(self):
        if not self._loaded:
            self.update(self._factory())
            self._loaded = True

    def __getitem__(self, key):
        self._load()
        return dict.__getitem__(self, key)

    def __contains__(self, key):
        self._load()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._load()
        return dict.__iter__(self)

    def __len__(self):
        self._load()
        return dict.__len__(self)

    def __getattr__(self, item):
        if item.startswith("_"):
            raise AttributeError(item)
        self._load()
        try:
            return dict.__getitem__(self, item)
        except KeyError as exc:
            raise AttributeError(item) from exc

    def get(self, key, default=None):
        self._load()
        return dict.get(self, key, default)

    def items(self):
        self._load()
        return dict.items(self)

    def values(self):
        self._load()
        return dict.values(self)

    def keys(self):
        self._load()
        return dict.keys(self)


def _attrify(value):
    if isinstance(value, dict):
        return _AttrDict({k: _attrify(v) for k, v in value.items()})
    return value


def _ref_call(node: Node, args: tuple, kwargs: dict) -> RefCall:
    version = kwargs.pop("v", None) or kwargs.pop("version", None)
    if kwargs:
        raise CompilationError(f"ref() got unexpected arguments {sorted(kwargs)}",
                               path=node.original_file_path)
    if len(args) == 1:
        return RefCall(str(args[0]), None, version)
    if len(args) == 2:
        return RefCall(str(args[1]), str(args[0]), version)
    raise CompilationError(f"ref() takes one or two names, got {len(args)}", path=node.original_file_path)
