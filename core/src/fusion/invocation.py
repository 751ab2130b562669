"""One command's state: flags -> project -> profile -> adapter -> manifest -> graph.

Each stage is computed once, on first use, and flows one way (files to results).
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytz

from fusion import __version__, collector, events
from fusion.errors import FusionError, PluginError, ProjectError
from fusion.interrupt import Interrupt
from fusion.plugins import get_plugins
from fusion.project.env import EnvReader
from fusion.project.profile import Profile, load_profile
from fusion.project.project import Project, load_project

if TYPE_CHECKING:  # the rest is imported on first use: a no-op command stays fast
    from fusion.adapter import Adapter, AdapterSpec
    from fusion.graph.dag import Graph
    from fusion.graph.selector_yaml import NamedSelectors
    from fusion.jinja.context import Runtime
    from fusion.manifest.manifest import Manifest
    from fusion.materializations import Materialization
    from fusion.parse.cache import ParseCache
    from fusion.parse.edits import BodyEdit


@dataclass
class Flags:
    which: str
    project_dir: str | None = None
    profiles_dir: str | None = None
    target: str | None = None
    threads: int | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    selector: str | None = None  # a selectors.yml name
    exclude: tuple[str, ...] = ()
    full_refresh: bool = False
    fail_fast: bool = False
    target_path: str | None = None
    indirect_selection: str = "eager"
    resource_types: tuple[str, ...] = ()
    write_json: bool = True
    empty: bool = False
    event_time_start: str | None = None
    event_time_end: str | None = None
    store_failures: bool = False
    partial_parse: bool = True
    static_analysis: str | None = None  # off | baseline | strict; None: each node's config
    warehouse_schemas: bool = False  # static analysis may read unknown source schemas from the warehouse
    state: str | None = None  # a previous run's artifacts folder (absolute), for state:/result: selectors
    defer: bool = False  # refs to nodes not built here may read the --state run's relations
    defer_state: str | None = None  # the artifacts to defer to, when not --state's
    favor_state: bool = False  # defer for every unselected node, even one that exists here

    def as_args(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    def as_jinja_flags(self) -> dict[str, Any]:
        return {"FULL_REFRESH": self.full_refresh, "WHICH": self.which, "FAIL_FAST": self.fail_fast,
                "TARGET_PATH": self.target_path, "STORE_FAILURES": self.store_failures,
                "WRITE_JSON": self.write_json, "EMPTY": self.empty,
                "EVENT_TIME_START": self.event_time_start, "EVENT_TIME_END": self.event_time_end}


@dataclass
class Session:
    """A ``fusion.api.FusionRunner`` call: its callbacks, a manifest to use instead of parsing,
    and the Invocation the command created."""

    callbacks: tuple[events.Listener, ...] = ()
    manifest: Manifest | None = None
    invocation: Invocation | None = None


#: The API session of this context, if a FusionRunner is running the command.
current_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar("fusion_session", default=None)


def registered_adapters() -> dict[str, AdapterSpec]:
    return get_plugins().registry.adapters


def registered_materializations() -> list[Materialization]:
    return get_plugins().registry.materializations


class Invocation:
    def __init__(self, flags: Flags):
        self.flags = flags
        self.invocation_id = str(uuid.uuid4())
        self.started_at = datetime.datetime.now(pytz.utc)
        self.project_dir = Path(flags.project_dir or os.getcwd()).resolve()
        self.env = EnvReader()
        #: SIGINT/SIGTERM handling, entered by the CLI around the command
        self.interrupt = Interrupt(self.cancel)
        self.session = current_session.get()
        if self.session is not None:
            self.session.invocation = self
        #: what the command produced, for the API: node results, the manifest for ``parse``
        self.result: Any = None
        #: the error that ended the command, for the API
        self.error: FusionError | None = None

    def start(self, output: events.OutputSettings) -> None:
        """Send this context's events to the plugins' listeners (and the API's callbacks)."""
        callbacks = self.session.callbacks if self.session is not None else ()
        events.use(get_plugins().event_listeners(output) + callbacks)
        events.emit("MainReportVersion", f"Running with fusion={__version__}", level="debug",
                    version=__version__, log_version=3)

    def complete(self, exit_code: int) -> None:
        elapsed = (datetime.datetime.now(pytz.utc) - self.started_at).total_seconds()
        events.emit("CommandCompleted", f"Command `fusion {self.flags.which}` "
                    f"{'succeeded' if exit_code == 0 else 'failed'} after {elapsed:.2f} seconds", level="debug",
                    command=self.flags.which, success=exit_code == 0,
                    completed_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), elapsed=elapsed)

    # --- loading, in order -------------------------------------------------------------
    @functools.cached_property
    def project(self) -> Project:
        return load_project(self.project_dir, self.env.env_var, self.flags.vars, self._project_target)

    def _project_target(self, profile_name: str) -> dict[str, Any] | None:
        """``target`` while dbt_project.yml files render: the root project's profile's (None, i.e.
        undefined, when it cannot load: commands that need it report why when they load it)."""
        if "project_target" not in self.__dict__:
            try:
                profile = self.__dict__["profile"] = self._load_profile(profile_name)
                spec = registered_adapters().get(str(profile.target.get("type")))
                target = spec.adapter_class.complete_target(profile.target) if spec else profile.target
                self.__dict__["project_target"] = profile.public_target(target)
            except ProjectError:
                self.__dict__["project_target"] = None
        return self.__dict__["project_target"]

    @functools.cached_property
    def packages(self) -> list[Project]:
        from fusion.project.packages import load_packages

        return load_packages(self.project, self.env.env_var, self.flags.vars, self._project_target)

    @functools.cached_property
    def profile(self) -> Profile:
        return self._load_profile(self.project.profile)

    def _load_profile(self, name: str) -> Profile:
        return load_profile(name, self.project_dir, self.flags.profiles_dir,
                            self.flags.target, self.flags.threads, self.env.env_var, self.flags.vars)

    @functools.cached_property
    def adapter_spec(self) -> AdapterSpec:
        adapter_type = str(self.profile.target["type"])
        specs = registered_adapters()
        blocked = get_plugins().blocked
        if adapter_type not in specs and adapter_type in blocked:
            raise PluginError(f"the adapter {adapter_type!r} ({blocked[adapter_type][0]}) is denied by policy",
                              path=self.profile.path, hint="`fusion policy show --effective` shows why")
        if adapter_type not in specs:
            installed = ", ".join(sorted(specs)) or "none"
            raise PluginError(f"no adapter is installed for type {adapter_type!r} (installed: {installed})",
                              path=self.profile.path, hint=f"pip install fusion-{adapter_type}")
        return specs[adapter_type]

    @functools.cached_property
    def adapter(self) -> Adapter:
        from fusion.jinja.template_adapter import render_macro

        spec = self.adapter_spec
        adapter = spec.adapter_class(spec, self.profile.target, self.profile.path, self.drivers,
                                     quoting=self.project.quoting)
        adapter.render_macro = lambda name, *args: render_macro(self.runtime, name, *args)
        return adapter

    @functools.cached_property
    def drivers(self):
        from fusion.drivers.manager import DriverManager

        return DriverManager(project_dir=self.project_dir)

    @functools.cached_property
    def target_path(self) -> Path:
        return self.project_dir / (self.flags.target_path or self.project.target_path)

    @functools.cached_property
    def previous_state(self):
        """``--state``: the artifacts of the run to compare with (None without the flag)."""
        from fusion.manifest.state import PreviousState

        return PreviousState(Path(self.flags.state)) if self.flags.state else None

    def _deferral(self, runtime: Runtime):
        """``--defer``: refs may read the relations of ``--defer-state`` (else ``--state``)."""
        from fusion.graph.state import Deferral
        from fusion.manifest.state import PreviousState

        folder = self.flags.defer_state or self.flags.state
        if folder is None:
            raise ProjectError(f"{'clone' if self.flags.which == 'clone' else '--defer'} needs the artifacts "
                               "of the run to defer to",
                               hint="pass --state DIR (or --defer-state DIR, or set DBT_STATE)")
        state = self.previous_state if folder == self.flags.state else PreviousState(Path(folder))
        if state.manifest is None:
            raise ProjectError(f"--defer found no manifest.json in {state.folder}",
                               hint="point --state at the target folder of a previous run")
        return Deferral(state, self.adapter, runtime, self.flags.favor_state)

    @functools.cached_property
    def runtime(self) -> Runtime:
        from fusion.jinja.context import Runtime
        from fusion.jinja.runtime_config import RuntimeConfigView
        from fusion.parse.parser import build_macro_registry
        from fusion.project.vars import Vars

        spec = self.adapter_spec
        project = self.project
        cache = self.parse_cache
        if cache is not None:
            from fusion.jinja.code_cache import CodeCache
            from fusion.jinja.environment import environment

            environment().code_cache = CodeCache(self.target_path / "fusion_template_code.marshal", cache.sealer)
        macros = build_macro_registry(project, spec.name, spec.macro_paths, spec.parents, self.packages,
                                      cache.macro_index if cache is not None else None)
        target = self.profile.public_target(self.adapter.target)
        target.setdefault("database", self.adapter.default_database)
        runtime = Runtime(
            macros=macros, project_name=project.name, adapter=self.adapter, target=target,
            vars=Vars.from_project(project.vars, {project.name, *(p.name for p in self.packages)},
                                   self.flags.vars, {p.name: p.vars for p in self.packages}),
            flags=self.flags.as_jinja_flags(), dispatch=project.dispatch,
            invocation_id=self.invocation_id, run_started_at=self.started_at,
            env=EnvReader(reads=self.env.reads, allow_secrets=False), target_path=str(self.target_path),
            runtime_config=RuntimeConfigView.of(project, self.packages, self.profile.name, self.profile.target_name,
                                                self.flags.vars, self.flags.as_jinja_flags()))
        if self.flags.defer or self.flags.which == "clone":
            runtime.defer = self._deferral(runtime)
        return runtime

    @functools.cached_property
    def parse_cache(self) -> ParseCache | None:
        """The parse cache in the target folder, with this invocation's inputs hashed; None
        without partial parsing or without a private folder for the user's key."""
        if not self.flags.partial_parse:
            return None
        from fusion.parse.cache import ParseCache, digest
        from fusion.sealed import user_sealer

        sealer = user_sealer()
        if sealer is None:
            return None
        spec = self.adapter_spec
        settings = sealer.digest(digest(spec.name, self.profile.public_target(), self.flags.vars, sys.version))
        cache = ParseCache.open(self.target_path, settings, sealer)
        cache.scan([*self.packages, self.project], spec.macro_paths)
        return cache

    @functools.cached_property
    def manifest(self) -> Manifest:
        from fusion.graph.dag import Graph
        from fusion.manifest.manifest import Manifest
        from fusion.parse.cache import RenderMemo
        from fusion.parse.parser import ProjectParser

        if self.session is not None and self.session.manifest is not None:  # parsed by an earlier command
            given = self.session.manifest
            given.macros = self.runtime.macros
            return given
        cache, memo = self.parse_cache, None
        self.selectors  # noqa: B018 - manifest.json lists them: a bad file fails the parse, its env_vars count
        if cache is not None:
            if self.body_edits is not None:
                cache.save_edits({edit.unique_id: edit.fields() for edit in self.body_edits})
            cached = cache.load_manifest()
            if cached is not None:
                cached.macros = self.runtime.macros
                return cached
            base = cache.render_base([*self.packages, self.project], self.adapter_spec.macro_paths)
            memo = RenderMemo(cache.load_renders(), base, self.runtime.env, cache.sealer.digest)
        manifest = Manifest(self.project.name, self.runtime.macros)
        parser = ProjectParser(self.project, self.runtime, manifest, self.packages, memo)
        manifest = parser.parse()
        with collector.paused():  # lists and dicts of ids: no cycles for a collection to find
            self.__dict__["graph"] = Graph.from_manifest(manifest)  # a cycle is a parse error: never cached
        if cache is not None:
            cache.save(manifest, memo.entries, self.env.reads, manifest.summary(), parser.models)
        return manifest

    @functools.cached_property
    def body_edits(self) -> list[BodyEdit] | None:
        """When only model texts changed since the last parse, and nothing they declare: the
        edits that bring its manifest up to date (see fusion.parse.edits); else None."""
        from fusion.parse.edits import find_body_edits

        cache = self.parse_cache
        if cache is None or (self.session is not None and self.session.manifest is not None):
            return None
        return find_body_edits(cache, self.runtime)

    @functools.cached_property
    def selectors(self) -> NamedSelectors:
        from fusion.graph.selector_yaml import NamedSelectors
        from fusion.project.selectors import load_selector_entries

        return NamedSelectors(load_selector_entries(self.project_dir, self.env.env_var, self.flags.vars))

    @functools.cached_property
    def graph(self) -> Graph:
        from fusion.graph.dag import Graph

        return Graph.from_manifest(self.manifest)

    @functools.cached_property
    def sql_writer(self):
        from fusion.sql_files import SqlWriter

        return SqlWriter(self.target_path)

    def cancel(self) -> list[str]:
        """Stop the warehouse statements running now (from any thread); see ``Adapter.cancel``."""
        return self.adapter.cancel() if "adapter" in self.__dict__ else []

    def close(self) -> None:
        """Release connections; wait for files being written (a write error is raised here)."""
        try:
            if "sql_writer" in self.__dict__:
                self.sql_writer.close()
        finally:
            if "adapter" in self.__dict__:
                self.adapter.close()
        if self.__dict__.get("parse_cache") is not None and "runtime" in self.__dict__:
            from fusion.jinja.environment import environment

            environment().code_cache.save()
