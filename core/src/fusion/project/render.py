"""Rendering ``{{ env_var(...) }}`` / ``{{ var(...) }}`` inside dbt_project.yml and profiles.yml."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from fusion.errors import CompilationError, ProjectError

#: keys whose values are templates rendered later, per node or per run
DEFERRED_KEYS = frozenset({"on-run-start", "on-run-end", "pre-hook", "post-hook", "+pre-hook",
                           "+post-hook", "pre_hook", "post_hook", "+pre_hook", "+post_hook"})


def render_value(value: Any, members: dict[str, Any], path: str, skip: frozenset = DEFERRED_KEYS) -> Any:
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value:
            return value
        from fusion.jinja.environment import environment  # only templated values need Jinja

        try:
            rendered = environment().compile_source(value, path).render(members)
        except CompilationError as exc:
            raise ProjectError(exc.message, path=path, hint=exc.hint) from exc
        except Exception as exc:  # any Jinja error inside a config value
            raise ProjectError(f"could not render {value!r}: {exc}", path=path) from exc
        return _coerce(rendered)
    if isinstance(value, dict):
        return {k: (v if k in skip else render_value(v, members, path, skip)) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, members, path, skip) for v in value]
    return value


def _coerce(text: str) -> Any:
    """``'4'`` rendered from a template becomes 4, ``'true'`` becomes True, as in dbt."""
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    try:
        return int(stripped)
    except ValueError:
        return text


def native_value(text: str) -> Any:
    """A rendered template's text as the Python literal it spells (``'False'`` -> False, ``'[1]'``
    -> [1]), else the text: what dbt's native rendering gives test configs."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def base_members(env_var: Callable[..., str], cli_vars: dict[str, Any],
                 target: dict[str, Any] | None = None) -> dict[str, Any]:
    """``env_var``, ``var`` and, once the profile is known, ``target``."""
    missing = object()

    def var(name, default=missing):
        if name in cli_vars:
            return cli_vars[name]
        if default is missing:
            raise CompilationError(f"Required var {name!r} not found in config")
        return default

    members = {"env_var": env_var, "var": var}
    if target is not None:
        members["target"] = target
    return members
