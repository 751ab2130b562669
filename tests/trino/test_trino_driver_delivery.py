"""The enterprise path: sign the built Trino driver into a repository of one's own, serve it on
loopback, trust it for the name ``trino`` only, and let the core's DriverManager verify and load it."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import adbc_driver_manager
import adbc_driver_manager.dbapi as dbapi
import pytest
from conftest import run_fusion
from driver_repo import manager, serve
from fusion import policy as policy_module
from fusion.drivers import DriverRequirement, open_database

from .driver import ENTRYPOINT

REPOSITORY = "acme"


def fusion_repo(*args) -> None:
    tool = Path(sys.executable).with_name("fusion-repo")
    done = subprocess.run([str(tool), *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def enterprise(tmp_path, monkeypatch, trino_driver):
    """acme's signed repository holding the built driver as ``trino`` 0.1.0, served on loopback."""
    monkeypatch.setenv("FUSION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(policy_module, "SYSTEM_POLICY", tmp_path / "system-policy.toml")
    monkeypatch.delenv("FUSION_REPOSITORIES", raising=False)
    (tmp_path / "config" / "fusion").mkdir(parents=True)
    keys, repo = tmp_path / "keys", tmp_path / "repo"
    keys.mkdir()
    for name in ("root-1", "root-2", "index-1"):
        fusion_repo("keygen", keys / name)
    fusion_repo("init", repo, "--name", REPOSITORY, "--root-key", keys / "root-1.pem", "--root-key",
                keys / "root-2.pem", "--root-threshold", 2, "--index-key", keys / "index-1.pub",
                "--index-threshold", 1)
    fusion_repo("add-driver", repo, "trino", "0.1.0", "--platform", "linux_amd64", "--entrypoint", ENTRYPOINT,
                "--license", "Apache-2.0", "--file", trino_driver)
    fusion_repo("sign", repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    server = serve(repo)
    server.root_sha256 = hashlib.sha256((repo / "root" / "1.root.json").read_bytes()).hexdigest()
    yield server
    server.httpd.shutdown()


def test_trusted_for_trino_it_is_verified_and_loaded_on_first_use(tmp_path, enterprise, standin):
    added = run_fusion(tmp_path, "trust", "add", enterprise.url, "--name", REPOSITORY, "--root-sha256",
                       enterprise.root_sha256, "--delegate", "trino")
    assert added.code == 0, added.output
    assert json.loads((tmp_path / "config" / "fusion" / "repositories.json").read_text())[0]["delegate"] == ["trino"]
    trusted = manager()  # a new manager: the process-wide one was made before this test's trust entry
    assert trusted.select("trino").label == f"trino 0.1.0 from {REPOSITORY!r}"
    database = open_database(DriverRequirement("trino"), {"uri": standin.url, "username": "fusion"}, trusted)
    with dbapi.Connection(database, adbc_driver_manager.AdbcConnection(database), autocommit=True) as conn:
        assert conn.cursor().execute("select 'verified'").fetchall() == [("verified",)]
    assert list((tmp_path / "cache").rglob("libadbc_driver_trino.so"))

