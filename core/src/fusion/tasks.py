"""What each command does, given an Invocation. Returns the process exit code."""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import TYPE_CHECKING, Any

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
    for word in selector.unmatched:
        events.emit("NoNodesForSelectionCriteria",
                    f"[WARNING]: The selection criterion '{word}' does not match any enabled nodes",
                    level="warn", spec_raw=word)
    if flags.resource_types and "all" not in flags.resource_types:
        selected = {uid for uid in selected if uid.split(".", 1)[0] in flags.resource_types}
    inv.runtime.selected = sorted(selected)
    return selected


def _nothing_to_do() -> None:
    """dbt's warning when a command's selection holds nothing it handles."""
    events.emit("NothingToDo", "[WARNING]: Nothing to do. Try checking your model configs and model "
                "specification args", level="warn")


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


def compile_task(inv: Invocation, inline: str | None, output: str = "text") -> int:
    if inline is not None:
        _report_node("compile", None, _compile_inline(inv, inline).sql, output)
        return 0
    _, errors = _compile_selected(inv, _selected(inv), output)
    return 1 if errors else 0


def _compile_selected(inv: Invocation, selected: set[str], report: str | None = None) -> tuple[list[NodeResult], int]:
    """Compile the selection (target/compiled, lineage.json, manifest.json): a result per node
    (as dbt reports them) and the number of errors (ephemeral models' included). With ``report``
    (text or json), print the SQL of the nodes named in --select, as dbt compile does."""
    from fusion import artifacts
    from fusion.execution.results import NodeResult
    from fusion.execution.runner import COMMAND_TYPES, NodeRunner, plan, selected_ephemerals

    the_plan = plan(inv, selected, "compile")
    runner = NodeRunner(inv, len(the_plan.order))
    ephemerals = selected_ephemerals(inv, selected, "compile")
    if not the_plan.order and not ephemerals:
        _nothing_to_do()
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
    if the_plan.order or ephemerals:
        events.emit("CompileDone",
                    f"Compiled {len(the_plan.order) + len(ephemerals) - errors} node(s), {errors} error(s)")
    if report is not None:
        compiled = {r.unique_id: r.compiled_code for r in results if r.compiled_code is not None}
        for uid in _named_in_selection(inv, [u for u in inv.graph.order if u in compiled or u in ephemerals]):
            node = inv.manifest.nodes[uid]
            sql = compiled[uid] if uid in compiled else runner.compiler.compile(node).sql
            _report_node("compile", node.name, sql, report)  # dbt names no version here (show does)
    return results, errors


def _named_in_selection(inv: Invocation, uids: list[str]) -> list[str]:
    """What compile and show print, as dbt decides it: the nodes whose name is part of the first
    ``--select`` word (``-s +orders`` prints orders, not its parents); none without --select."""
    words = [word for spec in inv.flags.select for word in spec.split()]
    return [uid for uid in uids if words and inv.manifest.nodes[uid].name in words[0]]


def _display_name(node) -> str:
    version = getattr(node, "version", None)
    return f"{node.name}.v{version}" if version is not None else node.name


def _report_node(kind: str, name: str | None, body: Any, output: str) -> None:
    """dbt's ``Compiled node 'x' is:`` / ``Previewing node 'x':`` (``kind`` compile or show) and the
    SQL or table (``body``); with ``--output json`` one JSON document ({"node", "compiled"|"show"},
    no "node" for --inline). The heading is an info event: --quiet prints the body alone, as dbt."""
    event, key = ("CompiledNode", "compiled") if kind == "compile" else ("ShowNode", "show")
    if output == "json":
        document = {"node": name, key: body} if name is not None else {key: body}
        events.emit(event, json.dumps(document, indent=2), level="result", node_name=name)
        return
    what = "inline node" if name is None else f"node '{name}'"
    events.emit(f"{event}Heading", f"Compiled {what} is:" if kind == "compile" else f"Previewing {what}:",
                node_name=name)
    events.emit(event, body, level="result", node_name=name)


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
    if not _has_work(inv, selected):  # as dbt: no hooks, no summary, an empty run_results.json
        _nothing_to_do()
        artifacts.write_run_results([], 0.0, inv)
        artifacts.write_manifest(inv.manifest, inv)
        return 0
    with inv.interrupt.deferred():  # a signal stops the scheduling; the nodes' results are kept
        results = execute(inv, selected, inv.flags.which)
    inv.result = results
    elapsed = time.perf_counter() - start
    artifacts.write_run_results(results, elapsed, inv)
    artifacts.write_manifest(inv.manifest, inv)
    summary.report(inv, results, elapsed)
    return 1 if any(r.failed for r in results) else 0


