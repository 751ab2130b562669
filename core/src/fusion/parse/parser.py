"""Turn a loaded project into a Manifest.

Order matters and follows dbt: macros first (everything renders through them), then YAML
properties (they configure nodes), then SQL/CSV resources rendered in parse mode to capture
``ref``/``source``/``config``, then generic tests, then dependency resolution.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fusion import collector, events
from fusion.config import merge_config, normalize_config, with_defaults
from fusion.errors import CompilationError, ProjectError
from fusion.jinja.context import Runtime
from fusion.jinja.environment import environment, native_rendering
from fusion.jinja.macros import CORE_PACKAGE, MacroFile, MacroRegistry, macros_in_file
from fusion.jinja.node_context import Capture, node_namespace
from fusion.jinja.shapes import outline
from fusion.manifest.columns import column_entries, tag_list
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import DocBlock, Exposure, Node, RefCall, Source
from fusion.manifest.semantic import (
    KINDS,
    SemanticResource,
    link_metrics,
    metric_body,
    node_relation,
    saved_query_body,
    semantic_model_body,
)
from fusion.parse.cache import RenderMemo
from fusion.parse.capture import capture_dependencies
from fusion.parse.descriptions import render_descriptions
from fusion.parse.edits import index_entry
from fusion.parse.files import MAX_HASHED_SEED_BYTES, SourceFile, find_files
from fusion.parse.forked import in_two
from fusion.parse.freshness import resolve_freshness, resolve_loaded_at
from fusion.parse.naming import apply_naming
from fusion.parse.properties import Properties, TestSpec, load_document, read_properties
from fusion.parse.python_models import python_model_capture
from fusion.parse.test_kwargs import GENERIC_TEST_KWARGS, GENERIC_TEST_SOURCE, render_test_kwargs
from fusion.parse.unit_tests import parse_unit_test
from fusion.project.project import Project
from fusion.project.render import DEFERRED_KEYS, native_value, render_value

BUILTIN_MACROS = Path(__file__).resolve().parent.parent / "jinja" / "macros"
TEST_CONFIG_ARGS = ("severity", "tags", "enabled", "where", "limit", "warn_if", "error_if",
                    "fail_calc", "store_failures", "store_failures_as", "meta", "database",
                    "schema", "alias")
#: generic tests whose built-in macros render SQL from their arguments only
BUILTIN_GENERIC_TESTS = frozenset({"not_null", "unique", "accepted_values", "relationships"})
#: keys of properties entries rendered later, or never (dbt's schema YAML renderer skips them too)
YAML_RENDERED_LATER = DEFERRED_KEYS | {"tests", "data_tests", "description", "loaded_at_query",
                                       "filter", "where"}  # metrics' and saved queries' MetricFlow filters
#: a properties file costs about as much to read as this many models to render
YAML_FILE_WEIGHT = 10
_TEST_NAME = re.compile(r"^(?:(?P<namespace>[A-Za-z_]\w*)\.)?(?P<name>[A-Za-z_]\w*)$")


def build_macro_registry(project: Project, adapter_name: str, adapter_macro_paths, parents=(),
                         packages: list[Project] | None = None, index: dict | None = None) -> MacroRegistry:
    adapter_packages = tuple(f"dbt_{name}" for name in (adapter_name, *parents))
    registry = MacroRegistry(project.name, (*adapter_packages, CORE_PACKAGE), index=index)
    for path in sorted(BUILTIN_MACROS.glob("*.sql")):
        registry.add_file(MacroFile(CORE_PACKAGE, str(path), path.read_text(encoding="utf-8")))
    for package, folder in zip(adapter_packages, adapter_macro_paths, strict=False):
        for path in sorted(Path(folder).glob("*.sql")):
            registry.add_file(MacroFile(package, str(path), path.read_text(encoding="utf-8")))
    for owner in [*(packages or []), project]:
        macro_dirs = [*owner.macro_paths, *(f"{p}/generic" for p in owner.test_paths)]
        for file in find_files(owner.name, owner.root, macro_dirs, (".sql",)):
            registry.add_file(MacroFile(owner.name, file.original_file_path, file.text))
    return registry


@dataclass
class ProjectParser:
    project: Project
    runtime: Runtime
    manifest: Manifest

    # --- entry point ---------------------------------------------------------------------
    packages: list[Project] = field(default_factory=list)
    memo: RenderMemo | None = None  # renders of the last parse, reused for unchanged inputs
    #: with a memo: each enabled SQL model's file -> what a one-edit parse needs (see parse.edits)
    models: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    _builtin_tests: dict = field(default_factory=dict)  # see _captures_nothing
    _naming_answers: dict = field(default_factory=dict)  # see naming.apply_naming
    _prerendered: dict = field(default_factory=dict)  # (package, file) -> Capture, see _parse_models

    def parse(self) -> Manifest:
        """Installed packages first, the root project last (its names win ties), then links."""
        with collector.frozen():
            return self._parse_all()

    def _parse_all(self) -> Manifest:
        unit_tests = []
        for project in [*self.packages, self.project]:
            unit_tests += self._parse_project(project)
        self._parse_hooks()
        self._resolve_dependencies()
        self._link_semantic()
        render_descriptions(self.manifest, self.runtime, self.project.name)
        for file, entry, fixtures in unit_tests:
            test = parse_unit_test(self.manifest, file, entry, fixtures)
            if test.config.get("enabled", True):
                self.manifest.unit_tests[test.unique_id] = test
        self.manifest.forget_flat_graph()  # a template may have read it half-built during parsing
        return self.manifest

    def _parse_project(self, project: Project) -> list:
        """Every resource of one project (root or package); returns its unit-test entries."""
        resource_dirs = [*project.model_paths, *project.seed_paths, *project.analysis_paths,
                         *project.snapshot_paths, *project.macro_paths, *project.test_paths]
        yaml_files = find_files(project.name, project.root, resource_dirs, (".yml", ".yaml"))
        loaded = in_two([(f.original_file_path, f) for f in yaml_files], load_document,
                        item_weight=YAML_FILE_WEIGHT) if self.memo is None else {}
        props = read_properties(yaml_files, self.memo, self._render_yaml, loaded)
        self._parse_docs(project, resource_dirs)
        self._parse_models(find_files(project.name, project.root, project.model_paths, (".sql", ".py")), props)
        for file in find_files(project.name, project.root, project.analysis_paths, (".sql",)):
            self._parse_sql(file, "analysis", props)
        for file in find_files(project.name, project.root, project.test_paths, (".sql",),
                               exclude=("generic", "fixtures")):
            self._parse_sql(file, "test", props)
        for file in find_files(project.name, project.root, project.seed_paths, (".csv",),
                               read_up_to=MAX_HASHED_SEED_BYTES):
            self._parse_seed(file, props)
        for file in find_files(project.name, project.root, project.snapshot_paths, (".sql",)):
            for name, body in snapshot_blocks(file):
                self._parse_sql(file, "snapshot", props, name=name, text=body)
        for file, entry in props.snapshots:
            self._parse_sql(file, "snapshot", props, name=entry["name"],
                            text=f"select * from {{{{ {entry['relation']} }}}}")
        for file, source, table in props.sources:
            self._parse_source(file, source, table)
        self._parse_generic_tests(props.tests)
        for file, entry in props.exposures:
            self._parse_exposure(file, entry)
        for kind, entries in props.semantic.items():
            for file, entry in entries:
                self._parse_semantic(kind, file, entry)
        self._check_patches(props)
        fixtures = {Path(f.relative).name: f for f in find_files(
            project.name, project.root, [f"{p}/fixtures" for p in project.test_paths], (".csv", ".sql"))}
        return [(file, entry, fixtures) for file, entry in props.unit_tests]

    def _parse_models(self, files: list[SourceFile], props: Properties) -> None:
        """Models in file order; in a cold parse of many models two forked children render their
        templates first (see parse.forked), grouped by outline so that each compiles its own shapes."""
        if self.memo is None:  # the parse cache records each render: then they all render here
            templates = sorted((f for f in files if f.relative.endswith(".sql")), key=lambda f: outline(f.text))
            self._prerendered = in_two([((f.package, f.original_file_path), f) for f in templates],
                                       lambda file: self._model_capture(file, props))
        for file in files:
            self._parse_sql(file, "model", props)
        self._prerendered = {}

    def _model_capture(self, file: SourceFile, props: Properties) -> Capture:
        node = self._sql_node(file, "model", props, None, None)
        return capture_dependencies(self.runtime, self.manifest, node, node.template_code)

    def _config_for(self, resource_type: str, fqn: list[str], unrendered: bool = False) -> dict[str, Any]:
        """A package's own dbt_project.yml config, overridden by the root project's."""
        own = next((p for p in self.packages if p.name == fqn[0]), None)
        base = own.config_for(resource_type, fqn, unrendered) if own is not None else {}
        return merge_config(base, self.project.config_for(resource_type, fqn, unrendered))

    # --- resources -----------------------------------------------------------------------
    def _new_node(self, file: SourceFile, resource_type: str, name: str, raw_code: str, fqn: list[str],
                  config: dict[str, Any]) -> Node:
        checksum_name, checksum = file.seed_checksum if resource_type == "seed" else ("sha256", file.checksum)
        return Node(
            unique_id=f"{resource_type}.{file.package}.{name}", resource_type=resource_type,
            package_name=file.package, name=name, path=file.relative,
            original_file_path=file.original_file_path, fqn=fqn, raw_code=raw_code,
            checksum=checksum, checksum_name=checksum_name,
            config=config, unrendered_config=dict(config),
            root_path=str(file.root))

    def _parse_sql(self, file: SourceFile, resource_type: str, props: Properties, name: str | None = None,
                   text: str | None = None) -> None:
        """A SQL resource; snapshots pass the name and body of one ``{% snapshot %}`` block."""
        node = self._sql_node(file, resource_type, props, name, text)
        config = node.config
        if file.relative.endswith(".py"):
            node.language = "python"
            capture = python_model_capture(file.text, file.original_file_path)
            config.setdefault("materialized", "table")  # a Python model makes a table unless configured
        else:
            before_render = copy.copy(node)
            capture = self._prerendered.pop((file.package, node.original_file_path), None)
            if capture is None:
                capture = self._render_for_parse(node, node.template_code)
        node.config_call_dict = capture.config
        node.unrendered_config = merge_config(node.unrendered_config, capture.config)
        node.config = with_defaults(resource_type, merge_config(config, capture.config))
        if node.language == "python" and (node.config.get("contract") or {}).get("enforced"):
            raise ProjectError("a Python model's contract cannot be enforced (dbt allows it on SQL models only)",
                               path=node.original_file_path,
                               hint="set contract: {enforced: false}; its YAML columns and data types still "
                                    "describe it to static analysis")
        node.refs, node.sources = capture.refs, capture.sources
        self._add(node)
        if (self.memo is not None and resource_type == "model" and node.language == "sql"
                and self.manifest.nodes.get(node.unique_id) is node):
            path = os.path.join(file.root, file.resource_path, file.relative)
            self.models[path] = index_entry(before_render, capture)

    def _sql_node(self, file: SourceFile, resource_type: str, props: Properties, name: str | None,
                  text: str | None) -> Node:
        """A SQL resource's node before its template renders: configured by the project and YAML."""
        name = name or file.stem
        text = file.text if text is None else text
        versioned = props.versions.get(name) if resource_type == "model" else None
        if versioned is not None:  # <model>_v<N>.sql (or a version's defined_in:) of a versioned model
            name, version = versioned[0].name, versioned[1]["v"]
            fqn = [file.package, *file.folders, name, f"v{version}"]
        elif resource_type == "analysis":  # dbt 1.12's fqn (and path) for analyses
            fqn = [file.package, "analysis", *file.folders, name]
        else:
            fqn = [file.package, *file.folders, name]
        patch = props.patches.get((resource_type, name))
        config = self._config_for(resource_type, fqn)
        unrendered = self._config_for(resource_type, fqn, unrendered=True)
        overrides = [patch.config] if patch is not None else []
        if versioned is not None:
            overrides.append(normalize_config(dict(versioned[1].get("config") or {})))
        for override in overrides:
            config, unrendered = merge_config(config, override), merge_config(unrendered, override)
        node = self._new_node(file, resource_type, name, text.strip(), fqn, config)
        node.raw_code_line = 1 + text[:len(text) - len(text.lstrip())].count("\n")
        node.unrendered_config = unrendered
        if resource_type == "analysis":
            node.path = f"analysis/{file.relative}"
        if versioned is not None:
            node.unique_id, node.version = f"{node.unique_id}.v{version}", version
            node.latest_version = patch.latest_version if patch.latest_version is not None else max(
                (v["v"] for v in patch.versions), key=_version_order)
        if patch is not None:
            node.description, node.columns = patch.description, patch.columns
            node.patch_path = f"{file.package}://{patch.file.original_file_path}"
            node.time_spine = patch.time_spine
        return node

    def _render_for_parse(self, node: Node, text: str) -> Capture:
        def render() -> Capture:
            return capture_dependencies(self.runtime, self.manifest, node, text)

        if self.memo is None:
            return render()
        return self.memo.capture((node.unique_id, text, node.config), render)

    def _parse_seed(self, file: SourceFile, props: Properties) -> None:
        name = file.stem
        fqn = [file.package, *file.folders, name]
        patch = props.patches.get(("seed", name))
        config = self._config_for("seed", fqn)
        if patch is not None:
            config = merge_config(config, patch.config)
        node = self._new_node(file, "seed", name, "", fqn, with_defaults("seed", config))
        if patch is not None:
            node.description, node.columns = patch.description, patch.columns
            node.patch_path = f"{file.package}://{patch.file.original_file_path}"
        self._add(node)

    def _add(self, node: Node) -> None:
        if not node.config.get("enabled", True):
            self.manifest.disabled.setdefault(node.unique_id, []).append(node)
            return
        if node.unique_id in self.manifest.nodes:
            other = self.manifest.nodes[node.unique_id]
            raise ProjectError(
                f"two resources are named {node.name!r}: {other.original_file_path} and "
                f"{node.original_file_path}", path=node.original_file_path,
                hint="rename one of them; dbt requires unique names per resource type")
        def name() -> tuple[str, str, str]:
            apply_naming(self.runtime, node, lambda n: node_namespace(self.runtime, self.manifest, n, execute=False,
                                                                        capture=Capture()), self._naming_answers)
            return node.database, node.schema, node.alias

        if self.memo is None or not self.runtime.macros.naming_overridden:
            name()
        else:  # the project's generate_*_name macros see the node: key on what defines it
            node.database, node.schema, node.alias = self.memo.capture(
                ("naming", node.unique_id, node.fqn, node.original_file_path, node.config, node.version), name)
        if node.resource_type in ("model", "seed", "snapshot") and not node.is_ephemeral:
            node.relation_name = self.runtime.adapter.relation(node.database, node.schema, node.alias).render()
        self.manifest.add_node(node)

    def _parse_source(self, file: SourceFile, source: dict[str, Any], table: dict[str, Any]) -> None:
        source_name, table_name = source["name"], table["name"]
        fqn = [file.package, *file.folders, source_name, table_name]
        project_config = self._config_for("source", fqn)
        config = merge_config(project_config,
                              normalize_config({**(source.get("config") or {}), **(table.get("config") or {})},
                                               file.original_file_path))
        freshness = resolve_freshness(source, table, project_config.get("freshness"), file.original_file_path)
        loaded_at_field, loaded_at_query = resolve_loaded_at(source, table, file.original_file_path)
        config.update(freshness=freshness, loaded_at_field=loaded_at_field, loaded_at_query=loaded_at_query)
        if not config.get("enabled", True):
            return
        database = table.get("database") or source.get("database") or self.runtime.adapter.default_database
        schema = table.get("schema") or source.get("schema") or source_name
        identifier = table.get("identifier") or table_name
        src = Source(
            unique_id=f"source.{file.package}.{source_name}.{table_name}", package_name=file.package,
            source_name=source_name, name=table_name, identifier=identifier, database=database,
            schema=schema, path=file.original_file_path, original_file_path=file.original_file_path,
            fqn=fqn, description=table.get("description") or "",
            source_description=source.get("description") or "", loader=source.get("loader") or "",
            columns=column_entries(table.get("columns")), meta=table.get("meta") or {},
            source_meta=source.get("meta") or {},
            tags=sorted(set(tag_list(source.get("tags")) + tag_list(table.get("tags")))),
            config={"enabled": True, "event_time": None, "meta": {}, "tags": [], **config},
            quoting={"database": None, "schema": None, "identifier": None, "column": None},
            loaded_at_field=loaded_at_field, loaded_at_query=loaded_at_query, freshness=freshness,
        )
        src.relation_name = self.runtime.adapter.relation(database, schema, identifier).render()
        self.manifest.add_source(src)

    def _render_yaml(self, file: SourceFile, entry: dict[str, Any]) -> dict[str, Any]:
        """Templated values of a properties entry (``data_type: "{{ 'int' if target.type ... }}"``),
        but for what dbt renders later: tests, descriptions, hooks, ``loaded_at_query``."""
        if not _has_template(entry):
            return entry
        members = {**self.runtime.base_members(False), "var": lambda name, default=None: self.runtime.vars.get(
            name, file.package, default)}
        return render_value(entry, members, file.original_file_path, skip=YAML_RENDERED_LATER)

    def _parse_hooks(self) -> None:
        """on-run-start/on-run-end of every project, packages' included (as dbt does)."""
        for project in [*self.packages, self.project]:
            for hook_type, hooks in (("on-run-start", project.on_run_start), ("on-run-end", project.on_run_end)):
                for index, sql in enumerate(hooks):
                    self._parse_hook(project, hook_type, index, sql)

    def _parse_hook(self, project: Project, hook_type: str, index: int, sql: str) -> None:
        """An operation node; its config comes from the ``models:`` trees, as dbt gives it."""
        name = f"{project.name}-{hook_type}-{index}"
        fqn = [project.name, "hooks", name]
        node = Node(
            unique_id=f"operation.{project.name}.{name}", resource_type="operation",
            package_name=project.name, name=name, path=f"hooks/{name}.sql",
            original_file_path="./dbt_project.yml", fqn=fqn,
            raw_code=sql, checksum=hashlib.sha256(sql.encode()).hexdigest(),
            config=with_defaults("operation", self._config_for("model", fqn)), root_path=str(project.root), index=index,
            database=self.runtime.adapter.default_database,
            schema=self.runtime.target.get("schema") or "", alias=name)
        node.config["tags"] = [hook_type]
        self.manifest.nodes[node.unique_id] = node

    def _parse_docs(self, project: Project, resource_dirs: list[str]) -> None:
        for file in find_files(project.name, project.root, project.docs_paths or resource_dirs, (".md",)):
            for macro in macros_in_file(MacroFile(project.name, file.original_file_path, file.text)):
                if not macro.name.startswith("docs_"):
                    continue
                name = macro.name[len("docs_"):]
                module = macro.file.template.make_module({})
                contents = str(getattr(module, macro.name)()).strip()
                doc = DocBlock(f"doc.{project.name}.{name}", project.name, name, file.relative,
                               file.original_file_path, contents)
                self.manifest.docs[doc.unique_id] = doc

    # --- generic tests -------------------------------------------------------------------
    def _parse_generic_tests(self, specs: list[TestSpec]) -> None:
        """In a cold parse of many tests two forked children build them first (see parse.forked)."""
        built = in_two(list(enumerate(specs)), self._generic_test) if self.memo is None else {}
        for index, spec in enumerate(specs):
            self._add(built.get(index) or self._generic_test(spec))

    def _generic_test(self, spec: TestSpec) -> Node:
        test_name, args = _split_test_definition(spec)
        match = _TEST_NAME.match(test_name)
        if match is None:
            raise ProjectError(f"{test_name!r} is not a valid test name", path=spec.file.original_file_path)
        namespace, short = match.group("namespace"), match.group("name")
        config = dict(args.pop("config", None) or {})
        for key in TEST_CONFIG_ARGS:
            if key in args:
                config[key] = args.pop(key)
        file = spec.file
        config = self._render_test_config(file, config)
        custom_name = args.pop("name", None)
        description = args.pop("description", None)  # the test's own, not an argument of its macro
        if spec.column_name is not None:
            args["column_name"] = spec.column_name
        if spec.target_type == "source":
            target_expr = f"source('{spec.source_name}', '{spec.target_name}')"
            target_label = f"{spec.source_name}_{spec.target_name}"
            type_label = f"source_{short}"
            file_key = f"sources.{spec.source_name}"
        else:
            target_expr = f"ref('{spec.target_name}')"
            target_label = spec.target_name
            type_label = short
            file_key = f"{spec.target_type}s.{spec.target_name}"
        if namespace:
            type_label = f"{namespace}_{type_label}"
        args["model"] = f"{{{{ get_where_subquery({target_expr}) }}}}"
        short_name, full_name = _synthesize_test_names(type_label, target_label, args)
        name = custom_name or full_name
        if custom_name is None and short_name != full_name and "alias" not in config:
            config["alias"] = short_name
        metadata = {"name": short, "kwargs": args, "namespace": namespace}
        test_hash = hashlib.md5((name + repr(_hashable(metadata))).encode("utf-8")).hexdigest()[-10:]  # noqa: S324
        macro = f"{namespace}.test_{short}" if namespace else f"test_{short}"
        fqn = [file.package, *file.folders, name]
        merged = merge_config(self._config_for("test", fqn), normalize_config(config, file.original_file_path))
        if isinstance(merged.get("severity"), str):
            merged["severity"] = merged["severity"].upper()
        node = Node(
            unique_id=f"test.{file.package}.{name}.{test_hash}", resource_type="test",
            package_name=file.package, name=name, path=f"{config.get('alias') or custom_name or short_name}.sql",
            original_file_path=file.original_file_path, fqn=fqn,
            raw_code=f"{{{{ {macro}(**{GENERIC_TEST_KWARGS}) }}}}", checksum="",
            config=merged, unrendered_config=dict(config), test_metadata=metadata,
            column_name=spec.column_name, file_key_name=file_key, root_path=str(file.root),
            description=str(description or ""))
        if spec.target_type != "source":
            node.attached_node = f"{spec.target_type}.{file.package}.{spec.target_name}"
        macros = self.runtime.macros
        test_macro = (macros.in_package(namespace, f"test_{short}") if namespace
                      else macros.find(f"test_{short}", file.package))
        if test_macro is not None:  # a misspelt test has none: it fails when it runs
            where = macros.find("get_where_subquery", file.package)
            node.depends_on_macros = [m.unique_id for m in (test_macro, where) if m is not None]

        def render() -> Capture:
            capture = Capture()
            namespace_ = node_namespace(self.runtime, self.manifest, node, execute=False, capture=capture)
            if self._captures_nothing(namespace, short):  # only the arguments' ref/source calls matter
                render_test_kwargs(namespace_, {**args, "model": f"{{{{ {target_expr} }}}}"},
                                   file.original_file_path)
                return capture
            namespace_[GENERIC_TEST_KWARGS] = render_test_kwargs(namespace_, args, file.original_file_path)
            try:
                namespace_.render(environment().compile_source(node.raw_code, GENERIC_TEST_SOURCE))
            except CompilationError as exc:
                raise CompilationError(f"test {test_name!r} on {target_label}: {exc.message}",
                                       path=file.original_file_path, hint=exc.hint) from exc
            return capture

        capture = render() if self.memo is None else self.memo.capture(
            (node.unique_id, node.raw_code, args, merged, file.original_file_path), render)
        node.refs, node.sources = capture.refs, capture.sources
        node.config = with_defaults("test", merge_config(merged, capture.config))
        return node

    def _render_test_config(self, file: SourceFile, config: dict[str, Any]) -> dict[str, Any]:
        """Templated values of a test's config (``enabled: "{{ target.type != 'x' }}"``), rendered
        at parse time as native values, as dbt does."""
        templated = {k: v for k, v in config.items() if isinstance(v, str) and ("{{" in v or "{%" in v)}
        if not templated:
            return config
        probe = self._new_node(file, "test", file.stem, "", [file.package], {})
        namespace = node_namespace(self.runtime, self.manifest, probe, execute=False, capture=Capture())
        compile_source = environment().compile_source
        with native_rendering():
            return {**config, **{k: native_value(namespace.render(compile_source(v, file.original_file_path)))
                                 for k, v in templated.items()}}

    def _captures_nothing(self, namespace: str | None, short: str) -> bool:
        """Whether test ``short`` is a built-in generic test nobody overrides: its macro calls no
        ref/source/config, so rendering it at parse time (beyond its arguments) is skipped."""
        known = self._builtin_tests.get((namespace, short))
        if known is None:
            macros = self.runtime.macros
            names = [f"{prefix}test_{short}" for prefix in
                     ("", "default__", *(f"{name}__" for name in macros.internal_adapters))]
            macro = macros.find(f"test_{short}") if namespace in (None, CORE_PACKAGE) else None
            known = (short in BUILTIN_GENERIC_TESTS and macro is not None and macro.package == CORE_PACKAGE
                     and not any(macros.is_overridden(n) for n in names) and CORE_PACKAGE not in self.runtime.dispatch)
            self._builtin_tests[(namespace, short)] = known
        return known

    def _parse_exposure(self, file: SourceFile, entry: dict[str, Any]) -> None:
        if not entry.get("type") or not entry.get("owner"):
            raise ProjectError(f"exposure {entry['name']!r} needs `type` and `owner`", path=file.original_file_path)
        fqn = [file.package, *file.folders, entry["name"]]
        config = self._config_for("exposure", fqn)
        for level in ({"tags": entry.get("tags") or []}, entry.get("config") or {}):  # tags add up
            config = merge_config(config, normalize_config(level))
        if not config.get("enabled", True):
            return
        capture = Capture()
        probe = self._new_node(file, "exposure", entry["name"], "", [], {})
        namespace = node_namespace(self.runtime, self.manifest, probe, execute=False, capture=capture)
        for dep in entry.get("depends_on") or []:
            namespace.evaluate(str(dep), file.original_file_path)
        exposure = Exposure(
            unique_id=f"exposure.{file.package}.{entry['name']}", package_name=file.package,
            name=entry["name"], path=file.relative, original_file_path=file.original_file_path,
            fqn=fqn, type=entry["type"], owner=entry["owner"],
            description=entry.get("description") or "", label=entry.get("label"),
            maturity=entry.get("maturity"), url=entry.get("url"), meta=entry.get("meta") or {},
            tags=tag_list(config.get("tags")), config={"enabled": True, "tags": [], "meta": {}, **config},
            refs=capture.refs, sources=capture.sources)
        self.manifest.exposures[exposure.unique_id] = exposure

    def _parse_semantic(self, kind: str, file: SourceFile, entry: dict[str, Any]) -> None:
        """A semantic model, metric or saved query, kept as dbt writes it (see manifest.semantic)."""
        resource_type = KINDS[kind]
        fqn = [file.package, *file.folders, entry["name"]]
        defaults = {"enabled": True, "group": None, "meta": {}}
        if kind == "saved_queries":
            defaults.update(export_as=None, schema=None, cache={"enabled": False})
            body = saved_query_body(entry, self.runtime.target)
        else:
            body = (semantic_model_body if kind == "semantic_models" else metric_body)(entry)
        config = {**defaults, **normalize_config(dict(entry.get("config") or {}))}
        if not config.get("enabled", True):
            return
        resource = SemanticResource(resource_type, file.package, entry["name"], file.relative,
                                    file.original_file_path, fqn, body, config)
        if kind == "semantic_models" and isinstance(entry.get("model"), str):  # model: ref('orders')
            capture = Capture()
            probe = self._new_node(file, resource_type, entry["name"], "", [], {})
            node_namespace(self.runtime, self.manifest, probe, execute=False, capture=capture).evaluate(
                entry["model"], file.original_file_path)
            resource.refs = capture.refs
        self.manifest.semantic.setdefault(kind, {})[resource.unique_id] = resource

    def _link_semantic(self) -> None:
        """Semantic models depend on their model, metrics on the semantic models holding their
        measures (or on other metrics), saved queries on their metrics."""
        semantic, manifest = self.manifest.semantic, self.manifest
        for model in semantic.get("semantic_models", {}).values():
            for ref in model.refs:
                target = manifest.resolve_ref(ref, model.package_name)
                if target is None:
                    raise CompilationError(_missing_ref_message(manifest, model, ref), path=model.original_file_path)
                model.depends_on_nodes = [target.unique_id]
                model.body["node_relation"] = node_relation(target)
        measures = {m["name"]: model.unique_id for model in semantic.get("semantic_models", {}).values()
                    for m in model.body["measures"]}
        link_metrics(semantic.get("metrics", {}), measures)
        metrics = {m.name: uid for uid, m in semantic.get("metrics", {}).items()}
        for query in semantic.get("saved_queries", {}).values():
            query.depends_on_nodes = [metrics[n] for n in query.body["query_params"]["metrics"] if n in metrics]

    # --- checks and dependencies ---------------------------------------------------------
    def _check_patches(self, props: Properties) -> None:
        for (resource_type, name), patch in props.patches.items():
            uid = f"{resource_type}.{patch.file.package}.{name}"
            if patch.versions:
                uid = f"{uid}.v{patch.versions[0]['v']}"
            if uid not in self.manifest.nodes and uid not in self.manifest.disabled:  # dbt warns
                events.warn_or_error("NoNodeForYamlEntry", f"Warning: {patch.file.original_file_path}: "
                                     f"{resource_type} {name!r} is described in YAML but no such {resource_type} "
                                     "exists; the entry is ignored (fix the name, or remove the entry)")

    def _resolve_dependencies(self) -> None:
        manifest = self.manifest
        for node in [*manifest.nodes.values(), *manifest.exposures.values()]:
            deps: list[str] = []
            for ref in node.refs:
                target = manifest.resolve_ref(ref, node.package_name)
                if target is None and node.resource_type == "test":  # dbt disables the test and warns
                    node.config["enabled"] = False
                    events.warn_or_error("TestTargetNotFound", f"Warning: {node.original_file_path}: "
                                         f"{_missing_ref_message(manifest, node, ref)}; the test is disabled")
                    continue
                if target is None:
                    raise CompilationError(_missing_ref_message(manifest, node, ref),
                                           path=node.original_file_path,
                                           hint="check the spelling, or that the model is enabled")
                deps.append(target.unique_id)
            for source_name, table_name in node.sources:
                found = manifest.resolve_source(source_name, table_name)
                if found is None:
                    raise CompilationError(
                        f"{node.unique_id} depends on source {source_name}.{table_name} which was not found",
                        path=node.original_file_path,
                        hint="declare it under `sources:` in a properties YAML file")
                deps.append(found.unique_id)
            node.depends_on_nodes = list(dict.fromkeys(deps))


