"""Python models: their ``dbt.ref``/``dbt.source``/``dbt.config`` calls, read with ``ast``.

The file is parsed, never run (as dbt parses it): arguments must be literals.
"""

from __future__ import annotations

import ast

from fusion.errors import ProjectError
from fusion.jinja.node_context import Capture
from fusion.manifest.nodes import RefCall

CALLS = ("ref", "source", "config")


def python_model_capture(text: str, path: str) -> Capture:
    """The refs, sources and config a Python model declares."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise ProjectError(f"Python syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    if sum(isinstance(n, ast.FunctionDef) and n.name == "model" for n in tree.body) != 1:
        raise ProjectError("a Python model defines exactly one top-level `def model(dbt, session)`", path=path)
    capture = Capture()
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in CALLS
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "dbt"):
            continue
        args, kwargs = _literals(call, path)
        if call.func.attr == "config":
            capture.config.update(kwargs)
        elif call.func.attr == "source":
            if len(args) != 2:
                raise ProjectError("dbt.source() takes a source name and a table name", path=path, line=call.lineno)
            capture.sources.append([str(args[0]), str(args[1])])
        else:
            if len(args) not in (1, 2):
                raise ProjectError("dbt.ref() takes a model name, or a package and a model name", path=path,
                                   line=call.lineno)
            version = kwargs.get("v", kwargs.get("version"))
            capture.refs.append(RefCall(str(args[-1]), str(args[0]) if len(args) == 2 else None, version))
    return capture


def _literals(call: ast.Call, path: str) -> tuple[list, dict]:
    try:
        return ([ast.literal_eval(a) for a in call.args],
                {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg is not None})
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ProjectError(f"the arguments of dbt.{call.func.attr}() must be literals (strings, numbers, lists...)",
                           path=path, line=call.lineno) from None