def _has_work(inv: Invocation, selected: set[str]) -> bool:
    from fusion.execution.runner import COMMAND_TYPES

    types = COMMAND_TYPES[inv.flags.which] | ({"exposure", "saved_query"} if inv.flags.which == "build" else set())
    manifest = inv.manifest
    objects = {**manifest.nodes, **manifest.unit_tests, **manifest.exposures,
               **manifest.semantic.get("saved_queries", {})}
    return any(uid in objects and objects[uid].resource_type in types for uid in selected)


def freshness_task(inv: Invocation, output: str | None) -> int:
    from pathlib import Path

    from fusion import artifacts
    from fusion.execution.freshness import check_all

    start = time.perf_counter()
    selected = _selected(inv)
    if not any(uid in inv.manifest.sources for uid in selected):
        _nothing_to_do()
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


#: what ``ls --output json`` shows of each resource without --output-keys (as dbt)
LIST_KEYS = frozenset({"alias", "name", "package_name", "depends_on", "direct_parents", "tags", "config",
                       "resource_type", "source_name", "original_file_path", "unique_id"})
#: named by type and package.name in ``ls``'s selector output (the rest by fqn)
_LISTED_BY_NAME = ("exposure", "metric", "saved_query", "semantic_model", "unit_test")


def list_task(inv: Invocation, output: str, output_keys: tuple[str, ...] = ()) -> int:
    manifest = inv.manifest
    objects = {**manifest.nodes, **manifest.sources, **manifest.exposures, **manifest.unit_tests,
               **manifest.semantic_resources()}
    selected = sorted(uid for uid in _selected(inv)
                      if inv.flags.resource_types or objects[uid].resource_type != "analysis")
    if not selected:
        events.emit("NoNodesSelected", "[WARNING]: No nodes selected!", level="warn")
    keys = [key for word in output_keys for key in word.split()]
    for uid in selected:
        obj = objects[uid]
        if output == "name":
            line = _display_name(obj) if obj.resource_type != "source" else f"{obj.source_name}.{obj.name}"
        elif output == "path":
            line = obj.original_file_path
        elif output == "json":
            line = json.dumps(_listed(obj, keys), default=str)
        elif obj.resource_type == "source":
            line = f"source:{obj.package_name}.{obj.source_name}.{obj.name}"
        elif obj.resource_type in _LISTED_BY_NAME:
            line = f"{obj.resource_type}:{obj.package_name}.{_display_name(obj)}"
        else:
            line = ".".join(obj.fqn)
        events.emit("ListItem", line, level="result")
    return 0


def _listed(obj, keys: list[str]) -> dict[str, Any]:
    """A resource as ``ls --output json`` prints it: its manifest entry, cut to ``keys`` (dotted
    for nested ones; missing ones left out) or to dbt's default keys."""
    entry = obj.to_dict()
    if obj.resource_type == "model":
        entry["direct_parents"] = list(entry["depends_on"]["nodes"])
    if not keys:
        return {k: v for k, v in entry.items() if k in LIST_KEYS}
    out = {}
    for key in keys:
        if "." not in key:
            if key in entry:
                out[key] = entry[key]
            continue
        value: Any = entry
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            out[key] = value
    return out


SHOWN_TYPES = ("model", "seed", "analysis", "snapshot")


def show_task(inv: Invocation, inline: str | None, limit: int, output: str) -> int:
    """dbt's ``show``: the first ``limit`` rows of an inline query or of each selected node named
    in the first --select word (a seed: its whole file, as dbt shows it, without the warehouse)."""
    from fusion.execution.compiler import Compiler

    if inline is not None:
        _preview(inv, None, _compile_inline(inv, inline).sql, limit, output)
        return 0
    if not inv.flags.select:
        raise SelectionError("show needs --select or --inline", hint="pass --select <model> or --inline '<sql>'")
    nodes = inv.manifest.nodes
    chosen = _selected(inv)
    selected = [uid for uid in inv.graph.order if uid in chosen and uid in nodes
                and nodes[uid].resource_type in SHOWN_TYPES]
    if not selected:
        _nothing_to_do()
    compiler = Compiler(inv.runtime, inv.manifest)
    for uid in _named_in_selection(inv, selected):
        node = nodes[uid]
        if node.resource_type == "seed":
            _report_preview(_display_name(node), _seed_preview(node), output)
        else:
            _preview(inv, _display_name(node), compiler.compile(node).sql, limit, output)
    return 0


def _preview(inv: Invocation, name: str | None, sql: str, limit: int, output: str) -> None:
    from fusion.preview import Preview

    query = sql if limit < 0 else f"select * from (\n{sql}\n) as fusion_show limit {limit}"
    _, table = inv.adapter.execute(query, fetch=True)
    _report_preview(name, Preview.from_arrow(table), output)


