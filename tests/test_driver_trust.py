"""Signed drivers: every attack in DRIVERS.md fails closed with a clear message.

Each test builds a throwaway repository (keys generated here), serves it from a real loopback
HTTP server and points an isolated cache and user config at it.
"""

from __future__ import annotations

import json
import os

import adbc_driver_manager
import adbc_driver_manager.dbapi as dbapi
import pytest
from driver_repo import DRIVER, SignedRepo, cached_files, driver_entry, later, manager, new_key
from fusion.drivers.cache import DriverCache
from fusion.drivers.loader import VerifiedLibrary, _open_checked
from fusion.policy import load_policy
from fusion.trust.envelope import ROOT_TYPE
from fusion.trust.errors import TrustError


def test_verified_driver_loads_and_works(repo):
    address = manager().load(DRIVER)
    db = adbc_driver_manager.AdbcDatabase(init_func=address, load_flags=0, uri=":memory:")
    conn = dbapi.Connection(db, adbc_driver_manager.AdbcConnection(db), autocommit=True)
    cur = conn.cursor()
    cur.execute("select 40 + 2")
    assert cur.fetchone() == (42,)
    cur.close()
    conn.close()


# 1. flipped bits ---------------------------------------------------------------------------
def test_flipped_bit_in_download_is_refused(repo, env):
    blob = repo.folder / repo.artifact["url"]
    data = bytearray(blob.read_bytes())
    data[1000] ^= 1
    blob.write_bytes(bytes(data))
    with pytest.raises(TrustError, match="does not match the signed index"):
        manager().install(manager().select(DRIVER))
    assert not any("libs" in f for f in cached_files(env))


def test_flipped_bit_in_cached_library_is_refused(repo):
    mgr = manager()
    library = mgr.library(DRIVER)
    os.chmod(library.path, 0o600)
    data = bytearray(library.path.read_bytes())
    data[2000] ^= 1
    library.path.write_bytes(bytes(data))
    os.chmod(library.path, 0o400)
    with pytest.raises(TrustError, match="does not match the signed hash") as info:
        _open_checked(library)
    assert "fusion drivers install" in str(info.value)


# 2. endless and truncated data -------------------------------------------------------------
def test_endless_data_is_cut_off(repo, env):
    repo.server.handler.endless_paths.add(repo.artifact["url"])
    with pytest.raises(TrustError, match="more than"):
        manager().install(manager().select(DRIVER))
    assert cached_files(env) == []


def test_truncated_download_leaves_nothing_loadable(repo, env):
    blob = repo.folder / repo.artifact["url"]
    blob.write_bytes(blob.read_bytes()[:5000])
    with pytest.raises(TrustError):
        manager().install(manager().select(DRIVER))
    assert cached_files(env) == []


# 3. wrong software -------------------------------------------------------------------------
def test_other_bytes_served_for_the_driver_are_refused(repo):
    blob = repo.folder / repo.artifact["url"]
    blob.write_bytes(b"\x7fELF" + os.urandom(len(repo.lib) - 4))
    with pytest.raises(TrustError, match="does not match"):
        manager().install(manager().select(DRIVER))


def test_library_for_another_platform_is_not_chosen(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint, platform="macos_arm64")})
    with pytest.raises(TrustError, match="no build for"):
        manager().select(DRIVER)


# 4. signatures -----------------------------------------------------------------------------
@pytest.mark.parametrize("signers", ["none", "stranger", "root_not_index"])
def test_index_without_a_valid_authorised_signature_is_refused(repo, signers):
    keys = {"none": [], "stranger": [new_key()], "root_not_index": repo.root_keys[:1]}[signers]
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, signers=keys)
    with pytest.raises(TrustError, match="valid signature"):
        manager().repositories  # noqa: B018


def test_root_below_threshold_and_one_key_counted_twice(env):
    repo = SignedRepo(env / "r")
    raw = repo.write_root(signers=[repo.root_keys[0]])
    from fusion.trust.metadata import load_root_self_signed

    with pytest.raises(TrustError, match="1 valid signature"):
        load_root_self_signed(raw)
    doubled = json.loads(raw)
    doubled["signatures"] = doubled["signatures"] * 2
    with pytest.raises(TrustError, match="1 valid signature"):
        load_root_self_signed(json.dumps(doubled).encode())


def test_tampered_signed_payload_is_refused(repo):
    doc = json.loads((repo.folder / "index.json").read_bytes())
    import base64

    payload = base64.b64decode(doc["payload"]).replace(b'"yanked": false', b'"yanked": true ')
    doc["payload"] = base64.b64encode(payload).decode()
    (repo.folder / "index.json").write_text(json.dumps(doc))
    with pytest.raises(TrustError, match="valid signature"):
        manager().repositories  # noqa: B018


