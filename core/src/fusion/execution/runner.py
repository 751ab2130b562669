"""Running selected nodes: compile, pick the materialization, execute, report."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from fusion import events
from fusion.analysis.modes import any_enabled
from fusion.errors import CompilationError, FusionError
from fusion.execution.compiler import Compiler
from fusion.execution.results import NodeResult, ResultView, node_info, run_result_info
from fusion.execution.scheduler import run_dag
from fusion.invocation import Invocation, registered_materializations
from fusion.jinja.environment import environment
from fusion.jinja.node_context import node_namespace, relation_for, resource_view
from fusion.manifest.nodes import Node
from fusion.materializations import PLUGIN, MaterializationContext, MaterializationResult, pick_materialization
from fusion.materializations.jinja_materialization import jinja_materializations
from fusion.seed_csv import load_seed
from fusion.sql_files import compiled_file_path
from fusion.timestamps import now_iso

#: which resource types each command executes
COMMAND_TYPES = {
    "run": {"model"},
    "seed": {"seed"},
    "test": {"test", "unit_test"},
    "snapshot": {"snapshot"},
    "build": {"model", "seed", "test", "snapshot", "unit_test"},
    "compile": {"model", "test", "analysis", "seed", "snapshot"},
    "clone": {"model", "seed", "snapshot"},
}

#: the materializations that build Python models (as dbt's, which declare supported_languages)
PYTHON_MATERIALIZATIONS = ("table", "incremental")


@dataclass
class Plan:
    order: list[str]
    parents: dict[str, set[str]]


def plan(invocation: Invocation, selected: set[str], command: str) -> Plan:
    """Executable selected nodes in DAG order; in ``build`` tests gate what depends on their model."""
    manifest = invocation.manifest
    types = COMMAND_TYPES[command]
    chosen = [uid for uid in invocation.graph.order if uid in selected and (
        (uid in manifest.nodes and manifest.nodes[uid].resource_type in types and not manifest.nodes[uid].is_ephemeral)
        or (uid in manifest.unit_tests and "unit_test" in types))]
    wanted = set(chosen)
    parents = {}
    for uid in chosen:
        if uid in manifest.unit_tests:  # runs after the model's inputs, before the model itself
            model = manifest.unit_tests[uid].depends_on_nodes[0]
            parents[uid] = set(manifest.nodes[model].depends_on_nodes)
        else:
            parents[uid] = set(manifest.nodes[uid].depends_on_nodes)
    for uid in chosen:
        if uid in manifest.unit_tests and manifest.unit_tests[uid].depends_on_nodes[0] in wanted:
            parents[manifest.unit_tests[uid].depends_on_nodes[0]].add(uid)
    if command == "build":
        _gate_on_tests(invocation, chosen, wanted, parents)
        _chain_unit_tests(manifest, chosen, parents)
    return Plan(chosen, _transitive_within(parents, wanted, invocation))


def selected_ephemerals(invocation: Invocation, selected: set[str], command: str) -> list[str]:
    """Selected ephemeral models, in DAG order, when ``command`` handles models: dbt compiles them
    (and writes their compiled SQL) without running them or reporting a result."""
    if "model" not in COMMAND_TYPES[command]:
        return []
    nodes = invocation.manifest.nodes
    return [uid for uid in invocation.graph.order
            if uid in selected and uid in nodes and nodes[uid].resource_type == "model" and nodes[uid].is_ephemeral]


def _gate_on_tests(invocation: Invocation, chosen: list[str], wanted: set[str],
                   parents: dict[str, set[str]]) -> None:
    """Make what is built from a tested node wait for its tests, unless the test itself
    (through another parent) depends on that downstream node."""
    manifest, graph = invocation.manifest, invocation.graph
    for uid in chosen:
        node = manifest.nodes.get(uid)
        if node is None or node.resource_type != "test":
            continue
        upstream = set(node.depends_on_nodes)
        if len(upstream) > 1:  # a single-parent test cannot be downstream of its parent's children
            for parent in node.depends_on_nodes:
                upstream |= graph.ancestors(parent)
        for tested in node.depends_on_nodes:
            for child in graph.children.get(tested, ()):
                if child in wanted and child not in upstream and child != uid \
                        and child in manifest.nodes and manifest.nodes[child].resource_type != "test":
                    parents[child].add(uid)


def _chain_unit_tests(manifest, chosen: list[str], parents: dict[str, set[str]]) -> None:
    """As dbt's build: a model's unit tests run one after another, so the first that fails
    skips the rest (and the model)."""
    previous: dict[str, str] = {}
    for uid in chosen:
        if uid in manifest.unit_tests:
            model = manifest.unit_tests[uid].depends_on_nodes[0]
            if model in previous:
                parents[uid].add(previous[model])
            previous[model] = uid


def _transitive_within(parents: dict[str, set[str]], wanted: set[str], invocation) -> dict[str, set[str]]:
    """Keep ordering through unselected nodes: a selected node waits for selected ancestors."""
    out = {}
    for uid, direct in parents.items():
        found, stack, seen = set(), list(direct), set()
        while stack:
            parent = stack.pop()
            if parent in seen:
                continue
            seen.add(parent)
            if parent in wanted:
                found.add(parent)
            else:
                stack.extend(invocation.graph.parents.get(parent, ()))
        out[uid] = found
    return out


class NodeRunner:
    def __init__(self, invocation: Invocation, total: int, write_sql: bool = True):
        self.invocation = invocation
        self.compiler = Compiler(invocation.runtime, invocation.manifest)
        self.materializations = registered_materializations()
        self.total = total
        self.write_sql = write_sql
        self.analyzer = _analyzer(invocation, self.compiler)
        self._background: ThreadPoolExecutor | None = None  # analysis that only warns, off the run's path
        self._pending: list = []
        self._indexes: dict[str, int] = {}
        self._lock = threading.Lock()

    def _index(self, uid: str) -> int:
        """The node's place in the run's output (``3 of 7``), given when it starts (or is skipped)."""
        with self._lock:
            if uid not in self._indexes:
                self._indexes[uid] = len(self._indexes) + 1
            return self._indexes[uid]

    def compile_only(self, uid: str) -> NodeResult:
        node = self.invocation.manifest.nodes[uid]
        started = now_iso()
        compiled = self.compiler.compile(node)
        self._write(node, compiled.sql, "compiled")
        self._analyse(node, compiled)
        return NodeResult(uid, "success", None, compiled_code=compiled.sql,
                          timing=[{"name": "compile", "started_at": started, "completed_at": now_iso()}])

    def write_ephemerals(self, uids: list[str]) -> int:
        """Compile and write each ephemeral model's SQL (as ``target/compiled``'s only record of
        it); a failure is reported here and again by every model that uses it. Returns the errors."""
        errors = 0
        for uid in uids:
            node = self.invocation.manifest.nodes[uid]
            try:
                self._write(node, self.compiler.compile(node).sql, "compiled")
            except FusionError as exc:
                errors += 1
                events.emit("CompileError", f"Error: {exc}", level="error", unique_id=uid)
        return errors

    def run(self, uid: str) -> NodeResult:
        if uid in self.invocation.manifest.unit_tests:
            return self._run_unit_test(self.invocation.manifest.unit_tests[uid])
        node = self.invocation.manifest.nodes[uid]
        start = time.perf_counter()
        timing = []
        compiled_sql = None
        t0 = self._started(node)
        try:
            cloning = self.invocation.flags.which == "clone"  # clone reads no SQL of the node
            compiled = self.compiler.compile(node) if node.resource_type != "seed" and not cloning else None
            compiled_sql = compiled.sql if compiled else None
            timing.append({"name": "compile", "started_at": t0, "completed_at": now_iso()})
            if compiled is not None:
                self._write(node, compiled.sql, "compiled")
                self._analyse(node, compiled, wait=False)
            t1 = now_iso()
            outcome = self._materialize(node, compiled)
            timing.append({"name": "execute", "started_at": t1, "completed_at": now_iso()})
        except FusionError as exc:
            outcome = MaterializationResult("error", str(exc))
        outcome = _warn_error(node, self._interrupted(outcome))
        result = NodeResult(uid, outcome.status, outcome.message,
                            thread_id=threading.current_thread().name,
                            execution_time=time.perf_counter() - start, timing=timing,
                            adapter_response=outcome.adapter_response, failures=outcome.failures,
                            compiled_code=compiled_sql, relation_name=outcome.relation_name or node.relation_name,
                            batch_results=outcome.batch_results)
        self.report(node, result, t0)
        return result

    def _started(self, node) -> str:
        """Emit ``NodeStart`` and dbt's ``START`` line; return the start time."""
        started = now_iso()
        info = node_info(node, "started", started)
        events.emit("NodeStart", f"Began running node {node.unique_id}", level="debug", node_info=info)
        index = self._index(node.unique_id)
        description = _describe_start(node, self.invocation.flags.which)
        events.emit("LogStartLine", _line(index, self.total, f"START {description}", "RUN"),
                    description=description, index=index, total=self.total, node_info=info)
        return started

    def _interrupted(self, outcome: MaterializationResult) -> MaterializationResult:
        if outcome.status != "error":
            return outcome
        return replace(outcome, message=_blame_interrupt(self.invocation, outcome.message))

    def _analyse(self, node: Node, compiled, wait: bool = True) -> None:
        """Static analysis of a freshly compiled model; raises in strict mode when it finds errors.

        With ``wait=False`` a model whose mode only warns is analysed on a background thread while
        it runs (in dependency order: a model is queued after its parents), not before.
        """
        if self.analyzer is None or node.resource_type != "model":
            return
        if wait or self.analyzer.mode(node.unique_id) == "strict":
            self.analyzer.check(node, compiled.rendered)
            return
        with self._lock:
            if self._background is None:
                self._background = ThreadPoolExecutor(1, thread_name_prefix="fusion-analysis")
            self._pending.append(self._background.submit(contextvars.copy_context().run, self.analyzer.check, node,
                                                         compiled.rendered))

    def finish(self) -> None:
        """After the last node: inferred columns onto the nodes, analysis cache and lineage to target/."""
        if self._background is not None:
            self._background.shutdown(wait=True)
            for pending in self._pending:
                pending.result()
        if self.analyzer is not None:
            self.analyzer.finish()

    def _run_unit_test(self, test) -> NodeResult:
        from fusion.execution.unit_test import run_unit_test

        start = time.perf_counter()
        t0 = self._started(test)
        try:
            outcome = run_unit_test(self.invocation, test)
        except FusionError as exc:
            outcome = MaterializationResult("error", str(exc))
        outcome = _warn_error(test, self._interrupted(outcome))
        result = NodeResult(test.unique_id, outcome.status, outcome.message,
                            thread_id=threading.current_thread().name,
                            execution_time=time.perf_counter() - start, failures=outcome.failures,
                            timing=[{"name": "execute", "started_at": t0, "completed_at": now_iso()}])
        self.report(test, result, t0)
        return result

    def _materialize(self, node: Node, compiled) -> MaterializationResult:
        invocation = self.invocation
        adapter = invocation.adapter
        cloning = invocation.flags.which == "clone"
        name = "clone" if cloning else node.materialized
        relation = relation_for(invocation.runtime, node)
        namespace = compiled.namespace if compiled else node_namespace(
            invocation.runtime, invocation.manifest, node, execute=True)
        if compiled is not None:  # what dbt's materializations read as `sql` / `compiled_code`
            namespace.update(sql=compiled.sql, compiled_code=compiled.sql)
        ctx = MaterializationContext(
            node=node, sql=compiled.sql if compiled else "", adapter=adapter, namespace=namespace,
            relation=relation, full_refresh=invocation.flags.full_refresh,
            seed_rows=(lambda: load_seed(node, adapter.seed_types)) if node.resource_type == "seed" else None,
            render_batch=lambda window: self.compiler.compile_isolated(node, None, window),
            defer_relation=invocation.runtime.defer.state_relation(node, relation) if cloning else None)
        if node.language == "python" and name not in PYTHON_MATERIALIZATIONS:
            raise CompilationError(f"materialized={name!r} cannot build a Python model",
                                   path=node.original_file_path, hint="use materialized='table' or 'incremental'")
        chain = (adapter.type_name, *adapter.spec.parents)
        blocks = jinja_materializations(invocation.runtime.macros, name, chain, self.materializations)
        mat = pick_materialization([*self.materializations, *blocks], name, chain)
        if mat is None:
            return MaterializationResult("error", f"no materialization {name!r} for adapter "
                                         f"{adapter.type_name!r} ({node.original_file_path})")
        try:
            hook_context = adapter.pre_model_hook(node.config)
        except CompilationError as exc:  # the adapter's check of the node's config
            exc.path = exc.path or node.original_file_path
            raise
        try:
            outcome = mat.run(ctx)
        finally:
            adapter.post_model_hook(node.config, hook_context)
        if compiled is not None and node.resource_type != "test" and mat.locality == PLUGIN:
            self._write(node, compiled.sql, "run")  # a Jinja block writes its own through statement('main')
        return outcome

    def _write(self, node: Node, sql: str, folder: str) -> None:
        if self.write_sql and sql:  # as in dbt, an empty compiled SQL leaves no file
            self.invocation.sql_writer.write(compiled_file_path(node, folder), sql)

    def skip(self, uid: str, cause: str) -> NodeResult:
        manifest = self.invocation.manifest
        node = manifest.nodes.get(uid) or manifest.unit_tests[uid]
        message = (f"Skipped: the run was interrupted by {self.invocation.interrupt.name}"
                   if cause == "interrupted" else None)
        result = NodeResult(uid, "skipped", message, relation_name=getattr(node, "relation_name", None))
        self.report(node, result, now_iso())
        return result

    def report(self, node: Node, result: NodeResult, started_at: str) -> None:
        """dbt's result line for the node (``LogModelResult``, ``LogTestResult``, ...), then ``NodeFinished``."""
        index, status = self._index(node.unique_id), result.status
        info = node_info(node, status, started_at, now_iso())
        name, text, word, data = _result_line(node, result, self.invocation.flags.which, self.total)
        level = {"error": "error", "fail": "error", "warn": "warn", "partial success": "warn"}.get(status, "info")
        timing = "" if status == "skipped" else f" in {result.execution_time:.2f}s"
        if name != "SkippingDetails":
            data["execution_time"] = result.execution_time
        events.emit(name, _line(index, self.total, text, word + timing), level=level, index=index, node_info=info,
                    **data)
        events.emit("NodeFinished", f"Finished running node {node.unique_id}", level="debug",
                    node_info=info, run_result=run_result_info(result))


