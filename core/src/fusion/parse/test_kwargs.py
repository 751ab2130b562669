"""A generic test's arguments as its macro receives them, rendered at parse time and again at compile
time: the parser and the compiler share this."""

from __future__ import annotations

import re
from typing import Any

from fusion.jinja.environment import environment

GENERIC_TEST_KWARGS = "_dbt_generic_test_kwargs"
#: generic tests' synthesized raw code is compiled once per distinct text, whatever file declares it
GENERIC_TEST_SOURCE = "<generic test>"

_LOOKS_LIKE_CALL = re.compile(r"^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$")
#: ``ref('m')``, ``source('s', 't')``, optionally inside ``get_where_subquery(...)``, with plain literals:
#: evaluated directly instead of compiling a template per test (thousands of tests share the shape)
_SIMPLE_TARGET = re.compile(
    r"""^\s*(?P<where>get_where_subquery\(\s*)?(?P<fn>ref|source)\(\s*(?P<args>(?:'[^'\\]*'|"[^"\\]*")"""
    r"""(?:\s*,\s*(?:'[^'\\]*'|"[^"\\]*"))?)\s*\)(?(where)\s*\))\s*$""")


def _evaluate_expression(namespace, expression: str, path: str):
    simple = _SIMPLE_TARGET.match(expression)
    if simple is None:
        return namespace.evaluate(expression, path)
    args = [a.strip()[1:-1] for a in re.findall(r"'[^']*'|\"[^\"]*\"", simple.group("args"))]
    target = namespace[simple.group("fn")](*args)
    return namespace["get_where_subquery"](target) if simple.group("where") else target


def render_test_kwargs(namespace, args: dict[str, Any], path: str) -> dict[str, Any]:
    """Test arguments as the test macro receives them: ``ref(...)`` strings become relations.
    ``path``: the YAML file that gives them (errors name it)."""

    def convert(value, key=None):
        if isinstance(value, str) and key != "column_name":
            if _LOOKS_LIKE_CALL.match(value):
                return _evaluate_expression(namespace, value.strip(), path)
            if "{{" in value or "{%" in value:
                stripped = value.strip()
                if stripped.startswith("{{") and stripped.endswith("}}") and stripped.count("{{") == 1:
                    return _evaluate_expression(namespace, stripped[2:-2].strip(), path)
                return namespace.render(environment().compile_source(value, path))
            return value
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return {key: convert(value, key) for key, value in args.items()}