# 5. rollback, minimum version, yanked ------------------------------------------------------
def test_older_index_after_newer_is_a_rollback(repo):
    old = (repo.folder / "index.json").read_bytes()
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)})
    manager().repositories  # noqa: B018 - sees version 2
    (repo.folder / "index.json").write_bytes(old)
    with pytest.raises(TrustError, match="rollback"):
        manager().repositories  # noqa: B018


def test_version_below_minimum_and_yanked_are_not_chosen(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint, version="1.0.0", minimum="2.0")})
    with pytest.raises(TrustError, match="below the minimum"):
        manager().select(DRIVER)
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint, yanked=True)})
    with pytest.raises(TrustError, match="yanked"):
        manager().select(DRIVER)


# 6. freeze ---------------------------------------------------------------------------------
def test_expired_index_is_refused_online(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, expires=later(-1))
    with pytest.raises(TrustError, match="expired"):
        manager().repositories  # noqa: B018


def test_expired_index_offline_within_and_beyond_grace(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, expires=later(3))
    manager().repositories  # noqa: B018 - cached while fresh
    import datetime as dt

    from fusion.drivers.repositories import TrustedRepository, configured_repositories

    policy = load_policy()
    policy.offline, policy.offline_grace_days = True, 7
    config = configured_repositories(policy)[0]
    in_grace = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    assert TrustedRepository(config, DriverCache(), policy, now=in_grace).index.version == repo.index_version
    beyond = dt.datetime.now(dt.UTC) + dt.timedelta(days=11)
    with pytest.raises(TrustError, match="expired"):
        TrustedRepository(config, DriverCache(), policy, now=beyond).index  # noqa: B018


# 7. root rotation --------------------------------------------------------------------------
def _rotate(repo, signers):
    new_root_keys = [new_key(), new_key(), new_key()]
    old_keys = repo.root_keys
    repo.root_keys = new_root_keys
    repo.write_root(signers=signers(old_keys, new_root_keys))
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)})


def test_root_rotation_signed_by_old_and_new_is_followed(repo):
    _rotate(repo, lambda old, new: old[:2] + new[:2])
    assert manager().repositories[0].root.version == 2


@pytest.mark.parametrize("which", ["only_old", "only_new"])
def test_root_rotation_missing_either_threshold_is_refused(repo, which):
    _rotate(repo, (lambda old, new: old[:2]) if which == "only_old" else (lambda old, new: new[:2]))
    with pytest.raises(TrustError, match="valid signature"):
        manager().repositories  # noqa: B018


def test_skipped_root_version_is_not_accepted(repo):
    _rotate(repo, lambda old, new: old[:2] + new[:2])
    (repo.folder / "root" / "2.root.json").rename(repo.folder / "root" / "3.root.json")
    with pytest.raises(TrustError, match="root v1|made for root v2"):
        manager().repositories  # noqa: B018


# 8. mix-and-match --------------------------------------------------------------------------
def test_index_for_another_repository_is_refused(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, repository="someone-else")
    with pytest.raises(TrustError, match="repository 'someone-else'"):
        manager().repositories  # noqa: B018


def test_index_for_another_root_version_is_refused(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, root_version=7)
    with pytest.raises(TrustError, match="made for root v7"):
        manager().repositories  # noqa: B018


def test_root_served_as_index_is_refused(repo):
    (repo.folder / "index.json").write_bytes((repo.folder / "root" / "1.root.json").read_bytes())
    with pytest.raises(TrustError, match="valid signature|payload type"):
        manager().repositories  # noqa: B018
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, payload_type=ROOT_TYPE)
    with pytest.raises(TrustError, match="payload type"):
        manager().repositories  # noqa: B018


# 9. hostile url / lib_name -----------------------------------------------------------------
@pytest.mark.parametrize("field_name,value", [
    ("url", "../../etc/passwd"), ("url", "/abs/path.so"), ("url", "https://evil.example/x.so"),
    ("url", "blobs//x.so"), ("url", "blobs/\0x.so"), ("lib_name", "../evil.so"), ("lib_name", "a/b.so"),
    ("lib_name", ".."), ("lib_name", "x\0.so"),
])
def test_hostile_paths_in_the_index_are_refused(repo, field_name, value):
    artifact = {**repo.artifact, field_name: value}
    repo.write_index({DRIVER: driver_entry(artifact, repo.entrypoint)})
    with pytest.raises(TrustError, match="not a safe relative path|not a plain file name"):
        manager().repositories  # noqa: B018


# 11. cache tampering -----------------------------------------------------------------------
def test_library_replaced_by_a_symlink_is_refused(repo, env):
    library = manager().library(DRIVER)
    evil = env / "evil.so"
    evil.write_bytes(repo.lib)
    library.path.unlink()
    library.path.symlink_to(evil)
    with pytest.raises(TrustError, match="cannot open"):
        _open_checked(library)


