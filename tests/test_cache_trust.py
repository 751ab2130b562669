"""Cache files in target/ are data: a file this user did not write here is a cache miss, never code.

target/ may come from anywhere (a cloned repository, a restored CI artifact), so the parse and
template caches carry an HMAC tag made with a key in the user's private cache folder.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import re
from pathlib import Path

import pytest
from conftest import run_fusion, write_project
from fusion.jinja.code_cache import _version
from test_parse_cache import _manifest_text

SECRET = "hunter2-very-secret"
PLAIN = "plain-env-value"
FILES = {
    "models/a.sql": "{{ config(alias='a_x' if env_var('CACHE_TEST_PLAIN') == 'x' else 'a') }}\nselect 1 as id\n",
    "models/b.sql": "select id from {{ ref('a') }}\n",
}
PROFILE = ("proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: db.duckdb\n"
           "      schema: main\n      threads: 2\n"
           "      settings: {custom_user_agent: \"{{ env_var('DBT_ENV_SECRET_TOKEN') }}\"}\n")


class _WritesMarker:
    """Unpickling this creates the marker file (what a crafted pickle could do with any code)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {**os.environ, "FUSION_CACHE_DIR": str(tmp_path / "user-cache"),
            "CACHE_TEST_PLAIN": PLAIN, "DBT_ENV_SECRET_TOKEN": SECRET}


@pytest.fixture
def project(tmp_path) -> Path:
    root = write_project(tmp_path / "proj", FILES)
    (root / "profiles.yml").write_text(PROFILE)
    return root


def _parse(project: Path, env, *args: str) -> str:
    result = run_fusion(project, "parse", *args, env=env)
    assert result.code == 0, result.output
    return result.stdout


def _same_as_cold(project: Path, env) -> None:
    _parse(project, env, "--no-partial-parse", "--target-path", "cold")
    assert _manifest_text(project, "target") == _manifest_text(project, "cold")


def test_crafted_pickles_and_code_in_target_are_not_executed(project, env, tmp_path):
    _parse(project, env)
    target = project / "target"
    pickles = [target / "fusion_parse_manifest.pickle", target / "fusion_parse_renders.pickle"]
    code_file = target / "fusion_template_code.marshal"
    assert all(p.exists() for p in [*pickles, code_file])
    for number, path in enumerate(pickles):
        path.write_bytes(pickle.dumps(_WritesMarker(tmp_path / f"pickle-ran-{number}")))
    # the keys of the genuine entries, each mapped to code that writes a marker when run
    keys = set(re.findall(rb"[0-9a-f]{64}", code_file.read_bytes()))
    evil = compile(f"open({str(tmp_path / 'code-ran')!r}, 'w').close()", "evil", "exec")
    code_file.write_bytes(marshal.dumps({"version": _version(), "code": {k.decode(): evil for k in keys}}))

    listed = run_fusion(project, "ls", env=env)  # nothing changed: the manifest cache is read
    assert listed.code == 0, listed.output
    (project / "models" / "b.sql").write_text("select id, 2 as two from {{ ref('a') }}\n")
    _parse(project, env)  # one model changed: the renders and the template code are read
    assert not list(tmp_path.glob("*-ran*"))
    _same_as_cold(project, env)


def test_a_cache_written_by_another_user_is_ignored(project, env, tmp_path):
    _parse(project, {**env, "FUSION_CACHE_DIR": str(tmp_path / "other-user")})
    assert "nothing changed" not in _parse(project, env)
    assert "nothing changed" in _parse(project, env)
    _same_as_cold(project, env)


def test_the_cache_holds_no_environment_value_nor_its_plain_digest(project, env):
    _parse(project, env)
    forbidden = [v.encode() for value in (SECRET, PLAIN)
                 for v in (value, hashlib.sha256(value.encode()).hexdigest())]
    for path in (project / "target").glob("fusion_*"):
        data = path.read_bytes()
        assert not [f for f in forbidden if f in data], path.name
    changed = _parse(project, {**env, "DBT_ENV_SECRET_TOKEN": "another"})
    assert "nothing changed" not in changed  # the secret is still part of the cache key


def test_digests_over_the_target_are_keyed(project, env, tmp_path):
    """The target may hold a secret in a field that is not a password: no digest over it can be
    checked against guesses by someone without the key (one user's state differs from another's)."""
    states = []
    for user in ("one", "two"):
        _parse(project, {**env, "FUSION_CACHE_DIR": str(tmp_path / user)}, "--target-path", user)
        tagged = (project / user / "fusion_parse_state.json").read_bytes()
        states.append(json.loads(tagged.split(b"\n", 1)[1]))
    assert states[0]["inputs"] != states[1]["inputs"]


@pytest.mark.parametrize("unusable", ["below-a-file", "unwritable-home"])
def test_without_a_usable_private_folder_parse_works_uncached(project, env, tmp_path, unusable):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    no_cache = {k: v for k, v in env.items() if k not in ("FUSION_CACHE_DIR", "XDG_CACHE_HOME")}
    if unusable == "below-a-file":
        no_cache["FUSION_CACHE_DIR"] = str(blocker / "cache")
    else:
        no_cache["HOME"] = "/proc"  # no one can create folders there, not even root
    for _ in range(2):
        assert "nothing changed" not in _parse(project, no_cache)
    assert not list((project / "target").glob("fusion_*"))
    _same_as_cold(project, env)


def _sealer_with_key_file(monkeypatch, root: Path, prepare=None):
    from fusion.sealed import KEY_FILE, user_sealer

    monkeypatch.setenv("FUSION_CACHE_DIR", str(root))
    if prepare is not None:
        root.mkdir(mode=0o700)
        prepare(root / KEY_FILE)
    return user_sealer()


def test_the_key_is_private_and_a_tag_binds_payload_and_file_name(monkeypatch, tmp_path):
    from fusion.sealed import KEY_FILE

    sealer = _sealer_with_key_file(monkeypatch, tmp_path / "cache")
    assert sealer is not None
    assert (tmp_path / "cache" / KEY_FILE).stat().st_mode & 0o777 == 0o600
    sealed = tmp_path / "a.bin"
    sealer.write(sealed, b"payload")
    assert bytes(sealer.read(sealed)) == b"payload"
    sealed.write_bytes(sealed.read_bytes().replace(b"payload", b"paylaod"))
    assert sealer.read(sealed) is None
    sealer.write(sealed, b"payload")
    sealed.rename(tmp_path / "b.bin")
    assert sealer.read(tmp_path / "b.bin") is None


def _key(path: Path, data: bytes = b"k" * 32, mode: int = 0o600) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("prepare", [
    pytest.param(lambda key: _key(key, mode=0o640), id="group-readable"),
    pytest.param(lambda key: key.symlink_to(_key(key.with_name("elsewhere"))), id="symlink"),
    pytest.param(lambda key: os.chown(_key(key), 4242, 4242), id="foreign-owned",
                 marks=pytest.mark.skipif(os.getuid() != 0, reason="giving a file away needs root")),
    pytest.param(lambda key: _key(key, b"short"), id="wrong-size"),
])
def test_a_key_file_that_is_not_private_is_not_used(monkeypatch, tmp_path, prepare):
    assert _sealer_with_key_file(monkeypatch, tmp_path / "cache", prepare) is None


def test_no_home_folder_means_no_key(monkeypatch):
    from fusion.sealed import user_sealer

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("FUSION_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert user_sealer() is None
