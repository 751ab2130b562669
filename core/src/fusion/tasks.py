"""What each command does, given an Invocation. Returns the process exit code."""

from __future__ import annotations

import os
import shutil
import time
from typing import TYPE_CHECKING

import orjson

from fusion import events
from fusion.errors import FusionError, SelectionError
from fusion.invocation import Invocation

if TYPE_CHECKING:  # heavier modules load inside the tasks that need them
    from fusion.execution.results import NodeResult


def _selected(inv: Invocation) -> set[str]:
    from fusion.graph.selector import Selector
    from fusion.graph.state import StateMatcher

    flags = inv.flags
    selectors = inv.selectors
    if flags.selector and (flags.select or flags.exclude):  # dbt takes the selector and says nothing
        events.warn_or_error("SelectorWins", f"--selector {flags.selector} is used; --select/--exclude are ignored")
    state = StateMatcher(inv.previous_state, inv.manifest, inv.adapter_spec.name)
    selector = Selector(inv.manifest, inv.graph, selectors, state, inv.target_path)
    name = flags.selector or (None if flags.select or flags.exclude else selectors.default)
    if name is not None:
        if not flags.selector:
            events.emit("DefaultSelector", f"Using default selector {name}")
        selected = selector.select_spec(selectors.spec(name), flags.indirect_selection)
    else:
        selected = selector.select(flags.select, flags.exclude, flags.indirect_selection)
    if flags.resource_types:
        selected = {uid for uid in selected if uid.split(".", 1)[0] in flags.resource_types}
    inv.runtime.selected = sorted(selected)
    return selected


def parse_task(inv: Invocation) -> int:
    start = time.perf_counter()
    cache = inv.parse_cache
    path = inv.target_path / "manifest.json"
    wanted = inv.session is not None  # an API caller gets the manifest
    if not wanted and cache is not None and cache.unchanged(os.environ) and cache.artifact_current(path):
        events.emit("ParseDone", f"Parsed {cache.counts} in {time.perf_counter() - start:.2f}s (nothing changed)",
                    level="result")
        return 0
    from fusion import artifacts

    if (not wanted and cache is not None and cache.artifact_current(path) and inv.body_edits is not None
            and artifacts.patch_manifest_nodes(path, inv, {edit.unique_id: edit for edit in inv.body_edits})):
        # only model texts changed: manifest.json was patched rather than written again
        cache.save_edits({edit.unique_id: edit.fields() for edit in inv.body_edits})
        cache.remember_artifact(path)
        events.emit("ParseDone", f"Parsed {cache.counts} in {time.perf_counter() - start:.2f}s "
                    f"(re-rendered {len(inv.body_edits)} edited model(s))", level="result")
        return 0
    manifest = inv.manifest
    inv.graph  # noqa: B018 - cycles are parse errors
    written = artifacts.write_manifest(manifest, inv)
    if cache is not None:
        cache.remember_artifact(written)
    inv.result = manifest
    events.emit("ParseDone", f"Parsed {manifest.summary()} in {time.perf_counter() - start:.2f}s", level="result")
    return 0


def compile_task(inv: Invocation, inline: str | None) -> int:
    if inline is not None:
        events.emit("CompiledInline", _compile_inline(inv, inline).sql, level="result")
        return 0
    _, errors = _compile_selected(inv, _selected(inv))
    return 1 if errors else 0


def _compile_selected(inv: Invocation, selected: set[str]) -> tuple[list[NodeResult], int]:
    """Compile the selection (target/compiled, lineage.json, manifest.json): a result per node
    (as dbt reports them) and the number of errors (ephemeral models' included)."""
    from fusion import artifacts
    from fusion.execution.results import NodeResult
    from fusion.execution.runner import COMMAND_TYPES, NodeRunner, plan, selected_ephemerals

    the_plan = plan(inv, selected, "compile")
    runner = NodeRunner(inv, len(the_plan.order))
    ephemerals = selected_ephemerals(inv, selected, "compile")
    errors = runner.write_ephemerals(ephemerals)
    results = []
    for uid in the_plan.order:
        node = inv.manifest.nodes[uid]
        if node.resource_type == "seed":  # nothing to compile; dbt still reports it
            results.append(NodeResult(uid, "success", None))
            continue
        if node.resource_type not in COMMAND_TYPES["compile"]:
            continue
        try:
            results.append(runner.compile_only(uid))
        except FusionError as exc:
            errors += 1
            results.append(NodeResult(uid, "error", str(exc)))
            events.emit("CompileError", f"Error: {exc}", level="error", unique_id=uid)
    runner.finish()
    artifacts.write_manifest(inv.manifest, inv)
    events.emit("CompileDone", f"Compiled {len(the_plan.order) + len(ephemerals) - errors} node(s), {errors} error(s)",
                level="result")
    return results, errors