def _seed_preview(node):
    """A seed as dbt shows it: every row of its file, numbers read as decimals (``1,200``, ``1200.0``)."""
    import decimal

    from fusion.fileio import read_text
    from fusion.preview import Preview
    from fusion.seed_csv import read_seed

    text = read_text(f"{node.root_path}/{node.original_file_path}", node.original_file_path)
    names, _, table = read_seed(text, node.original_file_path, node.config.get("delimiter", ","),
                                frozenset(node.config.get("column_types") or {}))
    return Preview(names, [[decimal.Decimal(v) if type(v) is int else v for v in row.values()]
                           for row in table.to_pylist()])


def _report_preview(name: str | None, preview, output: str) -> None:
    _report_node("show", name, preview.json_rows() if output == "json" else preview.text(), output)


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


def init_task(inv: Invocation, name: str | None, profile: str | None, skip_profile_setup: bool,
              adapter: str | None, field_pairs: tuple[str, ...]) -> int:
    """dbt's ``init``: a new project in ./NAME with a profile entry for it; inside a project only its
    profile. Every answer is gathered before anything is written."""
    from fusion import profile_setup as setup
    from fusion import scaffold

    prompter = setup.terminal()
    fields = setup.parse_fields(field_pairs)
    project_root = next((d for d in (inv.project_dir, *inv.project_dir.parents) if (d / "dbt_project.yml").is_file()),
                        None)
    folder = setup.profiles_folder(inv.flags.profiles_dir, project_root)
    profiles_path = folder / "profiles.yml"
    existing = setup.read_profiles(profiles_path)
    if project_root is not None:
        if profile:
            raise FusionError(f"{project_root} is already a project: --profile only names the profile of a new one",
                              hint="edit `profile:` in its dbt_project.yml instead")
        if skip_profile_setup:
            return 0
        project_name, profile_name = _project_names(project_root / "dbt_project.yml")
    else:
        project_name = _new_project_name(name, prompter)
        if (inv.project_dir / project_name).exists():
            events.emit("ProjectNameAlreadyExists", f"A project called {project_name} already exists here.",
                        level="warn")
            return 0
        if profile and profile not in existing:
            raise FusionError(f"Could not find profile named '{profile}'", path=str(profiles_path),
                              hint="name a profile of that file, or leave --profile out to set one up")
        profile_name = profile or project_name
    wanted = not skip_profile_setup and not profile
    target = _profile_target(profile_name, project_name, profiles_path, existing, adapter, fields, prompter) \
        if wanted else None
    if project_root is None:
        scaffold.create_project(inv.project_dir / project_name, project_name, profile_name)
    if target is not None:
        if not folder.exists():
            events.emit("ConfigFolderDirectory", f"Creating the profiles folder {folder}")
        setup.write_profile(profiles_path, profile_name, target, replace=profile_name in existing)
        events.emit("ProfileWritten", f"Profile {profile_name} written to {profiles_path}.", level="result")
    if project_root is None:
        events.emit("ProjectCreated", f"Created the project {project_name} in {inv.project_dir / project_name}. "
                    f"Next: cd {project_name} && fusion build", level="result")
    return 0


def _profile_target(profile_name: str, project_name: str, profiles_path, existing: dict, adapter: str | None,
                    fields: dict[str, str], prompter) -> dict[str, Any] | None:
    """The new profile's target, or None when the user keeps the profile of that name."""
    from fusion import profile_setup as setup
    from fusion.plugins import get_plugins

    if profile_name in existing:
        if prompter is None:
            raise FusionError(f"the profile {profile_name!r} already exists in {profiles_path}",
                              path=str(profiles_path), hint="keep it (add --skip-profile-setup), or remove it "
                                                            "first; on a terminal init asks before replacing it")
        if not prompter.confirm(f"The profile {profile_name} already exists in {profiles_path}. "
                                "Continue and overwrite it?"):
            events.emit("ProfileKept", f"Kept the profile {profile_name} as it is.", level="result")
            return None
    spec = setup.choose_adapter(get_plugins().registry.adapters, adapter, prompter)
    return setup.answers(spec, fields, project_name, prompter)


def _project_names(path) -> tuple[str, str]:
    """The ``name`` and ``profile`` of an existing dbt_project.yml."""
    from fusion.fileio import read_text
    from fusion.yamlio import load_yaml_text

    data = load_yaml_text(read_text(path), str(path))
    names = [data.get(key) if isinstance(data, dict) else None for key in ("name", "profile")]
    if not all(isinstance(n, str) and n for n in names):
        raise FusionError("dbt_project.yml needs `name` and `profile` for init to set up the profile", path=str(path),
                          hint="add `profile: <name>` (the profiles.yml entry to create)")
    return names[0], names[1]


def _new_project_name(name: str | None, prompter) -> str:
    from fusion.scaffold import check_name

    while True:
        problem = check_name(name) if name else "no project name given"
        if problem is None:
            return name
        if prompter is None:
            raise FusionError(problem, hint="pass the new project's name: fusion init NAME")
        if name:
            events.emit("InvalidProjectName", problem)
        name = prompter.text("Enter a name for your project (letters, digits, underscore)")