def _line(index: int, total: int, text: str, status: str) -> str:
    """dbt's ``3 of 7 OK created sql view model main.x ....... [OK in 0.02s]``."""
    return f"{index} of {total} {text} {'.' * max(3, 70 - len(text))} [{status}]"


def _result_line(node, result: NodeResult, command: str, total: int) -> tuple[str, str, str, dict]:
    """The result event's name, its text, status word and data, as dbt words them per resource type."""
    status = result.status
    if status == "skipped":
        schema = getattr(node, "schema", "")
        what = _describe(node, command) if node.resource_type in ("test", "unit_test") else \
            f"relation {schema}.{node.alias}"
        return "SkippingDetails", f"SKIP {what}", "SKIP", {
            "resource_type": node.resource_type, "schema": schema, "node_name": node.name, "total": total}
    if node.resource_type in ("test", "unit_test"):
        word = {"pass": "PASS", "warn": f"WARN {result.failures}",
                "fail": f"FAIL {result.failures}"}.get(status, "ERROR")
        label = node.name if status in ("pass", "warn", "fail") else f"test {node.name}"
        return "LogTestResult", f"{word} {label}", word, {
            "name": node.name, "status": status, "num_failures": result.failures or 0, "num_models": total,
            "attached_node": node.depends_on_nodes[0] if node.resource_type == "unit_test" else node.attached_node}
    word = {"success": "OK", "partial success": "PARTIAL SUCCESS"}.get(status, "ERROR")
    description = _describe(node, command)
    if word == "ERROR" and description.startswith("created "):
        description = "creating " + description.removeprefix("created ")
    data = {"status": word, "total": total}
    if command == "clone" or node.resource_type not in ("seed", "snapshot", "model"):
        return "LogNodeResult", f"{word} {description}", word, {**data, "description": description}
    if node.resource_type == "seed":  # as dbt's LogSeedResult
        return "LogSeedResult", f"{word} {description}", word, {
            **data, "result_message": result.message, "schema": node.schema, "relation": node.alias}
    if node.resource_type == "snapshot":
        return "LogSnapshotResult", f"{word} {description}", word, {
            **data, "description": description, "result_message": result.message}
    return "LogModelResult", f"{word} {description}", word, {**data, "description": description}