def _compile_inline(inv: Invocation, sql: str):
    from fusion.execution.compiler import Compiler
    from fusion.manifest.nodes import Node
    from fusion.parse.capture import capture_dependencies

    node = Node(unique_id=f"sql_operation.{inv.project.name}.inline_query", resource_type="sql_operation",
                package_name=inv.project.name, name="inline_query", path="inline_query.sql",
                original_file_path="<inline>", fqn=[inv.project.name, "inline_query"], raw_code=sql,
                checksum="", config={"materialized": "view"},
                database=inv.adapter.default_database, schema=inv.adapter.default_schema,
                alias="inline_query")
    capture = capture_dependencies(inv.runtime, inv.manifest, node, sql)
    for ref in capture.refs:
        if inv.manifest.resolve_ref(ref, node.package_name) is None:
            raise FusionError(f"the inline query refers to {ref.name!r}, which was not found")
    return Compiler(inv.runtime, inv.manifest).compile(node)


def execute_task(inv: Invocation, selected: set[str] | None = None) -> int:
    """Run, seed, test, snapshot or build the selection (else the --select/--exclude one)."""
    from fusion import artifacts
    from fusion.execution import summary
    from fusion.execution.runner import execute

    start = time.perf_counter()
    if selected is None:
        selected = _selected(inv)
    else:
        inv.runtime.selected = sorted(selected)
    inv.adapter  # noqa: B018 - a bad profile fails before anything runs
    with inv.interrupt.deferred():  # a signal stops the scheduling; the nodes' results are kept
        results = execute(inv, selected, inv.flags.which)
    inv.result = results
    elapsed = time.perf_counter() - start
    artifacts.write_run_results(results, elapsed, inv)
    artifacts.write_manifest(inv.manifest, inv)
    summary.report(inv, results, elapsed)
    return 1 if any(r.failed for r in results) else 0


def freshness_task(inv: Invocation, output: str | None) -> int:
    from pathlib import Path

    from fusion import artifacts
    from fusion.execution.freshness import check_all

    start = time.perf_counter()
    selected = _selected(inv)
    inv.adapter  # noqa: B018 - a bad profile fails before anything runs
    results = check_all(inv, selected)
    elapsed = time.perf_counter() - start
    path = Path(output) if output else inv.target_path / "sources.json"
    artifacts.write_sources(results, elapsed, inv, path if path.is_absolute() else inv.project_dir / path)
    events.emit("FreshnessDone", f"\nFinished running {len(results)} source(s) in {elapsed:.2f}s.", level="result")
    return 1 if any(r.status in ("error", "runtime error") for r in results) else 0


RETRYABLE = frozenset({"error", "fail", "skipped", "runtime error", "partial success"})
RETRY_COMMANDS = ("run", "seed", "test", "snapshot", "build", "clone")
_NOT_RETRIED_FLAGS = ("which", "select", "exclude", "project_dir", "profiles_dir", "target_path")


def retry_task(inv: Invocation) -> int:
    """The last run's command again, with its flags, on what errored, failed or was skipped."""
    from fusion.invocation import Flags
    from fusion.manifest.state import last_run

    statuses, args = last_run(inv.target_path)
    which = args.get("which")
    if which not in RETRY_COMMANDS:
        raise FusionError(f"retry cannot re-run the command {which!r} of the last run",
                          path=str(inv.target_path / "run_results.json"),
                          hint="retry re-runs " + ", ".join(RETRY_COMMANDS))
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in args.items()
              if k in Flags.__dataclass_fields__ and k not in _NOT_RETRIED_FLAGS}
    again = Invocation(Flags(which=which, project_dir=inv.flags.project_dir, profiles_dir=inv.flags.profiles_dir,
                             target_path=inv.flags.target_path, **fields))
    again.interrupt = inv.interrupt  # a signal cancels the re-run's statements
    inv.interrupt.cancel = again.cancel
    try:
        known = {**again.manifest.nodes, **again.manifest.unit_tests}
        todo = {uid for uid, status in statuses.items() if status in RETRYABLE and uid in known
                and not uid.startswith("operation.")}
        if not todo:  # as dbt, an empty run is recorded: retrying again finds nothing either
            from fusion import artifacts

            artifacts.write_run_results([], 0.0, again)
            events.emit("NothingToDo", "Nothing to retry: the last run had no errors, failures or skips",
                        level="result")
            return 0
        return execute_task(again, todo)
    finally:
        again.close()


