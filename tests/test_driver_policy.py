"""Loader injection, policy, plugin allow/deny, bundles, concurrency and property tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from conftest import run_fusion, write_project
from driver_repo import DRIVER, manager
from fusion.drivers import safe_options
from fusion.drivers.bundle import import_bundle, write_bundle
from fusion.errors import ProjectError
from fusion.policy import load_policy
from fusion.trust.errors import TrustError
from fusion.trust.metadata import check_lib_name, check_relative_url
from fusion.trust.strict_json import loads_strict
from hypothesis import given
from hypothesis import strategies as st

EVIL_C = textwrap.dedent("""
    #include <stdio.h>
    #include <stdlib.h>
    __attribute__((constructor)) static void evil(void) {
        const char *marker = getenv("EVIL_MARKER");
        FILE *f = fopen(marker ? marker : "/tmp/fusion-evil-marker", "w");
        if (f) { fputs("loaded", f); fclose(f); }
    }
    int AdbcDriverInit(int v, void *d, void *e) { return 1; }
    int duckdb_adbc_init(int v, void *d, void *e) { return 1; }
""")


@pytest.fixture
def evil_library(tmp_path):
    source = tmp_path / "evil.c"
    source.write_text(EVIL_C)
    lib = tmp_path / "evil.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib), str(source)], check=True)
    return lib


# 12. loader injection ----------------------------------------------------------------------
def test_loader_options_from_config_are_stripped():
    options = {"path": "x.duckdb", "driver": "/tmp/evil.so", "entrypoint": "evil", "profile": "p",
               "init_func": "1", "load_flags": "1", "adbc.driver_manager.search_paths": "/tmp",
               "additional_search_path_list": "/tmp"}
    assert safe_options(options) == {"path": "x.duckdb"}


def test_evil_library_is_never_loaded(tmp_path, evil_library):
    """A profile naming an evil driver, and loader search paths pointing at it, change nothing."""
    marker = tmp_path / "marker"
    manifest_dir = tmp_path / "manifests"
    manifest_dir.mkdir()
    (manifest_dir / "duckdb.toml").write_text(f'name = "evil"\n[Driver]\nshared = "{evil_library}"\n')
    project = write_project(tmp_path / "p", {
        "profiles.yml": "proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                        f"      path: db.duckdb\n      schema: main\n      driver: {evil_library}\n"
                        "      entrypoint: AdbcDriverInit\n      profile: evil\n",
        "models/a.sql": "select 1 as id\n"})
    environment = {**os.environ, "EVIL_MARKER": str(marker), "ADBC_DRIVER_PATH": str(manifest_dir),
                   "LD_LIBRARY_PATH": str(evil_library.parent), "ADBC_CONFIG_PATH": str(manifest_dir)}
    result = run_fusion(project, "run", env=environment)
    assert result.code == 0, result.output
    assert not marker.exists(), "the evil library was loaded"


def test_dev_driver_needs_policy_and_warns(repo, evil_library, monkeypatch, tmp_path):
    monkeypatch.setenv(f"FUSION_DEV_DRIVER_{DRIVER.upper()}", f"{evil_library}:AdbcDriverInit")
    with pytest.raises(TrustError, match="policy forbids unsigned dev drivers"):
        manager().library(DRIVER)
    library = manager(allow_dev_drivers=True).library(DRIVER)
    assert library.path == evil_library and library.label.startswith("dev driver")


# 13. policy --------------------------------------------------------------------------------
def _system_policy(env, text: str, mode: int = 0o644) -> None:
    path = env / "system-policy.toml"
    path.write_text(text)
    os.chmod(path, mode)


@pytest.mark.skipif(os.getuid() != 0, reason="a system policy file must be owned by root")
def test_system_deny_beats_user_allow(repo, env):
    _system_policy(env, f'deny_drivers = ["{DRIVER}"]\n')
    (env / "config" / "fusion" / "policy.toml").write_text(
        f'repositories = ["testrepo"]\nallow_drivers = ["{DRIVER}"]\n')
    with pytest.raises(TrustError, match="policy does not allow"):
        manager().select(DRIVER)


@pytest.mark.skipif(os.getuid() != 0, reason="a system policy file must be owned by root")
def test_env_cannot_add_a_repository_when_policy_forbids(repo, env):
    _system_policy(env, "allow_user_trust_roots = false\n")
    with pytest.raises(TrustError, match="policy forbids user-added trust roots"):
        manager().repositories  # noqa: B018


def test_writable_system_policy_is_refused(env):
    _system_policy(env, "offline = true\n", mode=0o666)
    with pytest.raises(ProjectError, match="not writable by others"):
        load_policy()


def test_pin_that_differs_from_the_signed_hash_is_refused(repo):
    with pytest.raises(TrustError, match="pins testsqlite to library hash"):
        manager(pin_hashes={DRIVER: "0" * 64}).select(DRIVER)


def test_version_pin_excludes_other_versions(repo):
    with pytest.raises(TrustError, match="pinned to 9.9.9"):
        manager(pins={DRIVER: "9.9.9"}).select(DRIVER)


def test_policy_show_effective_names_origins(env):
    result = run_fusion(env, "policy", "show", "--effective")
    assert result.code == 0, result.output
    assert "repositories" in result.stdout and "user:" in result.stdout


# 14. plugins -------------------------------------------------------------------------------
def test_denied_adapter_distribution_is_not_imported(tmp_path):
    config = tmp_path / "config"
    (config / "fusion").mkdir(parents=True)
    (config / "fusion" / "policy.toml").write_text('deny_adapters = ["fusion-duckdb"]\n')
    environment = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    code = ("import sys, fusion.plugins as p; p.get_plugins(); "
            "print('fusion_duckdb' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    project = write_project(tmp_path / "p", {"models/a.sql": "select 1\n"})
    result = run_fusion(project, "run", env=environment)
    assert result.code == 2 and "denied by policy" in result.output
    listed = run_fusion(project, "plugins", "list", env=environment)
    assert "fusion-duckdb" in listed.stdout and "blocked by policy" in listed.stdout


# 10. bundles -------------------------------------------------------------------------------
def test_bundle_round_trip_works_offline(repo, env, monkeypatch):
    bundle = env / "drivers.zip"
    write_bundle(manager(), bundle, [DRIVER])
    monkeypatch.setenv("FUSION_CACHE_DIR", str(env / "airgapped-cache"))
    monkeypatch.setenv("FUSION_OFFLINE", "1")
    with pytest.raises(TrustError, match="never been fetched"):
        manager().repositories  # noqa: B018 - an offline machine knows nothing yet
    # the bundle carries root 1; the pinned hash is what makes it trusted
    imported = import_bundle(manager(), bundle)
    assert imported == [f"{DRIVER} 1.0.0 (linux_amd64)"]
    assert manager().library(DRIVER).path.is_file()


def _bundle(env, members: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> os.PathLike:
    path = env / "hostile.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in symlinks:
                info.external_attr = (0o120777 << 16)
            zf.writestr(info, data)
    return path


def test_bundle_with_link_member_is_refused(repo, env):
    manager().repositories  # noqa: B018
    bundle = _bundle(env, {f"libs/{repo.artifact['lib_sha256']}": b"/etc/passwd"},
                     symlinks=(f"libs/{repo.artifact['lib_sha256']}",))
    with pytest.raises(TrustError, match="not a regular file"):
        import_bundle(manager(), bundle)


def test_bundle_paths_are_never_used_on_disk(repo, env):
    bundle = _bundle(env, {"../../escaped.txt": b"x", "/abs.txt": b"y", "libs/../../x": b"z"})
    import_bundle(manager(), bundle)
    assert not (env.parent / "escaped.txt").exists() and not os.path.exists("/abs.txt")


def test_bundle_with_too_many_members_or_a_bomb_is_refused(repo, env):
    many = env / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"x{i}", b"")
    with pytest.raises(TrustError, match="more than 10000 members"):
        import_bundle(manager(), many)
    bomb = env / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"libs/{repo.artifact['lib_sha256']}", b"\0" * (repo.artifact["lib_length"] + 10_000_000))
    with pytest.raises(TrustError, match="more than allowed"):
        import_bundle(manager(), bomb)


def test_bundle_with_wrong_library_bytes_is_refused(repo, env):
    length = repo.artifact["lib_length"]
    bundle = _bundle(env, {f"libs/{repo.artifact['lib_sha256']}": b"\1" * length})
    with pytest.raises(TrustError, match="does not match"):
        import_bundle(manager(), bundle)


# 15. concurrency ---------------------------------------------------------------------------
def test_two_processes_install_the_same_driver(repo, env):
    code = ("from fusion.drivers.manager import DriverManager; m = DriverManager(); "
            f"print(m.install(m.select({DRIVER!r})))")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ)) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    paths = {out.strip().splitlines()[-1] for out, _ in outputs}
    assert len(paths) == 1
    libs = list((env / "cache" / "libs").rglob("*.so"))
    assert len(libs) == 1 and oct(libs[0].stat().st_mode & 0o777) == "0o400"


# property tests ----------------------------------------------------------------------------
@given(st.text(max_size=60))
def test_accepted_urls_are_plain_relative_paths(value):
    try:
        check_relative_url(value, "url")
    except TrustError:
        return
    parts = value.split("/")
    assert not value.startswith("/") and ".." not in parts and "" not in parts
    assert ":" not in value and "\\" not in value and "\0" not in value


@given(st.text(max_size=40))
def test_accepted_lib_names_have_no_separators(value):
    try:
        check_lib_name(value)
    except TrustError:
        return
    assert "/" not in value and value not in (".", "..") and "\0" not in value


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=4), st.text(max_size=5))
def test_strict_json_rejects_duplicate_keys(doc, key):
    body = json.dumps(doc)[1:-1]
    quoted = json.dumps(key)
    duplicated = "{" + ", ".join(p for p in (body, f"{quoted}: 1", f"{quoted}: 2") if p) + "}"
    with pytest.raises(TrustError, match="duplicate"):
        loads_strict(duplicated.encode(), "doc")


@pytest.mark.parametrize("raw", [b'{"a": NaN}', b'{"a": Infinity}', b"\xff\xfe{}", b"[" * 100000])
def test_strict_json_rejects_bad_documents(raw):
    with pytest.raises(TrustError):
        loads_strict(raw, "doc")


def test_oversized_document_is_refused():
    with pytest.raises(TrustError, match="more than"):
        loads_strict(b" " * (5 * 1024 * 1024), "doc")


def test_enterprise_mirror_only_policy_excludes_official(repo):
    """The env fixture's user policy allows only the test repository: official drivers are out."""
    with pytest.raises(TrustError, match="no trusted driver 'sqlite'"):
        manager().select("sqlite")
    assert [r.name for r in manager().repositories] == ["testrepo"]


