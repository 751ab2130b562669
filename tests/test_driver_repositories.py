"""Which repositories are trusted for which driver names, and clear errors for broken
repository configuration, servers and cache records."""

from __future__ import annotations

import json

import pytest
from conftest import run_fusion
from driver_repo import DRIVER, SignedRepo, driver_entry, manager, serve
from fusion.trust.errors import TrustError

COMMUNITY = "community.x"


@pytest.fixture
def community(env):
    """A second signed repository offering a much newer version of names others list."""
    repo = SignedRepo(env / "community", name=COMMUNITY)
    repo.write_root()
    server = serve(repo.folder)
    repo.url = server.url
    lib = b"\x7fELF community build"
    artifact = repo.add_blob(lib)
    repo.write_index({name: driver_entry(artifact, "Init", version="99.0.0") for name in ("duckdb", DRIVER)})
    yield repo
    server.httpd.shutdown()


def _trust(env, *entries: dict) -> None:
    (env / "config" / "fusion" / "repositories.json").write_text(json.dumps(list(entries)))


def _entry(repo: SignedRepo, **extra) -> dict:
    return {"name": repo.name, "url": repo.url, "root_sha256": repo.root1_sha256, **extra}


def _allow(env, *names: str) -> None:
    (env / "config" / "fusion" / "policy.toml").write_text(f"repositories = {json.dumps(list(names))}\n")


# hole 3: delegation ------------------------------------------------------------------------
def test_community_repository_cannot_replace_an_official_driver(env, community):
    _allow(env, "official", COMMUNITY)
    _trust(env, _entry(community))
    selection = manager().select("duckdb")
    assert selection.repository.name == "official" and selection.version.version != "99.0.0"
    listed = run_fusion(env, "drivers", "list").stdout.splitlines()
    assert any(line.startswith(COMMUNITY) and " duckdb " in line and "not delegated" in line for line in listed)


def test_explicit_delegation_lets_it_serve_that_name_only(env, community, repo):
    _allow(env, "official", "testrepo", COMMUNITY)
    _trust(env, _entry(community, delegate=[DRIVER]))
    assert manager().select(DRIVER).label == f"{DRIVER} 99.0.0 from {COMMUNITY!r}"
    assert manager().select("duckdb").repository.name == "official"


def test_trust_order_decides_between_user_repositories(env, community, repo):
    """testrepo (FUSION_REPOSITORIES) is trusted after community.x (the user's file)."""
    _allow(env, "testrepo", COMMUNITY)
    _trust(env, _entry(community))
    assert manager().select(DRIVER).label == f"{DRIVER} 99.0.0 from {COMMUNITY!r}"
    _trust(env)
    assert manager().select(DRIVER).repository.name == "testrepo"


def test_a_repository_that_lists_only_a_shadowed_name_explains_why(env, community):
    _allow(env, "official", COMMUNITY)
    _trust(env, _entry(community))
    mgr = manager(pins={"duckdb": "99.0.0"})
    with pytest.raises(TrustError, match="'community.x' may not serve it"):
        mgr.select("duckdb")


def test_trust_add_records_and_lists_delegations(env, community):
    _allow(env, "official", COMMUNITY)
    added = run_fusion(env, "trust", "add", community.url, "--name", COMMUNITY, "--root-sha256",
                       community.root1_sha256, "--delegate", "duckdb")
    assert added.code == 0, added.output
    assert json.loads((env / "config" / "fusion" / "repositories.json").read_text())[0]["delegate"] == ["duckdb"]
    listed = run_fusion(env, "trust", "list")
    assert listed.code == 0, listed.output
    assert any(line.startswith(COMMUNITY) and "delegated: duckdb" in line for line in listed.stdout.splitlines())
    drivers = run_fusion(env, "drivers", "list")
    assert any(line.startswith("official") and " duckdb " in line and "not delegated" not in line
               for line in drivers.stdout.splitlines())


def test_configured_name_must_equal_the_signed_root(env, community):
    _allow(env, "official", "community.y")
    added = run_fusion(env, "trust", "add", community.url, "--name", "community.y", "--root-sha256",
                       community.root1_sha256)
    assert added.code == 2 and "signs its root as 'community.x'" in added.output, added.output
    assert not (env / "config" / "fusion" / "repositories.json").exists()


@pytest.mark.parametrize("name", ["../evil", "a/b", "Community", ".hidden", "", "x" * 200])
def test_repository_names_are_validated(env, name):
    added = run_fusion(env, "trust", "add", "https://example.invalid", "--name", name, "--root-sha256", "0" * 64)
    assert added.code == 2 and "is not valid" in added.output and "Traceback" not in added.output