_SNAPSHOT_BLOCK = re.compile(
    r"{%-?\s*snapshot\s+(\w+)\s*-?%}(.*?){%-?\s*endsnapshot\s*-?%}", re.S)


def snapshot_blocks(file: SourceFile) -> list[tuple[str, str]]:
    """(name, body) of each ``{% snapshot name %}...{% endsnapshot %}`` block in a file."""
    blocks = _SNAPSHOT_BLOCK.findall(file.text)
    if not blocks and "{%" in file.text and "snapshot" in file.text:
        environment().parse_source(file.text, file.original_file_path)  # a syntax error names the line
    return blocks


def _missing_ref_message(manifest: Manifest, node, ref: RefCall) -> str:
    disabled = any(n.name == ref.name for nodes in manifest.disabled.values() for n in nodes)
    state = "which is disabled" if disabled else "which was not found"
    return f"{node.unique_id} depends on a node named {ref.name!r} {state}"


def _split_test_definition(spec: TestSpec) -> tuple[str, dict[str, Any]]:
    definition = spec.definition
    where = spec.file.original_file_path
    if isinstance(definition, str):
        return definition, {}
    if not isinstance(definition, dict):
        raise ProjectError(f"a test must be a name or a mapping, got {definition!r}", path=where)
    if "test_name" in definition:
        args = dict(definition)
        return str(args.pop("test_name")), args
    if len(definition) != 1:
        raise ProjectError(f"a test entry must have exactly one key (the test name): {definition!r}",
                           path=where)
    name, args = next(iter(definition.items()))
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise ProjectError(f"arguments of test {name!r} must be a mapping", path=where)
    args = dict(args)
    if isinstance(args.get("arguments"), dict):  # dbt 1.10+: arguments: {...}
        args.update(args.pop("arguments"))
    return str(name), args


def _synthesize_test_names(test_type: str, target: str, args: dict[str, Any]) -> tuple[str, str]:
    """dbt's test naming: ``<test>_<target>_<args...>``, hashed when 64 characters or longer."""
    flat: list[str] = []
    for key in sorted(args):
        if key == "model":
            continue
        value = args[key]
        parts = list(value.values()) if isinstance(value, dict) else (
            list(value) if isinstance(value, (list, tuple)) else [value])
        flat.extend(str(p) for p in parts)
    unique = "__".join(re.sub(r"[^0-9a-zA-Z_]+", "_", p) for p in flat)
    identifier = f"{test_type}_{target}"
    full = f"{identifier}_{unique}"
    if len(full) >= 64:
        return f"{identifier[:30]}_{hashlib.md5(full.encode('utf-8')).hexdigest()}", full  # noqa: S324
    return full, full


def _has_template(value) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_template(v) for v in value)
    return False


def _version_order(version) -> tuple:
    """Versions compare as numbers when they are numbers (dbt's latest version is the greatest)."""
    try:
        return (0, float(version), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(version))


def _hashable(value):
    if isinstance(value, dict):
        return {k: _hashable(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_hashable(v) for v in value]
    return str(value)
