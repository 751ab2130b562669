"""Type checks of YAML values (project, profiles, properties, configs) naming the line of the bad key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fusion.errors import ProjectError
from fusion.yamlio import KeyLines

#: names of the shapes a key may take, and how to recognise each
SHAPES = {
    "a mapping": lambda v: isinstance(v, dict),
    "a list": lambda v: isinstance(v, list),
    "a string": lambda v: isinstance(v, str),
    "a number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "true or false": lambda v: isinstance(v, bool),
    "a list of strings": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "a list of mappings": lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v),
}
#: what to write instead, by the first shape a key may take
HINTS = {
    "a mapping": "indent `name: value` lines under the key (no `- ` in front of them)",
    "a list": "write `- item` lines under the key, or `[a, b]`",
    "a string": "write one value; quote it if it looks like a list or a mapping",
    "a number": "write a plain number",
    "true or false": "write true or false",
    "a list of strings": "write `- item` lines under the key, or `[a, b]`, one string each",
    "a list of mappings": "write each entry as `- name: value` lines under the key",
}


class Shapes:
    """Checks values of one YAML file; errors name the file and the key's line."""

    def __init__(self, path: str | None, lines: KeyLines | Callable[[], KeyLines], show_values: bool = True):
        self.path = path
        self._lines = lines  # or how to find them, when an error needs them
        self.show_values = show_values  # off for files that hold secrets

    def line(self, keys: tuple[str | int, ...]) -> int | None:
        if callable(self._lines):
            self._lines = self._lines()
        while keys and keys not in self._lines:
            keys = keys[:-1]
        return self._lines.get(keys)

    def check(self, value: Any, keys: tuple[str | int, ...], *shapes: str, hint: str | None = None) -> Any:
        """``value`` if it has one of ``shapes`` (None always passes: an empty key is an absent one)."""
        if value is None or any(SHAPES[s](value) for s in shapes):
            return value
        raise ProjectError(
            f"`{_dotted(keys)}` must be {' or '.join(shapes)}, not {_describe(value, self.show_values)}",
            path=self.path, line=self.line(keys), hint=hint or HINTS[shapes[0]])

    def check_keys(self, raw: dict[str, Any], expected: dict[str, tuple[str, ...]],
                   prefix: tuple[str | int, ...] = ()) -> None:
        for key, shapes in expected.items():
            self.check(raw.get(key), (*prefix, key), *shapes)


def _dotted(keys: tuple[str | int, ...]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")


def _describe(value: Any, show_value: bool) -> str:
    name = next((n for n in ("a mapping", "a list", "a string", "true or false", "a number")
                 if SHAPES[n](value)), type(value).__name__)
    return f"{name} ({_short(value)})" if show_value else name


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
