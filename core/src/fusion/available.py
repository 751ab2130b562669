"""``@available``: the methods templates may call on ``adapter`` (as dbt's ``@available``).

Only marked methods reach templates; the rest of an adapter (connections, credentials, its
internals) stays out of the sandbox. While a project is parsed nothing may touch the warehouse,
so a marked method says what a call returns then (``parsing=``) instead of running; methods
that never touch the warehouse (quoting...) leave it out and run at parse time too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__fusion_available__"


class _Runs:
    """``parsing=RUNS``: the method runs at parse time too."""

    def __repr__(self) -> str:
        return "RUNS"


RUNS: Any = _Runs()


@dataclass(frozen=True)
class Available:
    """A method templates may call: ``attribute`` is its Python name."""

    attribute: str
    parsing: Any  # what a call returns while parsing (a fresh copy each time), or RUNS


@overload
def available(func: F, /) -> F: ...
@overload
def available(*, parsing: Any = RUNS, name: str | None = None) -> Callable[[F], F]: ...
def available(func: Any = None, /, *, parsing: Any = RUNS, name: str | None = None) -> Any:
    """Mark a method as ``adapter.<name>`` in templates (``name``: its template name, when it
    differs from the Python one); while parsing a call returns ``parsing`` unless it is RUNS."""
    def mark(method: Any) -> Any:
        setattr(getattr(method, "__func__", method), _MARK, (name, parsing))
        return method

    return mark(func) if func is not None else mark


def available_methods(cls: type) -> dict[str, Available]:
    """{template name: Available} of ``cls`` and its bases (a subclass's mark wins)."""
    found: dict[str, Available] = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            mark = getattr(getattr(value, "__func__", value), _MARK, None)
            if mark is not None:
                name, parsing = mark
                found[name or attribute] = Available(attribute, parsing)
    return found
