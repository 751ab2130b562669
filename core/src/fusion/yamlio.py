"""YAML reading with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fusion.errors import ProjectError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_text(text: str, path: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProjectError(f"invalid YAML: {problem}", path=path,
                           line=mark.line + 1 if mark else None,
                           hint="fix the indentation or quoting on that line") from exc


def load_yaml_file(path: Path, shown_as: str | None = None) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProjectError(f"cannot read file: {exc.strerror}", path=shown_as or str(path)) from exc
    return load_yaml_text(text, shown_as or str(path))