def list_task(inv: Invocation, output: str) -> int:
    manifest = inv.manifest
    objects = {**manifest.nodes, **manifest.sources, **manifest.exposures, **manifest.unit_tests,
               **manifest.semantic_resources()}
    for uid in sorted(_selected(inv)):
        obj = objects[uid]
        if output == "name":
            line = obj.name
        elif output == "path":
            line = obj.original_file_path
        elif output == "json":
            line = orjson.dumps({"name": obj.name, "resource_type": obj.resource_type,
                                 "package_name": obj.package_name, "unique_id": uid,
                                 "original_file_path": obj.original_file_path}).decode()
        elif obj.resource_type == "source":
            line = f"source:{'.'.join(obj.fqn[:1] + [obj.source_name, obj.name])}"
        elif obj.resource_type in ("exposure", "semantic_model", "metric", "saved_query"):
            line = f"{obj.resource_type}:{'.'.join(obj.fqn)}"
        else:
            line = ".".join(obj.fqn)
        events.emit("ListItem", line, level="result")
    return 0


def show_task(inv: Invocation, inline: str | None, limit: int, output: str) -> int:
    from fusion.execution.compiler import Compiler

    if inline is not None:
        sql = _compile_inline(inv, inline).sql
    else:
        selected = [uid for uid in _selected(inv) if uid in inv.manifest.nodes
                    and inv.manifest.nodes[uid].resource_type in ("model", "seed", "analysis")]
        if len(selected) != 1:
            raise SelectionError(f"show needs exactly one node; --select matched {len(selected)}",
                                 hint="pass --select <model> or --inline '<sql>'")
        node = inv.manifest.nodes[selected[0]]
        sql = (f"select * from {node.relation_name}" if node.resource_type == "seed"
               else Compiler(inv.runtime, inv.manifest).compile(node).sql)
    query = sql if limit < 0 else f"select * from (\n{sql}\n) as fusion_show limit {limit}"
    _, table = inv.adapter.execute(query, fetch=True)
    if output == "json":
        events.emit("ShowResult", orjson.dumps({"show": table.to_pylist()}, default=str).decode(), level="result")
    else:
        events.emit("ShowResult", _format_table(table), level="result")
    return 0


