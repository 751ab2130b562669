"""``@available``: an adapter (a third-party one too) exposes a method to templates by marking it,
with no core edit; what is not marked stays out of the sandbox."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import query, write_project
from fusion.api import FusionRunner
from fusion.available import available
from fusion.errors import CompilationError
from fusion.hookspecs import hookimpl
from fusion.plugins import get_plugins
from fusion_duckdb import DuckDBAdapter


class GreeterAdapter(DuckDBAdapter):
    type_name = "greeter"

    @available(parsing="(parsing)")
    def greeting(self, name: str) -> str:
        return f"hello {name} from {self.type_name}"

    def secret(self) -> str:  # not marked: templates cannot call it
        return "s3cr3t"


class GreeterPlugin:
    @hookimpl
    def fusion_register_adapters(self, register):
        import fusion_duckdb

        fusion_duckdb.fusion_register_adapters(lambda spec: register(dataclasses.replace(
            spec, name="greeter", adapter_class=GreeterAdapter, parents=("duckdb",))))


@pytest.fixture
def greeter(tmp_path):
    get_plugins().register(GreeterPlugin(), "greeter_plugin", "greeter-dist", "1.0")
    yield
    get_plugins().unregister("greeter_plugin")


def _project(tmp_path, model: str):
    project = write_project(tmp_path, {"models/m.sql": model}, profile_path=str(tmp_path / "d.duckdb"))
    profiles = project / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("type: duckdb", "type: greeter"))
    return project


def test_a_marked_method_of_a_plugin_adapter_is_callable_from_templates(tmp_path, greeter):
    project = _project(tmp_path, "{{ config(meta={'at_parse': adapter.greeting('p')}) }}\n"
                                 "select '{{ adapter.greeting('you') }}' as g\n")
    res = FusionRunner().invoke(["run", "--project-dir", str(project)])
    assert res.success, res.exception
    assert query(tmp_path / "d.duckdb", "select g from main.m") == [("hello you from greeter",)]
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert manifest["nodes"]["model.proj.m"]["config"]["meta"] == {"at_parse": "(parsing)"}  # not run at parse


@pytest.mark.parametrize("reach", ["adapter.secret()", "adapter.connection()", "adapter.credentials.items()",
                                   "adapter._adapter", "adapter.spec.name", "adapter.cursor()",
                                   "adapter.greeting.__self__", "adapter.list_relations('d', 'main')"])
def test_what_is_not_marked_is_refused_by_the_sandbox(tmp_path, greeter, reach):
    project = _project(tmp_path, f"select {{{{ {reach} }}}} as x\n")
    res = FusionRunner().invoke(["run", "--project-dir", str(project)])
    error = res.exception or next(r for r in res.result if r.status == "error").message
    assert ("is unsafe" in str(error) or "has no attribute" in str(error)) and "s3cr3t" not in str(error), error
    assert isinstance(error, CompilationError) and error.path == "models/m.sql", error
