"""Loading: the example build goes through verification; tampering stops the next run;
the bytes hashed are the bytes loaded; fd-path reuse never returns the wrong library;
a repository made with fusion-repo is trusted by fusion-core."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import run_fusion
from driver_repo import serve, sqlite_library
from fusion.drivers import loader
from fusion.drivers.loader import VerifiedLibrary, load_entrypoint


def _tiny_library(folder, value: int):
    source = folder / f"lib{value}.c"
    source.write_text(textwrap.dedent(f"""
        int TinyInit(void) {{ return {value}; }}
    """))
    path = folder / f"lib{value}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(path), str(source)], check=True)
    os.chmod(path, 0o400)
    return path


def _verified(path) -> VerifiedLibrary:
    data = path.read_bytes()
    return VerifiedLibrary(path, hashlib.sha256(data).hexdigest(), len(data), "TinyInit", path.name)


def _call(address: int) -> int:
    return ctypes.CFUNCTYPE(ctypes.c_int)(address)()


def test_file_swapped_between_hash_and_load_is_not_what_loads(tmp_path, monkeypatch):
    good, evil = _tiny_library(tmp_path, 11), _tiny_library(tmp_path, 99)
    library = _verified(good)
    original = loader._hash_fd

    def hash_then_swap(fd):
        digest = original(fd)
        os.replace(evil, good)  # the attacker wins the race on the path
        return digest

    monkeypatch.setattr(loader, "_hash_fd", hash_then_swap)
    assert _call(load_entrypoint(library)) == 11


def test_reused_descriptor_numbers_never_return_an_earlier_library(tmp_path):
    first, second = _tiny_library(tmp_path, 21), _tiny_library(tmp_path, 42)
    assert _call(load_entrypoint(_verified(first))) == 21
    assert _call(load_entrypoint(_verified(second))) == 42


@pytest.mark.slow
def test_build_loads_only_a_verified_driver_and_tampering_stops_the_next_run(shop, tmp_path):
    environment = {**os.environ, "FUSION_CACHE_DIR": str(tmp_path / "cache")}
    first = run_fusion(shop, "seed", "-s", "raw_customers", env=environment)
    assert first.code == 0, first.output
    [library] = (tmp_path / "cache" / "libs").rglob("_duckdb*.so")
    os.chmod(library, 0o600)
    with open(library, "r+b") as handle:
        handle.seek(4096)
        byte = handle.read(1)
        handle.seek(4096)
        handle.write(bytes([byte[0] ^ 1]))
    os.chmod(library, 0o400)
    second = run_fusion(shop, "seed", "-s", "raw_customers", env=environment)
    assert second.code != 0
    assert "Traceback" not in second.output
    assert "refusing to load duckdb" in second.output and "fusion drivers install" in second.output


def test_repository_made_with_fusion_repo_is_trusted_by_fusion_core(tmp_path):
    repo_tool = [sys.executable, "-m", "fusion_signing"]
    keys = tmp_path / "keys"
    keys.mkdir()
    for name in ("root", "index"):
        subprocess.run([*repo_tool, "keygen", str(keys / name)], check=True, capture_output=True)
    repo = tmp_path / "repo"
    lib, entrypoint = sqlite_library()
    lib_file = tmp_path / "libcommunity.so"
    lib_file.write_bytes(lib)
    steps = [
        ["init", str(repo), "--name", "community.acme", "--root-key", str(keys / "root.pem"),
         "--root-threshold", "1", "--index-key", str(keys / "index.pub"), "--index-threshold", "1",
         "--expires-days", "30"],
        ["add-driver", str(repo), "acmedb", "1.0.0", "--platform", "linux_amd64", "--entrypoint", entrypoint,
         "--file", str(lib_file)],
        ["sign", str(repo), "--key", str(keys / "index.pem"), "--expires-days", "30"],
    ]
    for step in steps:
        done = subprocess.run([*repo_tool, *step], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    server = serve(repo)
    try:
        environment = {**os.environ, "FUSION_CACHE_DIR": str(tmp_path / "cache"),
                       "XDG_CONFIG_HOME": str(tmp_path / "config")}
        root_sha = hashlib.sha256((repo / "root" / "1.root.json").read_bytes()).hexdigest()
        wrong = run_fusion(tmp_path, "trust", "add", server.url, "--name", "community.acme",
                           "--root-sha256", "0" * 64, env=environment)
        assert wrong.code == 2 and "does not match the pinned sha256" in wrong.output
        added = run_fusion(tmp_path, "trust", "add", server.url, "--name", "community.acme",
                           "--root-sha256", root_sha, env=environment)
        assert added.code == 0, added.output
        installed = run_fusion(tmp_path, "drivers", "install", "acmedb", env=environment)
        assert installed.code == 0, installed.output
        assert "acmedb 1.0.0 from 'community.acme'" in installed.stdout
        listed = json.loads((tmp_path / "config" / "fusion" / "repositories.json").read_text())
        assert listed == [{"name": "community.acme", "url": server.url, "root_sha256": root_sha}]
    finally:
        server.httpd.shutdown()