def test_world_writable_cache_is_refused(repo, env):
    manager().library(DRIVER)
    os.chmod(env / "cache", 0o777)
    with pytest.raises(TrustError, match="writable by group or others"):
        DriverCache().install_library(repo.lib, repo.artifact["lib_sha256"], "x.so")


def test_stale_temp_file_is_never_loaded_and_gc_removes_it(repo, env):
    cache = DriverCache()
    cache._dir("tmp")
    (env / "cache" / "tmp" / "half-written.so").write_bytes(repo.lib[:100])
    library = manager().library(DRIVER)
    assert library.path.relative_to(env / "cache").parts[0] == "libs"
    assert cache.remove_temp_files() == 1


def test_wrong_length_in_cache_is_refused(repo):
    library = manager().library(DRIVER)
    lying = VerifiedLibrary(library.path, library.lib_sha256, library.lib_length + 1, library.entrypoint, "x")
    with pytest.raises(TrustError, match="bytes, the signed index says"):
        _open_checked(lying)


# the pypi source, through real pip, from a local wheel directory (no network) ---------------
def _wheel(folder, lib: bytes) -> tuple[str, bytes]:
    import base64
    import hashlib
    import zipfile

    name = "fusion_test_driver-1.0.0-py3-none-any.whl"
    record_hash = base64.urlsafe_b64encode(hashlib.sha256(lib).digest()).rstrip(b"=").decode()
    meta = "Metadata-Version: 2.1\nName: fusion-test-driver\nVersion: 1.0.0\n"
    wheel_meta = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    with zipfile.ZipFile(folder / name, "w") as zf:
        zf.writestr("fusion_test_driver/libdriver.so", lib)
        zf.writestr("fusion_test_driver-1.0.0.dist-info/METADATA", meta)
        zf.writestr("fusion_test_driver-1.0.0.dist-info/WHEEL", wheel_meta)
        zf.writestr("fusion_test_driver-1.0.0.dist-info/RECORD",
                    f"fusion_test_driver/libdriver.so,sha256={record_hash},{len(lib)}\n")
    return name, (folder / name).read_bytes()


def test_pypi_source_downloads_the_pinned_wheel_with_pip(repo, env, monkeypatch):
    import hashlib

    wheels = env / "wheels"
    wheels.mkdir()
    name, wheel = _wheel(wheels, repo.lib)
    artifact = {"source": "pypi", "url": name, "length": len(wheel), "sha256": hashlib.sha256(wheel).hexdigest(),
                "lib_name": "libdriver.so", "lib_length": len(repo.lib),
                "lib_sha256": hashlib.sha256(repo.lib).hexdigest(),
                "member": "fusion_test_driver/libdriver.so", "wheel": "fusion-test-driver==1.0.0"}
    repo.write_index({DRIVER: driver_entry(artifact, repo.entrypoint)})
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # the user's own pip configuration is honoured
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    assert manager().library(DRIVER).path.read_bytes() == repo.lib

    tampered = bytearray(wheel)
    tampered[-100] ^= 1
    (wheels / name).write_bytes(bytes(tampered))
    DriverCache().library_path(artifact["lib_sha256"], "libdriver.so").unlink()
    with pytest.raises(TrustError, match="does not match the sha256"):
        manager().library(DRIVER)


@pytest.mark.parametrize("mutate", [
    lambda e: e["versions"]["1.0.0"].update(entrypoint=True),
    lambda e: e["versions"]["1.0.0"].update(yanked="false"),
    lambda e: e["versions"]["1.0.0"].update(artifacts=[1, 2]),
    lambda e: e.update(versions=[1]),
    lambda e: e["versions"]["1.0.0"]["artifacts"]["linux_amd64"].update(lib_name="lib.so\n"),
    lambda e: e["versions"]["1.0.0"]["artifacts"]["linux_amd64"].update(sha256="0" * 64 + "\n"),
])
def test_malformed_signed_index_content_is_refused(repo, mutate):
    entry = driver_entry(repo.artifact, repo.entrypoint)
    mutate(entry)
    repo.write_index({DRIVER: entry})
    with pytest.raises(TrustError):
        manager().repositories  # noqa: B018


@pytest.mark.parametrize("expires", ["2030-01-01T00:00:00+05:00Z", "2030-01-01", "2030-01-01T00:00:00"])
def test_only_exact_utc_times_are_accepted(repo, expires):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, expires=expires)
    with pytest.raises(TrustError, match="UTC time"):
        manager().repositories  # noqa: B018


def test_negative_index_version_is_refused(repo):
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, version=-5)
    with pytest.raises(TrustError, match=">= 1"):
        manager().repositories  # noqa: B018
