"""The parse cache's scan: with nothing changed it reuses the stored input digest; any edit is seen."""

from __future__ import annotations

import os
from types import SimpleNamespace

from fusion.parse import cache as cache_module
from fusion.parse.cache import ParseCache
from fusion.sealed import Sealer


def _project(root):
    return SimpleNamespace(root=root, model_paths=["models"], seed_paths=[], analysis_paths=[], snapshot_paths=[],
                           macro_paths=[], test_paths=[], docs_paths=[])


def _saved_cache(tmp_path, monkeypatch):
    """A project with one model, scanned and saved, its files older than the racy window."""
    model = tmp_path / "models" / "a.sql"
    model.parent.mkdir()
    model.write_text("select 1 as id\n")
    old = 1_600_000_000_000_000_000
    os.utime(model, ns=(old, old))
    monkeypatch.setattr(cache_module, "FUSION_CODE", tmp_path / "no-fusion-code")
    sealer = Sealer(b"k" * 32)
    target = tmp_path / "target"
    target.mkdir()
    cache = ParseCache.open(target, "settings", sealer)
    cache.scan([_project(tmp_path)], [])
    cache.save(SimpleNamespace(macros=None), {}, {}, "1 model", {})
    return model, target, sealer


def test_nothing_changed_reuses_the_stored_digest(tmp_path, monkeypatch):
    _model, target, sealer = _saved_cache(tmp_path, monkeypatch)
    stored = ParseCache.open(target, "settings", sealer)

    def no_digest(*parts):
        raise AssertionError("the input digest was computed again although nothing changed")

    monkeypatch.setattr(cache_module, "digest", no_digest)
    assert stored.scan([_project(tmp_path)], []) == stored.previous["inputs"]
    assert stored.unchanged({})


def test_an_edit_of_the_same_size_is_seen(tmp_path, monkeypatch):
    model, target, sealer = _saved_cache(tmp_path, monkeypatch)
    model.write_text("select 2 as id\n")  # same length, new modification time
    edited = ParseCache.open(target, "settings", sealer)
    assert edited.scan([_project(tmp_path)], []) != edited.previous["inputs"]
    assert not edited.unchanged({})
    assert edited.changed_paths() == {str(model)}


def test_other_settings_give_other_inputs(tmp_path, monkeypatch):
    _model, target, sealer = _saved_cache(tmp_path, monkeypatch)
    other = ParseCache.open(target, "other settings", sealer)
    assert other.scan([_project(tmp_path)], []) != other.previous["inputs"]