def test_policy_show_lists_files(env):
    result = run_fusion(env, "policy", "show")
    assert result.code == 0 and "user" in result.stdout and "present" in result.stdout


# a project's policy only narrows ------------------------------------------------------------
def _project_policy(env, text: str):
    project = env / "project"
    (project / ".fusion").mkdir(parents=True, exist_ok=True)
    (project / ".fusion" / "policy.toml").write_text(text)
    return project


def _user_policy(env, text: str) -> None:
    (env / "config" / "fusion" / "policy.toml").write_text(text)


@pytest.mark.parametrize("text", ["allow_dev_drivers = true\n", 'ca_bundle = "/tmp/evil.pem"\n',
                                  'proxy = "http://evil:3128"\n'])
def test_project_may_not_set_dev_drivers_ca_bundle_or_proxy(env, text):
    project = _project_policy(env, text)
    with pytest.raises(ProjectError, match="a project's policy may not set") as info:
        load_policy(project)
    assert info.value.path == str(project / ".fusion" / "policy.toml")
    result = run_fusion(project, "drivers", "list")
    assert result.code == 2 and "Traceback" not in result.output
    assert ".fusion/policy.toml: a project's policy may not set" in result.stderr


def test_project_cannot_widen_offline_grace_to_accept_an_expired_index(repo, env):
    import datetime as dt

    from driver_repo import driver_entry, later
    from fusion.drivers.cache import DriverCache
    from fusion.drivers.repositories import TrustedRepository, configured_repositories

    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)}, expires=later(3))
    manager().repositories  # noqa: B018 - cached while fresh
    policy = load_policy(_project_policy(env, "offline = true\noffline_grace_days = 100000\n"))
    assert policy.offline and policy.offline_grace_days == 0
    assert policy.origins["offline"].startswith("project:") and "offline_grace_days" not in policy.origins
    later_on = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    with pytest.raises(TrustError, match="expired"):
        TrustedRepository(configured_repositories(policy)[0], DriverCache(), policy, now=later_on).index  # noqa: B018