def _warn_error(node, outcome: MaterializationResult) -> MaterializationResult:
    """``--warn-error`` (or ``--warn-error-options`` naming ``LogTestResult``): a test that warns fails."""
    if outcome.status != "warn" or not events.warn_error().errors("LogTestResult"):
        return outcome
    return replace(outcome, status="fail", message=(outcome.message or "").replace("configured to warn if",
                                                                                    "configured to fail if"))


def _blame_interrupt(invocation: Invocation, message: str) -> str:
    """An error after SIGINT/SIGTERM is the interrupt's doing (its statement was cancelled or
    refused, its transaction rolled back): say so first."""
    signal_name = invocation.interrupt.name
    return message if signal_name is None else f"Interrupted by {signal_name} before it finished ({message})"


def _analyzer(invocation: Invocation, compiler: Compiler):
    """Static analysis for this run, or None when it is off everywhere (sqlglot is then not imported)."""
    if not any_enabled(invocation.manifest, invocation.flags.static_analysis):
        return None
    from fusion.analysis.engine import Analyzer

    return Analyzer(invocation, compiler)


def _describe_start(node, command: str) -> str:
    """What dbt's START line calls the node."""
    if command == "clone" or node.resource_type in ("test", "unit_test"):
        return _describe(node, command)
    if node.resource_type == "seed":
        return f"seed file {node.schema}.{node.alias}"
    if node.resource_type == "snapshot":
        return f"snapshot {node.schema}.{node.alias}"
    return f"sql {node.materialized} model {node.schema}.{node.alias}"


