"""dbt's YAML selector grammar: a ``selectors.yml`` definition becomes a Spec.

A definition is a string (``"tag:nightly+"``), a one-key mapping (``tag: nightly``), a mapping
with ``method``/``value`` (and ``parents``, ``children``, ``*_depth``, ``childrens_parents``,
``indirect_selection``, ``exclude``), or ``union:``/``intersection:`` lists whose one optional
``exclude:`` item is taken away from the result.
"""

from __future__ import annotations

from typing import Any

from fusion.errors import SelectionError
from fusion.graph.spec import INDIRECT_MODES, Criterion, SetOp, Spec, check_method, criterion_parts, parse_criterion
from fusion.project.selectors import SELECTORS_FILE, SelectorEntry


class NamedSelectors:
    """The project's selectors by name, parsed once."""

    def __init__(self, entries: list[SelectorEntry]):
        self.entries = {e.name: e for e in entries}
        self.specs: dict[str, Spec] = {}
        for entry in entries:
            try:
                self.specs[entry.name] = parse_definition(entry.raw["definition"], root=True)
            except SelectionError as exc:
                raise SelectionError(f"selector {entry.name!r}: {exc.message}", path=SELECTORS_FILE,
                                     line=entry.line, hint=exc.hint) from exc

    @property
    def default(self) -> str | None:
        return next((name for name, e in self.entries.items() if e.default), None)

    def spec(self, name: str) -> Spec:
        if name not in self.specs:
            known = ", ".join(self.specs) or "none (no selectors.yml)"
            raise SelectionError(f"no selector named {name!r} in {SELECTORS_FILE}", hint=f"known selectors: {known}")
        return self.specs[name]

    def manifest_form(self) -> dict[str, Any]:
        """``manifest.json``'s ``selectors``: each entry as written, its definition in dict form."""
        return {name: {**e.raw, "definition": _normalised(e.raw["definition"])} for name, e in self.entries.items()}


def parse_definition(definition: Any, root: bool = False) -> Spec:
    if isinstance(definition, str):
        return parse_criterion(definition)
    if not isinstance(definition, dict):
        raise SelectionError(f"expected a string or a mapping, found {definition!r}",
                             hint="valid definitions: union, intersection, a string, a method mapping")
    for kind in ("union", "intersection"):
        if kind in definition:
            if root and len(definition) > 1:
                raise SelectionError(f"a root definition allows one `{kind}` key only, found "
                                     + ", ".join(map(str, definition)))
            return _group(kind, _list(definition, kind))
    return _method(definition)


def _group(kind: str, items: list) -> Spec:
    included: list[Spec] = []
    excluded: Spec | None = None
    for item in items:
        if isinstance(item, dict) and "exclude" in item:
            if excluded is not None:
                raise SelectionError(f"only one `exclude` is allowed in a `{kind}`")
            excluded = _exclusions(item)
        else:
            included.append(parse_definition(item))
    spec = SetOp(kind, tuple(included))
    return spec if excluded is None else SetOp("difference", (spec, excluded))


def _exclusions(definition: dict) -> Spec:
    parts = [parse_definition(d) for d in _list(definition, "exclude")]
    return parts[0] if len(parts) == 1 else SetOp("union", tuple(parts))


def _method(definition: dict) -> Spec:
    if len(definition) == 1:
        (method, value), = definition.items()
        fields: dict[str, Any] = {"method": method, "value": value}
    elif "method" in definition and "value" in definition:
        fields = definition
    else:
        raise SelectionError(f"expected one `method: value` key, or `method` and `value` keys; found "
                             f"{', '.join(map(str, definition))}")
    method, value = str(fields["method"]), fields["value"]
    if not isinstance(value, (str, int, float)):
        raise SelectionError(f"the value of method {method!r} must be a string, found {value!r}")
    check_method(method, f"{method}:{value}")
    indirect = fields.get("indirect_selection")
    if indirect is not None and indirect not in INDIRECT_MODES:
        raise SelectionError(f"indirect_selection must be one of {', '.join(INDIRECT_MODES)}, found {indirect!r}")
    criterion = Criterion(method, str(value), bool(fields.get("parents")), _depth(fields, "parents_depth"),
                          bool(fields.get("children")), _depth(fields, "children_depth"),
                          bool(fields.get("childrens_parents")), indirect)
    if len(definition) > 1 and "exclude" in definition:
        return SetOp("difference", (criterion, _exclusions(definition)))
    return criterion


def _depth(fields: dict, key: str) -> int | None:
    raw = fields.get(key)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise SelectionError(f"`{key}` must be a whole number, found {raw!r}") from None


def _list(definition: dict, key: str) -> list:
    value = definition[key]
    if not isinstance(value, list):
        raise SelectionError(f"`{key}` must be a list")
    return value


def _normalised(definition: Any) -> Any:
    """dbt's dict form of a definition, as manifest.json shows it."""
    if isinstance(definition, str):
        return _string_form(definition)
    if not isinstance(definition, dict):
        return definition
    for kind in ("union", "intersection"):
        if kind in definition:
            return {kind: [_normalised(d) if isinstance(d, (str, dict)) else d for d in definition[kind]]}
    key, value = next(iter(definition.items()))
    if isinstance(value, list):
        value = [_normalised(d) for d in value]
    if key == "exclude":
        return {key: value}
    return {"method": key, "value": value} if len(definition) == 1 else definition


def _string_form(text: str) -> dict[str, Any]:
    p = criterion_parts(text)
    flags = {"childrens_parents": bool(p["at"]), "parents": p["up"] is not None, "parents_depth": p["up"],
             "method": p["method"], "value": p["value"], "children": p["down"] is not None,
             "children_depth": p["down"]}
    return {k: v for k, v in flags.items() if v not in (None, "", False)}