def test_each_level_only_narrows(env):
    _user_policy(env, 'repositories = ["testrepo", "acme"]\nallow_drivers = ["duckdb"]\noffline_grace_days = 7\n'
                      'allow_dev_drivers = true\n')
    project = _project_policy(env, 'repositories = ["acme", "evil"]\nallow_drivers = ["duckdb", "evil"]\n'
                                   'deny_drivers = ["duckdb"]\noffline_grace_days = 3\n'
                                   "allow_user_trust_roots = false\n")
    policy = load_policy(project)
    assert policy.repositories == {"acme"} and policy.allow_drivers == {"duckdb"}
    assert policy.deny_drivers == {"duckdb"} and not policy.driver_allowed("duckdb")
    assert policy.offline_grace_days == 3 and policy.allow_dev_drivers and not policy.allow_user_trust_roots
    widening = _project_policy(env, "offline_grace_days = 30\nallow_user_trust_roots = true\n")
    policy = load_policy(widening)
    assert policy.offline_grace_days == 7 and policy.origins["offline_grace_days"].startswith("user:")
    assert policy.allow_user_trust_roots and "allow_user_trust_roots" not in policy.origins


def test_policy_show_effective_names_the_deciding_level(env):
    _user_policy(env, "offline_grace_days = 7\n")
    project = _project_policy(env, 'offline_grace_days = 2\ndeny_drivers = ["snowflake"]\n')
    result = run_fusion(project, "policy", "show", "--effective")
    assert result.code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["offline_grace_days"].split()[1] == "2" and "(project:" in lines["offline_grace_days"]
    assert "(project:" in lines["deny_drivers"] and "(default)" in lines["allow_dev_drivers"]


@pytest.mark.parametrize(("text", "key"), [
    ('offline = "yes"\n', "offline"), ('offline_grace_days = "7"\n', "offline_grace_days"),
    ("offline_grace_days = -1\n", "offline_grace_days"), ('repositories = "official"\n', "repositories"),
    ("deny_drivers = [1]\n", "deny_drivers"), ("pins = 3\n", "pins"), ("[pins]\nduckdb = 1\n", "pins"),
])
def test_wrong_value_types_are_one_clear_error(env, text, key):
    project = _project_policy(env, text)
    result = run_fusion(project, "policy", "show", "--effective")
    assert result.code == 2 and "Traceback" not in result.output, result.output
    assert f".fusion/policy.toml: policy key `{key}` must be" in result.stderr
