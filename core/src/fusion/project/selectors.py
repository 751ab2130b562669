"""``selectors.yml``: read, render (``env_var``/``var`` from the command line, as dbt does) and check
the outer shape; each entry keeps the line it starts on for error messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fusion.errors import ProjectError
from fusion.project.render import base_members, render_value
from fusion.yamlio import load_yaml_text

SELECTORS_FILE = "selectors.yml"


@dataclass(frozen=True)
class SelectorEntry:
    name: str
    line: int
    default: bool
    raw: dict[str, Any]  # the rendered entry: name, definition, description, default


def load_selector_entries(project_dir: Path, env_var, cli_vars: dict[str, Any]) -> list[SelectorEntry]:
    path = project_dir / SELECTORS_FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    data = load_yaml_text(text, SELECTORS_FILE)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("selectors"), list):
        raise ProjectError("expected a top-level `selectors:` list", path=SELECTORS_FILE, line=1,
                           hint="see https://docs.getdbt.com/reference/node-selection/yaml-selectors")
    lines = _entry_lines(text)
    entries: list[SelectorEntry] = []
    for index, raw in enumerate(data["selectors"]):
        line = lines[index] if index < len(lines) else None
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or "definition" not in raw:
            raise ProjectError("each selector needs a `name` and a `definition`", path=SELECTORS_FILE, line=line)
        rendered = render_value(raw, base_members(env_var, cli_vars), SELECTORS_FILE)
        default = rendered.get("default", False)
        if not isinstance(default, bool):
            raise ProjectError(f"selector {raw['name']!r}: `default` must be true or false",
                               path=SELECTORS_FILE, line=line)
        if any(e.name == raw["name"] for e in entries):
            raise ProjectError(f"selector {raw['name']!r} is defined twice", path=SELECTORS_FILE, line=line)
        entries.append(SelectorEntry(raw["name"], line, default, rendered))
    defaults = [e.name for e in entries if e.default]
    if len(defaults) > 1:
        raise ProjectError(f"several selectors have `default: true`: {', '.join(defaults)}",
                           path=SELECTORS_FILE, hint="at most one selector can be the default")
    return entries


def _entry_lines(text: str) -> list[int]:
    """1-based line of each item of the top-level ``selectors`` list."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
    for key, value in getattr(root, "value", []):
        if key.value == "selectors" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
