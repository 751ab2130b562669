"""The parse cache: skip parsing when no input changed, and skip rendering unchanged files.

Two levels, both keyed by content hashes:

- the whole parse: every file the parser reads (project and packages, adapter and built-in
  macros, Fusion's own code), the target, ``--vars`` and the values of the environment
  variables the last parse read. If all are unchanged, the pickled manifest is reused as is.
- one edit: when only model files changed and each still declares what it did, the last
  manifest is patched with their text (see fusion.parse.edits); the patches are kept in the
  state file beside the pickled manifest they apply to.
- one render: a SQL file's (or a generic test's) parse-time render is keyed by its text, its
  configuration before rendering and a digest of everything a render can see (macros, vars,
  target, project config). A changed model re-renders only itself; the rest of the parse
  (YAML, configs, naming, dependencies) runs as in a cold parse, so the manifest is identical.

Files are re-hashed only when their size or modification time changed, or when they changed
too recently for the time stamp to be trusted. The cache lives in ``target/``, like dbt's
``partial_parse.msgpack``; its files are sealed with the user's key (see fusion.sealed), so one
that this user did not write, or that cannot be read, is ignored. Environment values are kept
only as keyed digests.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from fusion.sealed import Sealer

CACHE_VERSION = 1
STATE_FILE = "fusion_parse_state.json"
MANIFEST_FILE = "fusion_parse_manifest.pickle"
RENDERS_FILE = "fusion_parse_renders.pickle"
MODELS_FILE = "fusion_parse_models.pickle"  # model files and their nodes before rendering (edits.py)
#: files changed this recently (seconds) are re-hashed even when their stamp looks unchanged
RACY_SECONDS = 2.0
FUSION_CODE = Path(__file__).resolve().parent.parent


def digest(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                                       default=str)).hexdigest()


def _walk(folder: str, found: list) -> None:
    """Append (path, stat) of every file below ``folder`` (hidden entries and __pycache__ skipped)."""
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.is_dir():
                _walk(entry.path, found)
            else:
                try:
                    found.append((entry.path, entry.stat()))
                except OSError:
                    continue


def _stat(path: str, found: list) -> None:
    try:
        found.append((path, os.stat(path)))
    except OSError:
        pass


def hash_files(stats, previous: dict[str, list]) -> dict[str, list]:
    """``{path: [size, mtime_ns, sha256]}`` from (path, stat) pairs, reusing ``previous`` hashes
    of files whose size and time stamp did not move."""
    now = time.time_ns()
    racy = int(RACY_SECONDS * 1e9)
    out: dict[str, list] = {}
    for path, stat in stats:
        known = previous.get(path)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns and now - stat.st_mtime_ns > racy:
            out[path] = known
            continue
        try:
            with open(path, "rb") as handle:
                out[path] = [stat.st_size, stat.st_mtime_ns, hashlib.sha256(handle.read()).hexdigest()]
        except OSError:
            continue
    return out


def tracked_files(projects, macro_folders) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of every file a parse can read: each project's config and resource folders,
    macro folders, and Fusion's own code (so that an upgrade or a local edit invalidates the cache)."""
    found: list = []
    for project in projects:
        root = str(project.root)
        for name in ("dbt_project.yml", "packages.yml", "dependencies.yml", "package-lock.yml", "selectors.yml"):
            _stat(os.path.join(root, name), found)
        folders = {*project.model_paths, *project.seed_paths, *project.analysis_paths,
                   *project.snapshot_paths, *project.macro_paths, *project.test_paths,
                   *(project.docs_paths or [])}
        for folder in sorted(folders):
            _walk(os.path.join(root, folder), found)
    for folder in (FUSION_CODE, *macro_folders):
        _walk(str(folder), found)
    return found


