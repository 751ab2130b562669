"""``dbt_project.yml``: paths, vars, hooks, dispatch and the per-folder config trees."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fusion.config import DICT_CONFIGS, KNOWN_CONFIGS, check_config, merge_config, normalize_config
from fusion.errors import ProjectError
from fusion.project.render import base_members, render_value
from fusion.shapes import Shapes
from fusion.yamlio import load_yaml_with_lines

PROJECT_FILE = "dbt_project.yml"

#: dbt_project.yml sections holding config trees, by resource type
#: the dbt_project.yml tree each resource type is configured from; analyses from ``models:``, as in
#: dbt 1.12 (whose ``analyses:`` tree is read only with the require_corrected_analysis_fqns flag)
CONFIG_SECTIONS = {"model": "models", "seed": "seeds", "test": "data_tests", "snapshot": "snapshots",
                   "analysis": "models", "source": "sources", "exposure": "exposures",
                   "unit_test": "unit_tests"}
#: accepted (and checked) but configuring nothing
_UNUSED_SECTIONS = ("analyses",)


@dataclass
class Project:
    name: str
    root: Path
    profile: str
    version: str = "1.0"
    model_paths: list[str] = field(default_factory=lambda: ["models"])
    seed_paths: list[str] = field(default_factory=lambda: ["seeds"])
    test_paths: list[str] = field(default_factory=lambda: ["tests"])
    macro_paths: list[str] = field(default_factory=lambda: ["macros"])
    analysis_paths: list[str] = field(default_factory=lambda: ["analyses"])
    snapshot_paths: list[str] = field(default_factory=lambda: ["snapshots"])
    docs_paths: list[str] | None = None
    asset_paths: list[str] = field(default_factory=list)  # copied into target/ by docs generate
    target_path: str = "target"
    log_path: str = "logs"
    packages_install_path: str = "dbt_packages"
    clean_targets: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    unrendered_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # as written (state: compares)
    on_run_start: list[str] = field(default_factory=list)
    on_run_end: list[str] = field(default_factory=list)
    dispatch: dict[str, list[str]] = field(default_factory=dict)
    quoting: dict[str, Any] = field(default_factory=dict)

    def config_for(self, resource_type: str, fqn: list[str], unrendered: bool = False) -> dict[str, Any]:
        """The config the project's folder tree gives a resource with this fqn (``unrendered``:
        its templates as written)."""
        tree = (self.unrendered_configs if unrendered else self.configs).get(CONFIG_SECTIONS.get(resource_type, ""), {})
        return config_from_tree(tree, fqn)


def config_from_tree(tree: dict[str, Any], fqn: list[str]) -> dict[str, Any]:
    """The merged ``+config`` of every tree level along ``fqn`` (a fresh top-level dict)."""
    levels = [tree]
    for part in fqn:
        nxt = levels[-1].get(part)
        if not isinstance(nxt, dict):
            break
        levels.append(nxt)
    return dict(_merged_levels(tuple(map(_Level, levels))))


class _Level:
    """A tree level compared by identity: the tree is fixed once dbt_project.yml is loaded."""

    __slots__ = ("tree",)

    def __init__(self, tree: dict[str, Any]):
        self.tree = tree

    def __hash__(self) -> int:
        return id(self.tree)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Level) and other.tree is self.tree


@functools.lru_cache(maxsize=4096)
def _merged_levels(levels: tuple[_Level, ...]) -> dict[str, Any]:
    """Memoised per folder path: thousands of nodes share a handful of folders."""
    parent = _merged_levels(levels[:-1]) if len(levels) > 1 else {}
    return merge_config(parent, _level_configs(levels[-1].tree))


def _level_configs(level: dict[str, Any]) -> dict[str, Any]:
    """Config keys at one level of a tree: ``+key``s, and known keys whose value is not a folder."""
    return normalize_config({key: value for key, value in level.items() if _is_config(key, value)})


def _is_config(key: str, value: Any) -> bool:
    return key.startswith("+") or (key in KNOWN_CONFIGS and (not isinstance(value, dict) or key in DICT_CONFIGS))


def _check_tree(shapes: Shapes, level: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Config values of one tree (``models:``...) at every folder level have the shapes Fusion reads."""
    for key, value in level.items():
        if _is_config(key, value):
            check_config(shapes, key, value, (*keys, key))
        elif isinstance(value, dict):
            _check_tree(shapes, value, (*keys, key))