def _describe(node, command: str) -> str:
    if command == "clone":
        return f"cloned {node.resource_type} {node.schema}.{node.alias}"
    if node.resource_type == "seed":
        return f"loaded seed file {node.schema}.{node.alias}"
    if node.resource_type == "test":
        return f"test {node.name}"
    if node.resource_type == "unit_test":
        return f"unit_test {node.model}::{node.name}"
    if node.resource_type == "snapshot":
        return f"snapshotted {node.schema}.{node.alias}"
    return f"created {node.language} {node.materialized} model {node.schema}.{node.alias}"


def run_hooks(invocation: Invocation, hook_type: str, results: list[NodeResult]) -> list[NodeResult]:
    """Run on-run-start / on-run-end statements (``results`` is in on-run-end's context)."""
    manifest = invocation.manifest
    root = invocation.project.name
    hooks = sorted((n for n in manifest.nodes.values()
                    if n.resource_type == "operation" and hook_type in n.config.get("tags", [])),
                   key=lambda n: (n.package_name == root, n.package_name, n.index or 0))  # packages' first
    views = [ResultView(r, _resource_view(manifest, r.unique_id)) for r in results]
    out = []
    for node in hooks:
        start = time.perf_counter()
        try:
            namespace = node_namespace(invocation.runtime, manifest, node, execute=True,
                                       extra={"results": views, "schemas": _schemas(invocation)})
            sql = namespace.render(environment().compile_source(node.raw_code, "dbt_project.yml"))
            if sql.strip():
                invocation.adapter.execute(sql)
            status, message = "success", f"{node.package_name}.{hook_type}.{node.index} passed"
        except FusionError as exc:
            status, message = "error", _blame_interrupt(invocation, f"{hook_type} hook {node.index} failed: {exc}")
            events.emit("HookError", message, level="error")
        out.append(NodeResult(node.unique_id, status, message, execution_time=time.perf_counter() - start,
                              failures=0 if status == "success" else None))
    return out