def _format_table(table) -> str:
    names = table.column_names
    rows = [["" if v is None else str(v) for v in row.values()] for row in table.to_pylist()]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "| " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + " |"
    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    body = ["| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def debug_task(inv: Invocation) -> int:
    from fusion import __version__

    events.emit("Debug", f"fusion version: {__version__}", level="result")
    events.emit("Debug", f"project: {inv.project.name} ({inv.project_dir})", level="result")
    events.emit("Debug", f"profile: {inv.profile.name} target {inv.profile.target_name} ({inv.profile.path})",
                level="result")
    events.emit("Debug", f"adapter: {inv.adapter_spec.name}", level="result")
    events.emit("Debug", f"database: {inv.adapter.default_database}, schema: {inv.adapter.default_schema}",
                level="result")
    inv.adapter.execute("select 1")
    events.emit("Debug", "Connection test: OK", level="result")
    events.emit("Debug", "All checks passed!", level="result")
    return 0


def clean_task(inv: Invocation) -> int:
    project = inv.project
    root = inv.project_dir.resolve()
    for name in dict.fromkeys([*project.clean_targets, project.target_path]):
        path = (root / name).resolve()
        if root not in path.parents:
            raise FusionError(f"refusing to delete {path}: it is not inside the project",
                              path="dbt_project.yml", hint="clean-targets must be folders inside the project")
        if path.exists():
            shutil.rmtree(path)
            events.emit("Clean", f"Deleted {name}", level="result")
    return 0


def lineage_task(inv: Invocation, column: str, directions: list[str]) -> int:
    """Print where a column comes from and/or what is computed from it."""
    from fusion.analysis.engine import Analyzer
    from fusion.analysis.lineage import ColumnGraph, lineage_document
    from fusion.execution.compiler import Compiler

    if inv.flags.static_analysis == "off":
        raise FusionError("lineage needs static analysis", hint="drop --static-analysis off")
    analyzer = Analyzer(inv, Compiler(inv.runtime, inv.manifest), report=False)
    analyzer.analyse_all(inv.graph.order)
    analyzer.finish()
    document = lineage_document(inv.manifest, inv.invocation_id, analyzer.catalog.dialect_name, analyzer.results)
    graph = ColumnGraph(document, inv.manifest)
    for line in graph.describe(column, directions):
        events.emit("Lineage", line, level="result")
    return 0


def run_operation_task(inv: Invocation, macro_name: str, args: dict) -> int:
    """Call a macro (``name`` or ``package.name``) with keyword ``args``, against the warehouse."""
    from fusion.jinja.context import MacroFunction
    from fusion.jinja.node_context import node_namespace
    from fusion.manifest.nodes import Node

    manifest = inv.manifest
    package, _, name = macro_name.rpartition(".")
    macro = (manifest.macros.in_package(package, name) if package
             else manifest.macros.find(name, inv.project.name))
    if macro is None:
        raise FusionError(f"no macro named {macro_name!r}", hint="`fusion ls` lists models; macros live in macros/")
    node = Node(unique_id=f"operation.{inv.project.name}.{name}", resource_type="operation",
                package_name=inv.project.name, name=name, path=f"{name}.sql", original_file_path=macro.file.path,
                fqn=[inv.project.name, name], raw_code="", checksum="", config={"materialized": "view"},
                database=inv.adapter.default_database, schema=inv.adapter.default_schema, alias=name)
    namespace = node_namespace(inv.runtime, manifest, node, execute=True)
    MacroFunction(macro, namespace)(**args)
    events.emit("OperationDone", f"Ran operation {macro_name}", level="result")
    return 0


def docs_generate_task(inv: Invocation, compile: bool, empty_catalog: bool, static: bool) -> int:
    """As ``dbt docs generate``: compile (manifest.json, run_results.json), then the site's files
    and catalog.json read from the warehouse (and, with ``static``, static_index.html holding
    them all); a compile error writes no catalog."""
    from fusion import artifacts
    from fusion.docs.catalog import catalog_objects, read_catalog
    from fusion.docs.site import copy_assets, write_site, write_static

    start = time.perf_counter()
    objects = catalog_objects(inv.manifest)
    match = {**inv.manifest.nodes, **inv.manifest.sources}
    if compile:
        selected = _selected(inv)
        results, failed = _compile_selected(inv, selected)
        artifacts.write_run_results(results, time.perf_counter() - start, inv)
        if failed:
            events.emit("CannotGenerateDocs", "compile errors: the catalog is not written", level="error")
            return 1
        objects = match = {uid: obj for uid, obj in objects.items() if uid in selected}
    write_site(inv.target_path)
    copy_assets(inv.project_dir, inv.project.asset_paths, inv.target_path)
    nodes: dict = {}
    sources: dict = {}
    errors: list[str] = []
    if not empty_catalog:
        events.emit("BuildingCatalog", "Building catalog")
        nodes, sources, errors = read_catalog(inv.adapter, objects, match)
    path = artifacts.write_catalog(nodes, sources, errors, inv)
    if static:
        events.emit("StaticWritten", f"Static site written to {write_static(inv.target_path)}")
    for error in errors:
        events.emit("CatalogError", f"Error: {error}", level="error")
    events.emit("CatalogWritten", f"Catalog written to {path}", level="result")
    return 1 if errors else 0


def docs_serve_task(inv: Invocation, host: str, port: int, browser: bool) -> int:
    from fusion.docs.serve import serve
    from fusion.docs.site import write_site

    if (inv.target_path / "index.html").is_file():
        write_site(inv.target_path)  # this version's page for the artifacts there
    serve(inv.target_path, host, port, browser)
    return 0
