"""Every hookspec, honoured for a third-party plugin registered as an entry point would be.

(``fusion_register_materializations`` and ``fusion_register_commands`` are in test_plugins.py.)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from contextlib import redirect_stderr

import pytest
from conftest import query, write_project
from driver_repo import DRIVER, driver_entry, manager
from fusion.api import FusionRunner
from fusion.console import DownloadProgress
from fusion.events import Event
from fusion.hookspecs import hookimpl
from fusion.invocation import registered_adapters
from fusion.plugins import get_plugins
from fusion.trust.errors import TrustError


@pytest.fixture
def register_plugin():
    """Register plugin objects for one test, as if installed (``get_plugins()`` is process-wide)."""
    names = []

    def register(plugin, name):
        get_plugins().register(plugin, name, "third-party-dist", "1.0")
        names.append(name)

    yield register
    for name in names:
        get_plugins().unregister(name)


class AliasAdapter:
    calls = 0

    @hookimpl
    def fusion_register_adapters(self, register):
        import fusion_duckdb

        AliasAdapter.calls += 1
        fusion_duckdb.fusion_register_adapters(lambda spec: register(
            dataclasses.replace(spec, name="duckling", parents=("duckdb",))))


def test_third_party_adapter_is_used_and_registered_once(tmp_path, register_plugin):
    register_plugin(AliasAdapter(), "alias_adapter")
    AliasAdapter.calls = 0
    assert registered_adapters()["duckling"].dialect == "duckdb"
    assert "duckling" in registered_adapters() and AliasAdapter.calls == 1  # the registry is built once
    (owned,) = get_plugins().registry.by_plugin("alias_adapter")
    assert (owned.hook, owned.item.name) == ("fusion_register_adapters", "duckling")
    project = write_project(tmp_path, {"models/m.sql": "select 7 as x\n"}, profile_path=str(tmp_path / "d.duckdb"))
    profiles = project / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("type: duckdb", "type: duckling"))
    res = FusionRunner().invoke(["run", "--project-dir", str(project)])
    assert res.success, res.exception
    assert query(tmp_path / "d.duckdb", "select x from main.m") == [(7,)]


class Observer:
    def __init__(self):
        self.settings = []
        self.events: list[Event] = []

    @hookimpl
    def fusion_register_event_listeners(self, register, settings):
        self.settings.append(settings)
        register(self.events.append)


def test_third_party_listener_observes_nodes_with_the_output_settings(tmp_path, register_plugin):
    observer = Observer()
    register_plugin(observer, "observer")
    project = write_project(tmp_path, {"models/m.sql": "select 1 as x\n"}, profile_path=str(tmp_path / "d.duckdb"))
    res = FusionRunner().invoke(["run", "--project-dir", str(project), "--log-format", "json", "-q"])
    assert res.success, res.exception
    assert [(s.log_format, s.quiet) for s in observer.settings] == [("json", True)]
    nodes = [(e.name, e.data["node_info"]["unique_id"]) for e in observer.events if "node_info" in e.data]
    assert nodes == [(name, "model.proj.m") for name in ("NodeStart", "LogStartLine", "LogModelResult", "NodeFinished")]


class Vault:
    """A third-party driver source (an enterprise store); ``served`` is what it returns."""

    def __init__(self, served: bytes):
        self.served = served

    @hookimpl
    def fusion_register_driver_sources(self, register):
        from fusion.drivers.sources import DriverSource

        register(DriverSource("vault", lambda artifact, repository: self.served))


def test_third_party_driver_source_serves_a_signed_library(repo, register_plugin):
    sha = hashlib.sha256(repo.lib).hexdigest()
    artifact = {"source": "vault", "url": "drivers/sqlite", "length": len(repo.lib), "sha256": sha,
                "lib_name": "libvault.so", "lib_length": len(repo.lib), "lib_sha256": sha}
    repo.write_index({DRIVER: driver_entry(artifact, repo.entrypoint)})
    with pytest.raises(TrustError, match="no driver source named 'vault'"):
        manager().library(DRIVER)
    vault = Vault(repo.lib[:-1] + b"!")
    register_plugin(vault, "vault")
    with pytest.raises(TrustError, match="does not match the signed index"):  # a source is not trusted
        manager().library(DRIVER)
    vault.served = repo.lib
    assert manager().library(DRIVER).path.read_bytes() == repo.lib


def test_download_progress_is_one_line_on_a_terminal():
    err = io.StringIO()
    with redirect_stderr(err):
        for done in (50, 100):
            DownloadProgress(isatty=lambda: True)(Event("DriverDownloadProgress", "", "debug",
                                                        {"downloaded_bytes": done * 10**6, "total_bytes": 10**8}))
        DownloadProgress(isatty=lambda: False)(Event("DriverDownloadProgress", "", "debug",
                                                     {"downloaded_bytes": 1, "total_bytes": 2}))
    assert err.getvalue() == "\r  downloading   50.0 / 100.0 MB\r  downloading  100.0 / 100.0 MB\n"
