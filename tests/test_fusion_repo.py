"""fusion-repo (fusion-signing): build, sign, rotate and verify a driver repository.

Throwaway keys in temp folders; no network (wheels are built here and passed with --wheel-file).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fusion.trust.envelope import ROOT_TYPE, sign_envelope
from fusion.trust.metadata import load_index, load_root_self_signed, update_root
from fusion_signing.cli import cli
from fusion_signing.keys import load_signing_key

REPO_TOP = Path(__file__).resolve().parent.parent
OFFICIAL = REPO_TOP / "core" / "src" / "fusion" / "trust" / "official"
OFFICIAL_KEYS = REPO_TOP.parent / "shared" / "keys" / "official"


def repo_cli(*args: str, code: int = 0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def keys(tmp_path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    for name in ("root-1", "root-2", "root-3", "index-1", "new-1", "new-2"):
        repo_cli("keygen", folder / name)
    return folder


@pytest.fixture
def library(tmp_path) -> Path:
    path = tmp_path / "libadbc_driver_demo.so"
    path.write_bytes(b"\x7fELF" + os.urandom(4096))
    return path


def init_repo(tmp_path: Path, keys: Path) -> Path:
    repo = tmp_path / "repo"
    repo_cli("init", repo, "--name", "acme",
             "--root-key", keys / "root-1.pem", "--root-key", keys / "root-2.pem", "--root-key", keys / "root-3.pub",
             "--root-threshold", 2, "--index-key", keys / "index-1.pub", "--index-threshold", 1,
             "--expires-days", 30)
    return repo


@pytest.fixture
def signed_repo(tmp_path, keys, library) -> Path:
    repo = init_repo(tmp_path, keys)
    repo_cli("add-driver", repo, "demo", "1.0.0", "--platform", "linux_amd64", "--entrypoint", "AdbcDriverDemoInit",
             "--file", library, "--license", "Apache-2.0", "--minimum-version", "1.0")
    repo_cli("sign", repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    return repo


def index_payload(repo: Path) -> dict:
    return json.loads(base64.b64decode(json.loads((repo / "index.json").read_bytes())["payload"]))


def test_keygen_writes_a_private_pem_0600_and_a_hex_public_key(keys):
    pem, pub = keys / "root-1.pem", keys / "root-1.pub"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub.read_text().strip() == load_signing_key(str(pem)).public.hex
    result = repo_cli("keygen", keys / "root-1", code=2)
    assert "already exists" in result.output


def test_init_add_sign_verify_round_trip(signed_repo, library):
    root_raw = (signed_repo / "root" / "1.root.json").read_bytes()
    root = load_root_self_signed(root_raw)
    assert (root.roles["root"].threshold, len(root.roles["root"].keyids)) == (2, 3)
    index = load_index((signed_repo / "index.json").read_bytes(), root)
    artifact = index.drivers["demo"]["versions"]["1.0.0"].artifacts["linux_amd64"]
    digest = hashlib.sha256(library.read_bytes()).hexdigest()
    assert (artifact.source, artifact.url, artifact.lib_sha256) == ("https", f"blobs/{digest}/{library.name}", digest)
    assert (signed_repo / artifact.url).read_bytes() == library.read_bytes()
    assert index.drivers["demo"]["minimum_version"] == "1.0"
    out = repo_cli("verify", signed_repo, "--root-sha256", hashlib.sha256(root_raw).hexdigest()).output
    assert "blob ok" in out and out.rstrip().endswith("OK")
    assert "not the pinned" in repo_cli("verify", signed_repo, "--root-sha256", "0" * 64, code=2).output


def test_a_tampered_index_fails_verify(signed_repo):
    envelope = json.loads((signed_repo / "index.json").read_bytes())
    payload = bytearray(base64.b64decode(envelope["payload"]))
    at = payload.index(b'"Apache-2.0"') + 1
    payload[at] ^= 0x20  # one byte of the license: still valid JSON, no longer what was signed
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    (signed_repo / "index.json").write_text(json.dumps(envelope))
    out = repo_cli("verify", signed_repo, code=2).output
    assert "0 valid signature(s)" in out


def test_a_flipped_byte_in_index_json_fails_verify(signed_repo):
    raw = bytearray((signed_repo / "index.json").read_bytes())
    at = raw.index(b'"payload": "') + 40
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    (signed_repo / "index.json").write_bytes(bytes(raw))
    repo_cli("verify", signed_repo, code=2)


def test_a_replaced_blob_fails_verify(signed_repo):
    (blob,) = (signed_repo / "blobs").rglob("*.so")
    blob.write_bytes(blob.read_bytes()[:-1] + b"X")
    assert "does not match the index" in repo_cli("verify", signed_repo, code=2).output


def test_sign_twice_increments_the_version_and_never_goes_back(signed_repo, keys):
    assert index_payload(signed_repo)["version"] == 1
    repo_cli("sign", signed_repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    assert index_payload(signed_repo)["version"] == 2
    out = repo_cli("sign", signed_repo, "--key", keys / "index-1.pem", "--expires-days", 7, "--version", 2,
                   code=2).output
    assert "not above the current index version 2" in out
    out = repo_cli("sign", signed_repo, "--key", keys / "root-1.pem", "--expires-days", 7, code=2).output
    assert "not an index key" in out


def test_yank_is_signed_into_the_index(signed_repo, keys):
    repo_cli("yank", signed_repo, "demo", "1.0.0")
    repo_cli("sign", signed_repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    assert index_payload(signed_repo)["drivers"]["demo"]["versions"]["1.0.0"]["yanked"] is True
    assert "yanked" in repo_cli("verify", signed_repo).output


def test_rotate_root_verifies_and_half_signed_roots_are_rejected(signed_repo, keys):
    out = repo_cli("rotate-root", signed_repo, "--old-key", keys / "root-1.pem", "--new-key", keys / "new-1.pem",
                   code=2).output  # one old key is below the threshold of 2
    assert "needs 2 distinct root key(s)" in out
    repo_cli("rotate-root", signed_repo, "--old-key", keys / "root-1.pem", "--old-key", keys / "root-2.pem",
             "--new-key", keys / "new-1.pem", "--new-key", keys / "new-2.pem", "--new-root-threshold", 2)
    assert "made for root v1" in repo_cli("verify", signed_repo, code=2).output
    repo_cli("sign", signed_repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    assert "roots 1..2 verified" in repo_cli("verify", signed_repo).output
    assert index_payload(signed_repo)["root_version"] == 2

    root1 = load_root_self_signed((signed_repo / "root" / "1.root.json").read_bytes())
    root2_raw = (signed_repo / "root" / "2.root.json").read_bytes()
    update_root(root1, root2_raw)
    payload = base64.b64decode(json.loads(root2_raw)["payload"])
    signer = {name: load_signing_key(str(keys / f"{name}.pem")).private for name in ("root-1", "root-2", "new-1",
                                                                                    "new-2")}
    for only in (("new-1", "new-2"), ("root-1", "root-2")):
        (signed_repo / "root" / "2.root.json").write_bytes(sign_envelope(ROOT_TYPE, payload,
                                                                         [signer[n] for n in only]))
        out = repo_cli("verify", signed_repo, code=2).output
        assert "valid signature(s)" in out and "root v2" in out
    (signed_repo / "root" / "2.root.json").write_bytes(root2_raw)
    repo_cli("verify", signed_repo)


def test_a_gap_in_the_root_chain_is_refused(signed_repo, keys):
    (signed_repo / "root" / "3.root.json").write_bytes((signed_repo / "root" / "1.root.json").read_bytes())
    assert "missing" in repo_cli("verify", signed_repo, code=2).output


def _wheel(folder: Path, lib: bytes, recorded: bytes | None = None) -> Path:
    """A minimal wheel whose RECORD vouches for ``recorded`` (default: the library itself)."""
    name, version = "adbc_driver_demo", "1.0.0"
    path = folder / f"{name}-{version}-py3-none-manylinux_2_28_x86_64.whl"
    member, info = f"{name}/lib{name}.so", f"{name}-{version}.dist-info"
    digest = base64.urlsafe_b64encode(hashlib.sha256(recorded or lib).digest()).rstrip(b"=").decode()
    files = {member: lib, f"{info}/METADATA": b"Metadata-Version: 2.1\nName: adbc-driver-demo\nVersion: 1.0.0\n",
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: py3-none-manylinux_2_28_x86_64\n"}
    record = "".join(f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},"
                     f"{len(d)}\n" for n, d in files.items() if n != member)
    record += f"{member},sha256={digest},{len(lib)}\n{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for n, d in {**files, f"{info}/RECORD": record.encode()}.items():
            archive.writestr(n, d)
    return path


def test_add_driver_from_a_wheel_records_wheel_and_member(tmp_path, keys):
    repo = init_repo(tmp_path, keys)
    lib = b"\x7fELF" + os.urandom(2048)
    wheel = _wheel(tmp_path, lib)
    repo_cli("add-driver", repo, "demo", "1.0.0", "--platform", "linux_amd64", "--entrypoint", "AdbcDriverDemoInit",
             "--wheel-file", wheel, "--wheel", "adbc-driver-demo==1.0.0", "--member", "*/lib*.so")
    repo_cli("sign", repo, "--key", keys / "index-1.pem", "--expires-days", 7)
    artifact = index_payload(repo)["drivers"]["demo"]["versions"]["1.0.0"]["artifacts"]["linux_amd64"]
    assert artifact == {"source": "pypi", "url": wheel.name, "length": wheel.stat().st_size,
                        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "wheel": "adbc-driver-demo==1.0.0",
                        "member": "adbc_driver_demo/libadbc_driver_demo.so", "lib_name": "libadbc_driver_demo.so",
                        "lib_length": len(lib), "lib_sha256": hashlib.sha256(lib).hexdigest()}
    assert "wheel ok" in repo_cli("verify", repo, "--wheel-dir", tmp_path).output
    out = repo_cli("add-driver", repo, "demo", "1.0.0", "--platform", "macos_arm64", "--entrypoint",
                   "AdbcDriverDemoInit", "--wheel-file", wheel, "--member", "*.so", code=2).output
    assert "do not match platform 'macos_arm64'" in out


def test_a_record_mismatch_is_refused(tmp_path, keys):
    repo = init_repo(tmp_path, keys)
    wheel = _wheel(tmp_path, b"\x7fELF real library", recorded=b"\x7fELF something else")
    out = repo_cli("add-driver", repo, "demo", "1.0.0", "--platform", "linux_amd64", "--entrypoint",
                   "AdbcDriverDemoInit", "--wheel-file", wheel, "--member", "*.so", code=2).output
    assert "differs from the one in adbc_driver_demo-1.0.0.dist-info/RECORD" in out
    assert json.loads((repo / "index.unsigned.json").read_text())["drivers"] == {}


@pytest.mark.parametrize("args", [
    ("verify", "{tmp}/nowhere"),
    ("verify", "{repo}"),
    ("sign", "{repo}", "--key", "{repo}/index.json", "--expires-days", "1"),
    ("add-driver", "{repo}", "Bad Name", "1", "--platform", "linux_amd64", "--entrypoint", "X", "--file", "/dev/null"),
])
def test_errors_are_one_line_without_traceback(signed_repo, tmp_path, args):
    (signed_repo / "index.json").write_text("{not json")
    argv = [a.format(tmp=tmp_path, repo=signed_repo) for a in args]
    proc = subprocess.run([sys.executable, "-m", "fusion_signing", *argv], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr


def test_the_official_repository_verifies_with_fusion_trust():
    root_raw = (OFFICIAL / "1.root.json").read_bytes()
    root = load_root_self_signed(root_raw)
    assert (root.repository, root.version) == ("official", 1)
    assert (root.roles["root"].threshold, len(root.roles["root"].keyids)) == (2, 3)
    assert (root.roles["index"].threshold, len(root.roles["index"].keyids)) == (1, 1)
    index = load_index((OFFICIAL / "index.json").read_bytes(), root)
    assert set(index.drivers) == {"duckdb", "postgresql", "sqlite", "snowflake", "bigquery", "flightsql", "spark"}
    duckdb = index.drivers["duckdb"]["versions"]["2.0.1"]
    assert duckdb.entrypoint == "duckdb_adbc_init" and set(duckdb.artifacts) == {"linux_amd64_cp311"}
    assert all(a.source == "pypi" for d in index.drivers.values() for v in d["versions"].values()
               for a in v.artifacts.values())
    if OFFICIAL_KEYS.is_dir():  # the keys listed are the project's official public keys
        listed = {root.keys[k].hex() for k in root.roles["root"].keyids}
        assert listed == {(OFFICIAL_KEYS / f"root-{n}.pub").read_text().strip() for n in (1, 2, 3)}
