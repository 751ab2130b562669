"""Static analysis for one invocation: each model's rendered SQL is analysed once, in DAG order,
against the schemas of its inputs; diagnostics are reported, and in ``strict`` mode fail the node.

Inputs the run did not render itself (unselected parents, ephemeral models) are rendered here
on demand; seeds are read from their CSV, sources from their YAML (or, if allowed, the warehouse).
"""

from __future__ import annotations

import re
import threading

from fusion import events
from fusion.analysis import modes
from fusion.analysis.cache import AnalysisCache, cache_key
from fusion.analysis.catalog import UNKNOWN, Catalog, TableSchema
from fusion.analysis.diagnostics import Diagnostic, locate
from fusion.analysis.inference import Analysis, analyse, type_family
from fusion.analysis.lineage import lineage_document, write_lineage
from fusion.analysis.python_schemas import PythonSchemas
from fusion.analysis.warehouse import WarehouseSchemas
from fusion.errors import CompilationError, FusionError
from fusion.fileio import read_text
from fusion.jinja.node_context import EPHEMERAL_PREFIX
from fusion.manifest.nodes import Node


class NodeResult:
    """What analysis learned about one node."""

    def __init__(self, schema: TableSchema, diagnostics: list[Diagnostic], lineage: dict[str, list[dict]]):
        self.schema = schema
        self.diagnostics = diagnostics
        self.lineage = lineage

    def to_json(self) -> dict:
        return {"schema": self.schema.to_json(), "diagnostics": [d.to_json() for d in self.diagnostics],
                "lineage": self.lineage}

    @classmethod
    def from_json(cls, data: dict) -> NodeResult:
        return cls(TableSchema.from_json(data["schema"]), [Diagnostic(**d) for d in data["diagnostics"]],
                   data["lineage"])


