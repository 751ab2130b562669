"""The Redshift adapter's driver comes from a signed repository on first use and is verified on
every load: here a loopback repository (tests/driver_repo.py) serving the real postgresql driver."""

from __future__ import annotations

import importlib.metadata
import json
import os
from pathlib import Path

import pytest
from conftest import run_fusion
from driver_repo import SignedRepo, driver_entry, serve
from servers import write_target_project

pytestmark = pytest.mark.postgres


def test_driver_fetched_and_verified_on_first_use_postgres_standin(env, monkeypatch, tmp_path, redshift_target,
                                                                   standin_shims):
    dist = importlib.metadata.distribution("adbc-driver-postgresql")
    library = Path(dist.locate_file("adbc_driver_postgresql/libadbc_driver_postgresql.so")).read_bytes()
    repo = SignedRepo(env / "repo")
    repo.write_root()
    artifact = repo.add_blob(library, "libadbc_driver_postgresql.so")
    repo.write_index({"postgresql": driver_entry(artifact, "AdbcDriverPostgresqlInit", version=dist.version)})
    server = serve(repo.folder)
    monkeypatch.setenv("FUSION_REPOSITORIES", json.dumps(
        [{"name": repo.name, "url": server.url, "root_sha256": repo.root1_sha256}]))
    project = write_target_project(tmp_path / "p", {"models/one.sql": "select 1 as id\n"}, redshift_target)
    try:
        first = run_fusion(project, "run")
        assert first.code == 0, first.output
        [cached] = (env / "cache" / "libs").rglob("libadbc_driver_postgresql.so")
        os.chmod(cached, 0o600)
        with open(cached, "r+b") as handle:  # tampered with after it was verified and stored
            handle.seek(4096)
            byte = handle.read(1)
            handle.seek(4096)
            handle.write(bytes([byte[0] ^ 1]))
        second = run_fusion(project, "run")
    finally:
        server.httpd.shutdown()
    assert second.code != 0 and "Traceback" not in second.output
    assert "refusing to load postgresql" in second.output