# bad input: one Error paragraph, exit 2, nothing written ---------------------------------
@pytest.mark.parametrize(("value", "message"), [
    ('["community.x"]', "a repository entry must be a JSON object"),
    ('{"name": "x"}', "must be a JSON list"),
    ('[{"name": "x", "url": "https://h", "root_sha256": "abc"}]', "`root_sha256` must be 64 lowercase hex"),
    ("[{", "is not valid JSON"),
])
def test_broken_fusion_repositories_is_one_clear_error(env, value, message):
    result = run_fusion(env, "drivers", "list", env={**_environ(), "FUSION_REPOSITORIES": value})
    assert result.code == 2 and "Traceback" not in result.output, result.output
    assert result.stderr.startswith("Error: FUSION_REPOSITORIES") and message in result.stderr


def test_repository_answering_404_for_its_index(env, repo):
    (repo.folder / "index.json").unlink()
    with pytest.raises(TrustError, match="repository 'testrepo' has no index.json at http://127.0.0.1"):
        manager().repositories  # noqa: B018
    result = run_fusion(env, "drivers", "list")
    assert result.code == 2 and "Traceback" not in result.output and "hint: check the repository's URL" in result.output


def test_corrupt_state_record_is_an_error_not_a_fresh_start(env, repo):
    manager().repositories  # noqa: B018 - remembers index v1
    old_index = (repo.folder / "index.json").read_bytes()
    repo.write_index({DRIVER: driver_entry(repo.artifact, repo.entrypoint)})
    manager().repositories  # noqa: B018 - remembers index v2
    state = env / "cache" / "repos" / "testrepo" / "state.json"
    (repo.folder / "index.json").write_bytes(old_index)  # a rollback attempt ...
    for corrupt in (b"{not json", b'{"index_version": "2"}', b"[]"):
        state.write_bytes(corrupt)  # ... while the record that would catch it is broken
        with pytest.raises(TrustError, match=r"state\.json\) is corrupt") as info:
            manager().repositories  # noqa: B018
        assert f"delete {state}" in str(info.value)
    result = run_fusion(env, "drivers", "install", DRIVER)
    assert result.code == 2 and "state.json" in result.output and "Traceback" not in result.output
    assert "database" not in result.output.lower()


def test_corrupt_official_state_during_a_run_is_not_a_database_error(tmp_path):
    from conftest import write_project

    project = write_project(tmp_path / "p", {"models/a.sql": "select 1 as id\n"})
    environment = {**_environ(), "FUSION_CACHE_DIR": str(tmp_path / "cache"),
                   "XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run_fusion(project, "run", env=environment).code == 0
    (tmp_path / "cache" / "repos" / "official" / "state.json").write_text("garbage")
    result = run_fusion(project, "run", env=environment)
    assert result.code == 1 and "state.json) is corrupt" in result.output and "Traceback" not in result.output
    assert "could not open" not in result.output


def test_gc_removes_a_folder_left_in_tmp(env, repo):
    manager().install(manager().select(DRIVER))
    stray = env / "cache" / "tmp" / "partial"
    stray.mkdir(mode=0o700)
    (stray / "chunk").write_bytes(b"x")
    result = run_fusion(env, "drivers", "gc")
    assert result.code == 0 and "removed 1 item(s)" in result.stdout, result.output
    assert not stray.exists()


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_failed_trust_add_leaves_nothing_behind(env, community):
    """A 404 index: no trust entry, and no cached root that would block a later, correct add."""
    _allow(env, "official", COMMUNITY)
    index = (community.folder / "index.json").read_bytes()
    (community.folder / "index.json").unlink()
    args = ("trust", "add", community.url, "--name", COMMUNITY, "--root-sha256", community.root1_sha256)
    failed = run_fusion(env, *args)
    assert failed.code == 2 and "has no index.json" in failed.output and "Traceback" not in failed.output
    assert not (env / "config" / "fusion" / "repositories.json").exists()
    assert not (env / "cache" / "repos" / COMMUNITY).exists()
    (community.folder / "index.json").write_bytes(index)
    assert run_fusion(env, *args).code == 0
    removed = run_fusion(env, "trust", "remove", COMMUNITY)
    assert removed.code == 0 and not (env / "cache" / "repos" / COMMUNITY).exists()


def test_user_policy_can_delegate_a_project_policy_cannot(env, community):
    (env / "config" / "fusion" / "policy.toml").write_text(
        f'repositories = ["official", "{COMMUNITY}"]\n[delegations]\n"{COMMUNITY}" = ["duckdb"]\n')
    _trust(env, _entry(community))
    assert manager().select("duckdb").label == f"duckdb 99.0.0 from {COMMUNITY!r}"
    listed = run_fusion(env, "trust", "list")
    assert any(line.startswith(COMMUNITY) and "delegated: duckdb" in line for line in listed.stdout.splitlines())
    shown = run_fusion(env, "policy", "show", "--effective")
    assert shown.code == 0 and '{"community.x": ["duckdb"]}' in shown.stdout, shown.output
    project = env / "project"
    (project / ".fusion").mkdir(parents=True)
    (project / ".fusion" / "policy.toml").write_text(f'[delegations]\n"{COMMUNITY}" = ["sqlite"]\n')
    refused = run_fusion(project, "drivers", "list")
    assert refused.code == 2 and "a project's policy may not set delegations" in refused.stderr