@dataclass
class ParseCache:
    """What the last parse of this project left in ``target/``, and what this one will leave."""

    folder: Path
    settings: str  # digest of the target, vars and adapter
    sealer: Sealer
    files: dict[str, list] = field(default_factory=dict)
    env_reads: dict[str, str | None] = field(default_factory=dict)
    inputs: str = ""  # digest of settings + file hashes, once computed
    previous: dict[str, Any] = field(default_factory=dict)
    macro_index: dict[str, list] = field(default_factory=dict)  # see fusion.jinja.macros.macros_in_file

    @classmethod
    def open(cls, folder: Path, settings: str, sealer: Sealer) -> ParseCache:
        cache = cls(folder, settings, sealer)
        payload = sealer.read(folder / STATE_FILE)
        try:
            state = orjson.loads(payload) if payload is not None else {}
        except orjson.JSONDecodeError:
            state = {}
        if isinstance(state, dict) and state.get("version") == CACHE_VERSION:
            cache.previous = state
            cache.macro_index = dict(state.get("macros") or {})
        return cache

    def scan(self, projects, macro_folders) -> str:
        before = self.previous.get("files") or {}
        self.files = hash_files(tracked_files(projects, macro_folders), before)
        if self.files == before and self.previous.get("settings") == self.settings:
            self.inputs = self.previous["inputs"]  # the digest of these very settings and hashes
        else:
            self.inputs = digest(self.settings, sorted((p, h[2]) for p, h in self.files.items()))
        return self.inputs

    def render_base(self, projects, macro_folders) -> str:
        """Digest of what any parse-time render can see besides its own text and config:
        macros, each project's dbt_project.yml (vars), the settings and Fusion's code."""
        prefixes = [str(FUSION_CODE) + os.sep, *(str(folder) + os.sep for folder in macro_folders)]
        configs = set()
        for project in projects:
            root = Path(project.root)
            configs.add(str(root / "dbt_project.yml"))
            prefixes += [str(root / folder) + os.sep for folder in
                         [*project.macro_paths, *(f"{t}/generic" for t in project.test_paths)]]
        starts = tuple(prefixes)
        return digest(self.settings, sorted((path, stamp[2]) for path, stamp in self.files.items()
                                            if path in configs or path.startswith(starts)))

    def unchanged(self, env: dict[str, str]) -> bool:
        """Same inputs as the last parse, and the environment variables it read are unchanged."""
        if not self.previous or self.previous.get("inputs") != self.inputs:
            return False
        return self._same_env(env)

    def _same_env(self, env: dict[str, str]) -> bool:
        return all(self.sealer.digest(env.get(name)) == seen for name, seen in self.previous["env"].items())

    def changed_paths(self) -> set[str] | None:
        """The files added, changed or removed since the last parse; None when more than files
        changed (the target, vars, the environment variables it read) or there was none."""
        if not self.previous or self.previous.get("settings") != self.settings or not self._same_env(os.environ):
            return None
        before = self.previous.get("files") or {}
        changed = {path for path, stamp in self.files.items() if (before.get(path) or [None] * 3)[2] != stamp[2]}
        return changed | (before.keys() - self.files.keys())

    def artifact_current(self, path: Path) -> bool:
        """Whether ``path`` (manifest.json) is still the file the last parse wrote."""
        try:
            stat = path.stat()
        except OSError:
            return False
        return self.previous.get("artifact") == [str(path), stat.st_size, stat.st_mtime_ns]

    @property
    def counts(self) -> str:
        return self.previous.get("counts", "")

    def load_manifest(self):
        """The last parse's manifest (with the edits made since) if no input changed since, else None."""
        if not self.unchanged(os.environ):
            return None
        stored = self._read_pickle(MANIFEST_FILE)
        if not isinstance(stored, tuple) or stored[0] != self.previous.get("manifest_inputs"):
            return None
        return patch_nodes(stored[1], self.previous.get("edits") or {})

    def load_model_index(self) -> dict[str, tuple[str, bytes, str]] | None:
        """Model files of the manifest the edits apply to: path -> (unique id, node before
        rendering, digest of what its render declared)."""
        stored = self._read_pickle(MODELS_FILE)
        if not isinstance(stored, tuple) or stored[0] != self.previous.get("manifest_inputs"):
            return None
        return stored[1]

    def load_renders(self) -> dict[str, Any]:
        """The last parse's render memo (empty if there is none)."""
        stored = self._read_pickle(RENDERS_FILE)
        return stored if isinstance(stored, dict) else {}

    def save(self, manifest, renders: dict[str, Any], env_reads: dict[str, str | None], counts: str,
             models: dict[str, tuple[str, bytes, str]]) -> None:
        """Write the cache atomically; ``manifest.macros`` is not stored (rebuilt each run)."""
        macros, manifest.macros = manifest.macros, None
        try:
            payload = pickle.dumps((self.inputs, manifest), protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            manifest.macros = macros
        self.sealer.write(self.folder / MANIFEST_FILE, payload)
        self.sealer.write(self.folder / RENDERS_FILE, pickle.dumps(renders, protocol=pickle.HIGHEST_PROTOCOL))
        self.sealer.write(self.folder / MODELS_FILE, pickle.dumps((self.inputs, models),
                                                                  protocol=pickle.HIGHEST_PROTOCOL))
        self.env_reads = {name: self.sealer.digest(value) for name, value in env_reads.items()}
        self.previous = {"version": CACHE_VERSION, "inputs": self.inputs, "manifest_inputs": self.inputs,
                         "settings": self.settings, "files": self.files, "env": self.env_reads,
                         "counts": counts, "macros": self.macro_index, "edits": {}}
        self._write_state()

    def save_edits(self, edits: dict[str, dict[str, Any]]) -> None:
        """Record a one-edit parse: these inputs are the last manifest with ``edits`` applied."""
        self.previous.update(inputs=self.inputs, files=self.files,
                             edits={**(self.previous.get("edits") or {}), **edits})
        self.previous.pop("artifact", None)
        self._write_state()

    def remember_artifact(self, path: Path) -> None:
        stat = path.stat()
        self.previous["artifact"] = [str(path), stat.st_size, stat.st_mtime_ns]
        self._write_state()

    def _write_state(self) -> None:
        self.sealer.write(self.folder / STATE_FILE, orjson.dumps(self.previous))

    def _read_pickle(self, name: str):
        payload = self.sealer.read(self.folder / name)  # the tag is checked before unpickling
        if payload is None:
            return None
        try:
            return pickle.loads(payload)  # noqa: S301 - written by this user (the tag proves it)
        except Exception:  # a cache from another Fusion version is only a cache miss
            return None


def patch_nodes(manifest, edits: dict[str, dict[str, Any]]):
    """``manifest`` with each edited node's fields replaced (see fusion.parse.edits)."""
    for unique_id, fields in edits.items():
        node = manifest.nodes[unique_id]
        for name, value in fields.items():
            setattr(node, name, value)
    if edits:
        manifest.forget_flat_graph()
    return manifest


class RenderMemo:
    """Parse-time render results of the last parse, reused when their key and env reads match."""

    def __init__(self, previous: dict[str, Any], base: str, env, env_digest):
        self.previous, self.base, self.env, self.env_digest = previous, base, env, env_digest
        self.entries: dict[str, Any] = {}  # this parse's renders: what the next parse may reuse

    def capture(self, parts: tuple, render):
        """``render()``'s result for ``parts`` (text, config...), from the memo when possible."""
        key = digest(self.base, *parts)
        hit = self.previous.get(key)
        if hit is not None:
            result, reads = hit
            if all(self.env_digest(os.environ.get(name)) == seen for name, seen in reads.items()):
                for name in reads:
                    self.env.reads[name] = os.environ.get(name)
                if key in self.entries:  # a second file with the same key (identical YAML text)
                    return copy.deepcopy(result)
                self.entries[key] = hit
                return result  # unpickled for this run alone: nothing else holds it
        self.env.tracker = {}
        try:
            result = render()
            reads = {name: self.env_digest(value) for name, value in self.env.tracker.items()}
        finally:
            self.env.tracker = None
        self.entries[key] = (copy.deepcopy(result), reads)  # the caller may change what it gets
        return result