_PATHS = ("a string", "a list of strings")
#: the shapes dbt accepts for the known keys of dbt_project.yml
PROJECT_KEYS: dict[str, tuple[str, ...]] = {
    "name": ("a string",), "profile": ("a string",), "version": ("a string", "a number"),
    "config-version": ("a number",), "require-dbt-version": _PATHS,
    **{f"{kind}-paths": _PATHS for kind in ("model", "seed", "test", "macro", "analysis", "snapshot",
                                            "docs", "asset")},
    "target-path": ("a string",), "log-path": ("a string",), "packages-install-path": ("a string",),
    "clean-targets": _PATHS, "on-run-start": _PATHS, "on-run-end": _PATHS,
    "vars": ("a mapping",), "quoting": ("a mapping",), "flags": ("a mapping",),
    "dispatch": ("a list of mappings",), "query-comment": ("a string", "a mapping"),
    **{section: ("a mapping",) for section in (*CONFIG_SECTIONS.values(), *_UNUSED_SECTIONS, "tests", "metrics",
                                               "semantic-models", "saved-queries")},
}


def _str_list(raw: dict[str, Any], key: str, default: list[str]) -> list[str]:
    value = raw.get(key)
    if value is None:
        return default
    return [value] if isinstance(value, str) else value


def load_project(project_dir: Path, env_var, cli_vars: dict[str, Any],
                 target_for: Callable[[str], dict[str, Any] | None] = lambda _profile: None) -> Project:
    """``target_for(profile name)``: ``target`` as the file's templates see it (None: undefined)."""
    path = project_dir / PROJECT_FILE
    if not path.is_file():
        raise ProjectError(f"no {PROJECT_FILE} found in {project_dir}",
                           hint="run fusion from a dbt project folder, or pass --project-dir")
    shown = str(path)
    raw, lines = load_yaml_with_lines(path, shown)
    if not isinstance(raw, dict):
        raise ProjectError("dbt_project.yml must be a mapping of keys to values", path=shown)
    profile = str(render_value(raw.get("profile") or raw.get("name"), base_members(env_var, cli_vars), shown))
    target = target_for(profile)
    raw = render_value(raw, base_members(env_var, cli_vars, target), shown,
                       skip=frozenset({"on-run-start", "on-run-end", "models", "seeds", "data_tests",
                                       "tests", "snapshots", "vars",
                                       "query-comment"}))  # rendered per query by dbt, with `node`
    name = raw.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise ProjectError("`name` is required and must be a valid identifier (letters, digits, _)",
                           path=shown)
    shapes = Shapes(shown, lines)
    shapes.check_keys(raw, PROJECT_KEYS)
    hooks = {key: _str_list(raw, key, []) for key in ("on-run-start", "on-run-end")}
    # config trees may use var(): command-line vars first, then the project's own vars
    tree_members = base_members(env_var, {**(raw.get("vars") or {}), **cli_vars}, target)
    configs = {section: render_value(raw.get(section) or {}, tree_members, shown)
               for section in {*CONFIG_SECTIONS.values(), *_UNUSED_SECTIONS, "tests"}}
    for section, tree in configs.items():
        _check_tree(shapes, tree, (section,))
    unrendered = {section: raw.get(section) or {} for section in set(CONFIG_SECTIONS.values()) | {"tests"}}
    for trees in (configs, unrendered):
        if trees.get("tests") and not trees.get("data_tests"):
            trees["data_tests"] = trees["tests"]
    dispatch = {}
    for index, entry in enumerate(raw.get("dispatch") or []):
        shapes.check_keys(entry, {"macro_namespace": ("a string",), "search_order": ("a list of strings",)},
                          ("dispatch", index))
        if not entry.get("macro_namespace"):
            raise ProjectError("each `dispatch` entry needs `macro_namespace` and `search_order`", path=shown,
                               line=shapes.line(("dispatch", index)))
        dispatch[entry["macro_namespace"]] = list(entry.get("search_order") or [])
    return Project(
        name=name,
        root=project_dir,
        profile=profile,
        version=str(raw.get("version", "1.0")),
        model_paths=_str_list(raw, "model-paths", ["models"]),
        seed_paths=_str_list(raw, "seed-paths", ["seeds"]),
        test_paths=_str_list(raw, "test-paths", ["tests"]),
        macro_paths=_str_list(raw, "macro-paths", ["macros"]),
        analysis_paths=_str_list(raw, "analysis-paths", ["analyses"]),
        snapshot_paths=_str_list(raw, "snapshot-paths", ["snapshots"]),
        docs_paths=_str_list(raw, "docs-paths", []) or None,
        asset_paths=_str_list(raw, "asset-paths", []),
        target_path=raw.get("target-path") or "target",
        log_path=raw.get("log-path") or "logs",
        packages_install_path=raw.get("packages-install-path") or "dbt_packages",
        clean_targets=_str_list(raw, "clean-targets", []),
        vars=raw.get("vars") or {},
        configs=configs,
        unrendered_configs=unrendered,
        on_run_start=hooks["on-run-start"],
        on_run_end=hooks["on-run-end"],
        dispatch=dispatch,
        quoting=raw.get("quoting") or {},
    )