class Analyzer:
    def __init__(self, invocation, compiler, report: bool = True):
        self.invocation = invocation
        self.manifest = invocation.manifest
        self.compiler = compiler
        self.report = report
        self.modes = modes.effective_modes(self.manifest, invocation.graph.order, invocation.flags.static_analysis)
        target = invocation.runtime.target
        self.catalog = Catalog(invocation.adapter_spec.dialect, str(target.get("database") or ""),
                               str(target.get("schema") or ""))
        self.cache = AnalysisCache(invocation.target_path)
        self.warehouse = WarehouseSchemas(invocation) if invocation.flags.warehouse_schemas else None
        self.python = PythonSchemas(invocation)
        self.results: dict[str, NodeResult] = {}
        self.schemas: dict[str, TableSchema] = {}  # what every prepared node or source produces
        self._prepared: set[str] = set()
        self._lock = threading.RLock()

    def mode(self, uid: str) -> str:
        return self.modes.get(uid, "off")

    # --- entry points ---------------------------------------------------------------------
    def check(self, node: Node, rendered: str) -> None:
        """Analyse a model just rendered; in strict mode, raise if it (or SQL it inlines) has errors."""
        mode = self.mode(node.unique_id)
        if mode == "off" or node.language != "sql":
            return
        with self._lock:
            self._analyse(node, rendered)
            failing = [d for uid in self._inlined(node) for d in self.results[uid].diagnostics if d.fails(mode)]
        if failing:
            raise CompilationError(f"static analysis found {len(failing)} error(s) in {node.name}",
                                   path=node.original_file_path,
                                   hint="fix the errors above, or set static_analysis: baseline to only warn")

    def analyse_all(self, uids) -> None:
        """Analyse the given nodes (and their inputs) without rendering anything twice."""
        with self._lock:
            for uid in uids:
                self._prepare(uid)

    def finish(self) -> None:
        """Record inferred columns on the nodes (for manifest.json), save the cache and lineage."""
        for uid, result in self.results.items():
            node = self.manifest.nodes.get(uid)
            if node is not None:
                node.inferred_columns = dict(result.schema.columns)
        self.cache.save()
        self.python.save()
        if self.warehouse is not None:
            self.warehouse.save()
        write_lineage(self.invocation.target_path, lineage_document(
            self.manifest, self.invocation.invocation_id, self.catalog.dialect_name, self.results))

    # --- per node -------------------------------------------------------------------------
    def _inlined(self, node: Node) -> list[str]:
        """The node and the ephemeral models compiled into it."""
        out, stack = [node.unique_id], list(node.depends_on_nodes)
        while stack:
            uid = stack.pop()
            parent = self.manifest.nodes.get(uid)
            if parent is not None and parent.is_ephemeral and uid not in out and uid in self.results:
                out.append(uid)
                stack.extend(parent.depends_on_nodes)
        return out

    def _prepare(self, uid: str) -> None:
        """Make sure the relation ``uid`` produces is in the catalog."""
        if uid in self._prepared:
            return
        self._prepared.add(uid)
        if uid in self.manifest.sources:
            self._add_source(self.manifest.sources[uid])
            return
        node = self.manifest.nodes.get(uid)
        if node is None:
            return
        if node.resource_type == "seed":
            self._add_seed(node)
        elif node.resource_type == "model" and node.language == "python":
            schema, node.schema_origin = self.python.schema(node, self.catalog)
            self.results[uid] = NodeResult(schema, [], {})
            self._register(node, schema)
        elif node.resource_type == "model" and self.mode(uid) != "off" and node.language == "sql":
            try:
                rendered = self.compiler.render(node)
            except FusionError:  # rendering errors are reported when the node itself compiles
                self._register(node, UNKNOWN)
                return
            self._analyse(node, rendered)

    def _analyse(self, node: Node, rendered: str) -> NodeResult:
        uid = node.unique_id
        if uid in self.results:
            return self.results[uid]
        self._prepared.add(uid)
        for parent in node.depends_on_nodes:
            self._prepare(parent)
        catalog = self.catalog
        inputs = sorted((p, self.schemas.get(p, UNKNOWN).to_json()) for p in node.depends_on_nodes)
        key = cache_key(catalog.dialect_name, catalog.database, catalog.schema, rendered, node.raw_code, inputs)
        cached = self.cache.get(uid, key)
        if cached is not None:
            result = NodeResult.from_json(cached)
        else:
            analysis = analyse(rendered, catalog)
            result = NodeResult(TableSchema(analysis.columns, analysis.complete),
                                self._diagnostics(node, rendered, analysis), analysis.lineage)
            self.cache.put(uid, key, result.to_json())
        result.diagnostics = result.diagnostics + self._contract(node, result.schema)
        self.results[uid] = result
        self._register(node, result.schema)
        self._emit(node, result.diagnostics)
        return result

    def _register(self, obj, schema: TableSchema, name: str | None = None) -> None:
        self.schemas[obj.unique_id] = schema
        if getattr(obj, "is_ephemeral", False):  # referenced as a CTE name, which resolves like a table
            relation = self.catalog.default_table(EPHEMERAL_PREFIX + obj.alias)
        else:
            relation = obj.relation_name
        if relation:
            self.catalog.add(relation, obj.unique_id, name or obj.name, schema)

    def _add_seed(self, node: Node) -> None:
        from fusion.seed_csv import read_seed

        overrides = dict(node.config.get("column_types") or {})
        try:
            names, kinds, _ = read_seed(read_text(f"{node.root_path}/{node.original_file_path}"),
                                        node.original_file_path, node.config.get("delimiter", ","),
                                        frozenset(overrides))
        except FusionError:
            self._register(node, UNKNOWN)
            return
        types = self.invocation.adapter_spec.adapter_class.seed_types
        schema = TableSchema({self.catalog.column_name(n): self.catalog.type_sql(overrides.get(n) or types[k])
                              for n, k in zip(names, kinds, strict=True)}, True)
        self.results[node.unique_id] = NodeResult(schema, [], {})
        self._register(node, schema)

    def _add_source(self, source) -> None:
        declared = list(source.columns.values())
        schema = TableSchema({self.catalog.column_name(c["name"]): self.catalog.type_sql(c.get("data_type"))
                              for c in declared},
                             bool(declared) and all(c.get("data_type") for c in declared))
        if not schema.complete and self.warehouse is not None:
            schema = self.warehouse.schema(source, self.catalog) or schema
        self._register(source, schema, f"{source.source_name}.{source.name}")

    # --- reporting ------------------------------------------------------------------------
    def _diagnostics(self, node: Node, rendered: str, analysis: Analysis) -> list[Diagnostic]:
        out = []
        for finding in analysis.findings:
            line, column = locate(node.raw_code, rendered, finding.offset, finding.token)
            out.append(Diagnostic(finding.code, finding.severity, finding.message, finding.hint,
                                  node.original_file_path, line + node.raw_code_line - 1, column))
        return out

    def _contract(self, node: Node, schema: TableSchema) -> list[Diagnostic]:
        """An enforced contract checked against the inferred columns (before anything is built)."""
        if not (node.config.get("contract") or {}).get("enforced") or not schema.complete or not node.columns:
            return []
        path = (node.patch_path or "").split("://", 1)[-1] or node.original_file_path
        yaml_text = self._read(node, path)
        declared = {self.catalog.column_name(c["name"]): c for c in node.columns.values()}
        out = []

        def problem(message: str, column: str) -> None:
            match = re.search(rf"name:\s*['\"]?{re.escape(column)}\b", yaml_text, re.I)
            line = yaml_text.count("\n", 0, match.start()) + 1 if match else None
            out.append(Diagnostic("contract-mismatch", "error", message,
                                  "change the model's SQL or the columns declared in its YAML", path, line,
                                  1 if line else None))

        for name, column in declared.items():
            if name not in schema.columns:
                problem(f"{column['name']} is declared in the contract of {node.name} but the query does not "
                        f"return it", column["name"])
                continue
            want, have = self.catalog.type_sql(column.get("data_type")), schema.columns[name]
            if want and have and None not in (type_family(want, self.catalog), type_family(have, self.catalog)) \
                    and type_family(want, self.catalog) != type_family(have, self.catalog):
                problem(f"{column['name']}: the contract of {node.name} declares {column.get('data_type')}, "
                        f"the query returns {have}", column["name"])
        for name in schema.columns:
            if name not in declared:
                problem(f"{name} is returned by {node.name} but not declared in its contract", node.name)
        return out

    @staticmethod
    def _read(node: Node, path: str) -> str:
        try:
            return read_text(f"{node.root_path}/{path}")
        except FusionError:
            return ""

    def _emit(self, node: Node, diagnostics: list[Diagnostic]) -> None:
        if not self.report:
            return
        mode = self.mode(node.unique_id)
        for d in diagnostics:
            events.emit("StaticAnalysis", d.render(mode), level="error" if d.fails(mode) else "warn",
                        unique_id=node.unique_id, code=d.code, severity=d.severity, path=d.path, line=d.line,
                        column=d.column)

