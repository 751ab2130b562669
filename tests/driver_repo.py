"""Test support: throwaway signed driver repositories served from a real loopback HTTP server.

Repositories are written with ``fusion.trust``'s own signing function and keys generated here,
so these tests do not depend on the ``fusion-repo`` tool.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import http.server
import importlib.metadata
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fusion import policy as policy_module
from fusion.drivers.cache import DriverCache
from fusion.drivers.manager import DriverManager
from fusion.policy import load_policy
from fusion.trust.envelope import INDEX_TYPE, ROOT_TYPE, key_id, public_key_bytes, sign_envelope
from fusion.trust.metadata import format_time


def sqlite_library() -> tuple[bytes, str]:
    """A real, small ADBC driver (adbc-driver-sqlite) and its entrypoint."""
    dist = importlib.metadata.distribution("adbc-driver-sqlite")
    path = Path(dist.locate_file("adbc_driver_sqlite/libadbc_driver_sqlite.so"))
    return path.read_bytes(), "AdbcDriverSqliteInit"


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def kid(key: Ed25519PrivateKey) -> str:
    return key_id(public_key_bytes(key.public_key()))


def later(days: int = 30) -> str:
    return format_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=days))


@dataclass
class SignedRepo:
    folder: Path
    name: str = "testrepo"
    root_keys: list[Ed25519PrivateKey] = field(default_factory=lambda: [new_key(), new_key(), new_key()])
    index_keys: list[Ed25519PrivateKey] = field(default_factory=lambda: [new_key()])
    root_version: int = 0
    index_version: int = 0
    url: str = ""

    def root_payload(self, version: int, root_keys, index_keys, threshold: int = 2, expires: str | None = None,
                     repository: str | None = None) -> bytes:
        keys = {kid(k): {"keytype": "ed25519", "public": public_key_bytes(k.public_key()).hex()}
                for k in [*root_keys, *index_keys]}
        return json.dumps({
            "_type": "root", "spec_version": "1", "repository": repository or self.name, "version": version,
            "expires": expires or later(365), "keys": keys,
            "roles": {"root": {"keyids": [kid(k) for k in root_keys], "threshold": threshold},
                      "index": {"keyids": [kid(k) for k in index_keys], "threshold": 1}},
        }).encode()

    def write_root(self, signers=None, **kwargs) -> bytes:
        self.root_version += 1
        payload = self.root_payload(self.root_version, self.root_keys, self.index_keys, **kwargs)
        raw = sign_envelope(ROOT_TYPE, payload, signers if signers is not None else self.root_keys[:2])
        (self.folder / "root").mkdir(parents=True, exist_ok=True)
        (self.folder / "root" / f"{self.root_version}.root.json").write_bytes(raw)
        return raw

    @property
    def root1_sha256(self) -> str:
        return hashlib.sha256((self.folder / "root" / "1.root.json").read_bytes()).hexdigest()

    def add_blob(self, data: bytes, lib_name: str = "libtest_driver.so") -> dict:
        sha = hashlib.sha256(data).hexdigest()
        rel = f"blobs/{sha}/{lib_name}"
        (self.folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.folder / rel).write_bytes(data)
        return {"source": "https", "url": rel, "length": len(data), "sha256": sha, "lib_name": lib_name,
                "lib_length": len(data), "lib_sha256": sha}

    def index_payload(self, drivers: dict, version: int | None = None, expires: str | None = None,
                      repository: str | None = None, root_version: int | None = None) -> bytes:
        return json.dumps({
            "_type": "driver-index", "spec_version": "1", "repository": repository or self.name,
            "version": version if version is not None else self.index_version, "expires": expires or later(),
            "root_version": root_version if root_version is not None else self.root_version,
            "drivers": drivers,
        }).encode()

    def write_index(self, drivers: dict, signers=None, payload_type: str = INDEX_TYPE, **kwargs) -> bytes:
        self.index_version += 1
        raw = sign_envelope(payload_type, self.index_payload(drivers, **kwargs),
                            signers if signers is not None else self.index_keys)
        (self.folder / "index.json").write_bytes(raw)
        return raw


def driver_entry(artifact: dict, entrypoint: str, version: str = "1.0.0", platform: str = "linux_amd64",
                 yanked: bool = False, minimum: str = "0") -> dict:
    return {"minimum_version": minimum, "versions": {version: {
        "entrypoint": entrypoint, "adbc_api": "1.1.0", "license": "Apache-2.0", "yanked": yanked,
        "artifacts": {platform: artifact}}}}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    endless_paths: set[str] = set()
    redirects: dict[str, str] = {}  # path -> Location

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.lstrip("/") in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path.lstrip("/")])
            self.end_headers()
            return
        if self.path.lstrip("/") in self.endless_paths:
            self.send_response(200)
            self.end_headers()
            chunk = b"\0" * 65536
            try:
                for _ in range(10_000):  # bounded: ~650 MB at most, the client must stop first
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        super().do_GET()


@dataclass
class Server:
    httpd: http.server.ThreadingHTTPServer
    handler: type

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://127.0.0.1:{port}"


def serve(folder: Path) -> Server:
    handler = type("Handler", (_Quiet,), {"endless_paths": set(), "redirects": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return Server(httpd, handler)


DRIVER = "testsqlite"


@pytest.fixture
def env(tmp_path, monkeypatch, cli_process):
    """Isolated cache, user config and system policy; only the test repository is allowed (the
    CLI runs in child processes, which read them)."""
    monkeypatch.setenv("FUSION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(policy_module, "SYSTEM_POLICY", tmp_path / "system-policy.toml")
    monkeypatch.delenv("FUSION_REPOSITORIES", raising=False)
    monkeypatch.delenv("FUSION_OFFLINE", raising=False)
    (tmp_path / "config" / "fusion").mkdir(parents=True)
    (tmp_path / "config" / "fusion" / "policy.toml").write_text('repositories = ["testrepo"]\n')
    return tmp_path


@pytest.fixture
def repo(env, monkeypatch):
    repo = SignedRepo(env / "repo")
    repo.write_root()
    server = serve(repo.folder)
    repo.url = server.url
    repo.server = server
    lib, entrypoint = sqlite_library()
    repo.lib, repo.entrypoint = lib, entrypoint
    repo.artifact = repo.add_blob(lib)
    repo.write_index({DRIVER: driver_entry(repo.artifact, entrypoint)})
    monkeypatch.setenv("FUSION_REPOSITORIES", json.dumps(
        [{"name": repo.name, "url": repo.url, "root_sha256": repo.root1_sha256}]))
    yield repo
    server.httpd.shutdown()


def manager(**policy_overrides) -> DriverManager:
    policy = load_policy()
    for key, value in policy_overrides.items():
        setattr(policy, key, value)
    return DriverManager(policy=policy, cache=DriverCache())


def cached_files(env) -> list[str]:
    """Library and temp files in the cache (metadata and locks do not count)."""
    root = env / "cache"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and ({"libs", "tmp"} & set(p.relative_to(root).parts)))
