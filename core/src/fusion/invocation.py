"""One command's state: flags -> project -> profile -> adapter -> manifest -> graph.

Each stage is computed once, on first use, and flows one way (files to results).
"""

from __future__ import annotations

import datetime
import functools
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytz

from fusion.adapter import Adapter, AdapterSpec
from fusion.errors import PluginError
from fusion.graph.dag import Graph
from fusion.jinja.context import Runtime
from fusion.manifest.manifest import Manifest
from fusion.materializations import Materialization
from fusion.plugins import get_plugins
from fusion.project.env import EnvReader
from fusion.project.profile import Profile, load_profile
from fusion.project.project import Project, load_project
from fusion.project.vars import Vars


@dataclass
class Flags:
    which: str
    project_dir: str | None = None
    profiles_dir: str | None = None
    target: str | None = None
    threads: int | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ()
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

    def as_args(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    def as_jinja_flags(self) -> dict[str, Any]:
        return {"FULL_REFRESH": self.full_refresh, "WHICH": self.which, "FAIL_FAST": self.fail_fast,
                "TARGET_PATH": self.target_path, "STORE_FAILURES": self.store_failures,
                "WRITE_JSON": self.write_json, "EMPTY": self.empty,
                "EVENT_TIME_START": self.event_time_start, "EVENT_TIME_END": self.event_time_end}


def registered_adapters() -> dict[str, AdapterSpec]:
    specs: dict[str, AdapterSpec] = {}
    get_plugins().hook.fusion_register_adapters(register=lambda spec: specs.__setitem__(spec.name, spec))
    return specs


def registered_materializations() -> list[Materialization]:
    found: list[Materialization] = []
    get_plugins().hook.fusion_register_materializations(register=found.append)
    return found


class Invocation:
    def __init__(self, flags: Flags):
        self.flags = flags
        self.invocation_id = str(uuid.uuid4())
        self.started_at = datetime.datetime.now(pytz.utc)
        self.project_dir = Path(flags.project_dir or os.getcwd()).resolve()
        self.env = EnvReader()

    # --- loading, in order -------------------------------------------------------------
    @functools.cached_property
    def project(self) -> Project:
        return load_project(self.project_dir, self.env.env_var, self.flags.vars)

    @functools.cached_property
    def packages(self) -> list[Project]:
        from fusion.project.packages import load_packages

        return load_packages(self.project, self.env.env_var, self.flags.vars)

    @functools.cached_property
    def profile(self) -> Profile:
        return load_profile(self.project.profile, self.project_dir, self.flags.profiles_dir,
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
        spec = self.adapter_spec
        return spec.adapter_class(spec, self.profile.target, self.profile.path, self.drivers,
                                  quoting=self.project.quoting)

    @functools.cached_property
    def drivers(self):
        from fusion.drivers.manager import DriverManager

        return DriverManager(project_dir=self.project_dir)

    @functools.cached_property
    def target_path(self) -> Path:
        return self.project_dir / (self.flags.target_path or self.project.target_path)

    @functools.cached_property
    def runtime(self) -> Runtime:
        from fusion.parse.parser import build_macro_registry

        spec = self.adapter_spec
        project = self.project
        macros = build_macro_registry(project, spec.name, spec.macro_paths, spec.parents, self.packages)
        target = self.profile.public_target()
        target.setdefault("database", self.adapter.default_database)
        return Runtime(
            macros=macros, project_name=project.name, adapter=self.adapter, target=target,
            vars=Vars.from_project(project.vars, {project.name, *(p.name for p in self.packages)},
                                   self.flags.vars, {p.name: p.vars for p in self.packages}),
            flags=self.flags.as_jinja_flags(), dispatch=project.dispatch,
            invocation_id=self.invocation_id, run_started_at=self.started_at,
            env=EnvReader(reads=self.env.reads, allow_secrets=False))

    @functools.cached_property
    def manifest(self) -> Manifest:
        from fusion.parse.parser import ProjectParser

        manifest = Manifest(self.project.name, self.runtime.macros)
        return ProjectParser(self.project, self.runtime, manifest, self.packages).parse()

    @functools.cached_property
    def graph(self) -> Graph:
        return Graph.from_manifest(self.manifest)

    def close(self) -> None:
        if "adapter" in self.__dict__:
            self.adapter.close()