def _resource_view(manifest, unique_id: str):
    for resources in (manifest.nodes, manifest.unit_tests, manifest.exposures,
                      manifest.semantic.get("saved_queries", {})):
        if unique_id in resources:
            return resource_view(resources[unique_id])
    return None


def _schemas(invocation: Invocation) -> list[str]:
    return sorted({n.schema for n in invocation.manifest.nodes.values() if n.resource_type == "model"})


def execute(invocation: Invocation, selected: set[str], command: str) -> list[NodeResult]:
    """Run hooks, then the plan, then the closing hooks; return every result in order."""
    the_plan = plan(invocation, selected, command)
    runner = NodeRunner(invocation, len(the_plan.order))
    stop = invocation.interrupt.stop
    profile = invocation.profile
    events.emit("ConcurrencyLine", f"Concurrency: {profile.threads} threads (target='{profile.target_name}')",
                num_threads=profile.threads, target_name=profile.target_name, node_count=len(the_plan.order))
    events.emit("Formatting", "", msg="")
    results = run_hooks(invocation, "on-run-start", [])
    if any(r.failed for r in results) or stop.is_set():
        cause = "interrupted" if stop.is_set() else "on-run-start"
        return results + [runner.skip(uid, cause) for uid in the_plan.order]
    runner.write_ephemerals(selected_ephemerals(invocation, selected, command))
    by_id = run_dag(the_plan.order, the_plan.parents, invocation.profile.threads, runner.run,
                    runner.skip, blocks=lambda r: r.failed, fail_fast=invocation.flags.fail_fast, stop=stop)
    node_results = [by_id[uid] for uid in the_plan.order if uid in by_id]
    runner.finish()
    if command == "build":  # dbt reports selected exposures and saved queries as no-ops
        saved_queries = invocation.manifest.semantic.get("saved_queries", {})
        node_results += [NodeResult(uid, "no-op", None) for uid in sorted(selected)
                         if uid in invocation.manifest.exposures or uid in saved_queries]
    if stop.is_set():  # as in dbt, an interrupted run does not run on-run-end hooks
        return results + node_results
    return results + node_results + run_hooks(invocation, "on-run-end", node_results)
