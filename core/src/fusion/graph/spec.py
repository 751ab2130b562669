"""Selection specs: one criterion (``[@][N+][method:]value[+N]``) or a set operation over specs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from fusion.errors import SelectionError

_CRITERION = re.compile(
    r"^(?P<at>@)?(?:(?P<up>\d*)\+)?(?:(?P<method>[A-Za-z_][\w.]*):)?(?P<value>[^+]*?)(?:\+(?P<down>\d*))?$")
METHODS = ("fqn", "tag", "path", "file", "config", "resource_type", "source", "package", "test_name",
           "test_type", "exposure", "selector", "source_status", "state", "result")
INDIRECT_MODES = ("eager", "cautious", "buildable", "empty")


@dataclass(frozen=True)
class Criterion:
    method: str
    value: str
    parents: bool = False
    parents_depth: int | None = None
    children: bool = False
    children_depth: int | None = None
    childrens_parents: bool = False
    indirect: str | None = None  # None: the command's --indirect-selection


@dataclass(frozen=True)
class SetOp:
    """``union``, ``intersection`` or ``difference`` (the first component minus the others)."""

    kind: str
    components: tuple[Spec, ...]
    indirect: str | None = None  # cautious/buildable: re-check the tests components left pending
    raw: str | None = None  # a --select word: the selector reports it when it matches nothing


Spec = Criterion | SetOp


def parse_cli(specs: Iterable[str], indirect: str, expect_exists: bool = False) -> SetOp:
    """``--select``/``--exclude`` words: space-separated unions of comma-separated intersections.
    With ``expect_exists`` each word keeps its text, for the warning when it matches nothing."""
    return SetOp("union", tuple(
        SetOp("intersection", tuple(replace(parse_criterion(part), indirect=indirect) for part in token.split(",")),
              indirect, token if expect_exists else None)
        for spec in specs for token in spec.split()), indirect)


def criterion_parts(text: str) -> dict[str, str | None]:
    """The pieces of ``[@][N+][method:]value[+N]``: at, up, method (defaulted), value, down."""
    match = _CRITERION.match(text)
    if not match or not match.group("value"):
        raise SelectionError(f"invalid selector {text!r}",
                             hint="use e.g. my_model, +my_model+, tag:nightly, path:models/staging")
    parts = match.groupdict()
    parts["method"] = parts["method"] or default_method(parts["value"])
    check_method(parts["method"], text)
    if parts["at"] and parts["up"] is not None:
        raise SelectionError(f"invalid selector {text!r}: '@' and a leading '+' cannot be combined")
    return parts


def parse_criterion(text: str) -> Criterion:
    p = criterion_parts(text)
    up, down = p["up"], p["down"]
    return Criterion(p["method"], p["value"], up is not None, int(up) if up else None,
                     down is not None, int(down) if down else None, bool(p["at"]))


def default_method(value: str) -> str:
    return "path" if ("/" in value or value.endswith((".sql", ".csv", ".py"))) else "fqn"


def check_method(method: str, shown: str) -> None:
    base = method.split(".", 1)[0]
    if base not in METHODS or (base == "config" and "." not in method):
        raise SelectionError(f"unknown selection method {method!r} in {shown!r}",
                             hint="known methods: " + ", ".join(METHODS))
