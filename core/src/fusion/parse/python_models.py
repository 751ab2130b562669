"""Python models: their ``dbt.ref``/``dbt.source``/``dbt.config`` calls, read with ``ast``.

The file is parsed, never run (as dbt parses it): arguments must be literals, and the file must
define one ``def model(dbt, session)`` whose last statement returns one object.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fusion.errors import ProjectError
from fusion.jinja.node_context import Capture
from fusion.manifest.nodes import RefCall

#: the calls read from a model, as dotted names
CALLS = ("dbt.ref", "dbt.source", "dbt.config", "dbt.config.get", "dbt.config.meta_get")


@dataclass
class PythonModel:
    """What a Python model's text declares."""

    capture: Capture
    config_keys: dict[str, Any] = field(default_factory=dict)  # dbt.config.get(key, default)
    meta_keys: dict[str, Any] = field(default_factory=dict)  # dbt.config.meta_get(key, default)
    reads_this: bool = False  # mentions dbt.this


def python_model_capture(text: str, path: str) -> Capture:
    """The refs, sources and config a Python model declares."""
    return inspect_python_model(text, path).capture


def inspect_python_model(text: str, path: str) -> PythonModel:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise ProjectError(f"Python syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    _check_model_function(tree, path)
    found = PythonModel(Capture())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _dotted(node) == "dbt.this":
            found.reads_this = True
        elif isinstance(node, ast.Call) and _dotted(node.func) in CALLS:
            _record(found, node, path)
    return found


def _record(found: PythonModel, call: ast.Call, path: str) -> None:
    name = _dotted(call.func)
    args, kwargs = _literals(call, path)
    capture = found.capture
    if name == "dbt.config":
        capture.config.update(kwargs)
    elif name in ("dbt.config.get", "dbt.config.meta_get"):
        if not 1 <= len(args) <= 2:
            raise ProjectError(f"{name}() takes a key and an optional default", path=path, line=call.lineno)
        keys = found.config_keys if name == "dbt.config.get" else found.meta_keys
        keys[str(args[0])] = args[1] if len(args) == 2 else None
    elif name == "dbt.source":
        if len(args) != 2:
            raise ProjectError("dbt.source() takes a source name and a table name", path=path, line=call.lineno)
        capture.sources.append([str(args[0]), str(args[1])])
    else:
        if len(args) not in (1, 2):
            raise ProjectError("dbt.ref() takes a model name, or a package and a model name", path=path,
                               line=call.lineno)
        version = kwargs.get("v", kwargs.get("version"))
        capture.refs.append(RefCall(str(args[-1]), str(args[0]) if len(args) == 2 else None, version))


def _check_model_function(tree: ast.Module, path: str) -> None:
    """dbt's rules: exactly one ``model`` function (outside other functions), taking ``dbt`` and
    a session, whose last statement returns a single object."""
    models = [f for f in _functions(tree) if f.name == "model"]
    if len(models) != 1:
        raise ProjectError(f"a Python model defines exactly one `def model(dbt, session)`, found {len(models)}",
                           path=path, line=models[1].lineno if len(models) > 1 else None,
                           hint="dbt runs the function named `model`; rename the others")
    model = models[0]
    args = [a.arg for a in model.args.args]
    if len(args) != 2 or args[0] != "dbt":
        raise ProjectError(f"the model function takes two arguments, `dbt` and a session, not ({', '.join(args)})",
                           path=path, line=model.lineno, hint="write it as `def model(dbt, session):`")
    last = model.body[-1]
    if not isinstance(last, ast.Return) or last.value is None or isinstance(last.value, ast.Tuple):
        raise ProjectError("the model function must end with `return <one DataFrame or Arrow table>`",
                           path=path, line=last.lineno)


def _functions(node: ast.AST) -> Iterator[ast.FunctionDef]:
    """Function definitions, not looking inside functions (a helper's inner ``model`` is not one)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef):
            yield child
        elif not isinstance(child, (ast.AsyncFunctionDef, ast.Lambda)):
            yield from _functions(child)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _literals(call: ast.Call, path: str) -> tuple[list, dict]:
    try:
        return ([ast.literal_eval(a) for a in call.args],
                {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg is not None})
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ProjectError(f"the arguments of {_dotted(call.func)}() must be literals (strings, numbers, lists...)",
                           path=path, line=call.lineno,
                           hint="Fusion, like dbt, reads them without running the file: write the name out") from None
