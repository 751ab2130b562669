"""The variables a template sees while it renders (dbt's Jinja context).

``Runtime`` holds what is fixed for one invocation (manifest, adapter, vars, flags);
``RenderNamespace`` is one render's variables. Macros are not copied into every namespace:
a name is resolved to a macro the first time a template looks it up.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import os
import re
import threading
import types
from dataclasses import dataclass, field
from typing import Any

import jinja2
import pytz
import yaml

from fusion import __version__
from fusion.errors import CompilationError, FusionError
from fusion.jinja.environment import MacroReturn, environment, template_error_stack
from fusion.jinja.macros import CORE_PACKAGE, MacroDef, MacroFile, MacroRegistry
from fusion.project.env import EnvReader
from fusion.relation import Column, Relation
from fusion.yamlio import load_yaml_text


class MacroFunction:
    """A macro bound to one render's namespace; calling it renders the macro body. Its fields are
    private: templates must not reach the runtime (adapter, env) or the environment through it."""

    def __init__(self, macro: MacroDef, namespace: RenderNamespace):
        self._macro = macro
        self._namespace = namespace

    @property
    def name(self) -> str:
        return self._macro.name

    def __call__(self, *args, **kwargs):
        defined = self._namespace.module_for(self._macro.file)
        calls = self._namespace.macro_stack.call_stack
        calls.append(self._macro.unique_id)
        try:
            return defined[self._macro.name](*args, **kwargs)
        except (FusionError, MacroReturn):
            raise
        except RecursionError as exc:
            raise _recursion_error(exc, f"macro {self._macro.name!r}") from None
        except Exception as exc:  # noqa: BLE001 - Jinja's errors and Python's (1/0, a sandbox limit)
            raise _template_error(exc, f"in macro {self._macro.name!r}") from exc
        finally:
            calls.pop()

    def __repr__(self) -> str:
        return f"<macro {self._macro.package}.{self._macro.name}>"


def is_builtin(function: Any, runtime: Runtime) -> bool:
    """Whether ``function`` (what a name resolved to) is a macro of the core or an adapter
    package, i.e. no project or package overrides it."""
    return isinstance(function, MacroFunction) and function._macro.package in runtime.macros.internal


def _template_error(exc: BaseException, where: str) -> CompilationError:
    """The innermost template line, and the macro calls that led there (outermost first)."""
    stack = template_error_stack(exc)
    path, line = stack[-1] if stack else (None, None)
    message = (getattr(exc, "message", None) or str(exc) if isinstance(exc, jinja2.TemplateError)
               else ": ".join(filter(None, (type(exc).__name__, str(exc)))))
    calls = "".join(f"\n  called from {file}:{lineno}" for file, lineno in reversed(stack[:-1]))
    return CompilationError(f"{message} ({where}){calls}", path=path, line=line)


def _recursion_error(exc: RecursionError, what: str) -> CompilationError:
    """Python's recursion limit, reached by templates: the line that kept calling, no traceback."""
    stack = template_error_stack(exc)
    path, line = stack[-1] if stack else (None, None)
    calls = "".join(f"\n  called from {file}:{lineno}" for file, lineno in reversed(stack[:-1][-5:]))
    return CompilationError(f"maximum recursion depth exceeded in {what}{calls}",
                            path=path, line=line,
                            hint="a macro that calls itself needs a case where it stops")


def _add_callers(exc: CompilationError) -> None:
    """Append the template lines the error passed through on its way out (the macro call stack)."""
    if getattr(exc, "callers_added", False):
        return
    exc.callers_added = True
    stack = template_error_stack(exc)
    if exc.path is None and stack:  # raised by Python code a template called: name the template line
        exc.path, exc.line = stack[-1]
    here = (exc.path, exc.line)
    for file, lineno in reversed(stack):
        if (file, lineno) != here:
            exc.message += f"\n  called from {file}:{lineno}"


class ParseUndefined(jinja2.Undefined):
    """An unknown name while parsing (a misspelt macro, a test macro that does not exist): as in
    dbt, parsing goes on (it can be called, and has any attribute) and the node fails when it runs.
    ``is defined`` is still false."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self


class PackageNamespace:
    """``dbt.some_macro`` / ``my_package._private_macro``: macros of one package by name.

    Looked up by item, not attribute: Jinja falls back to ``[name]`` for an attribute the object
    lacks, and so the sandbox, which refuses ``_names`` as attributes, lets private macros through."""

    def __init__(self, package: str, namespace: RenderNamespace):
        self._package = package
        self._namespace = namespace

    def __getitem__(self, name: str):
        overridden = dict.get(self._namespace, f"{self._package}.{name}")  # a unit test's `pkg.macro` override
        if overridden is not None:
            return overridden
        macro = self._namespace.runtime.macros.in_package(self._package, name)
        if macro is None and dict.get(self._namespace, "execute") is False:
            return ParseUndefined(name=f"{self._package}.{name}")
        if macro is None:
            raise CompilationError(f"macro {self._package}.{name} is not defined")
        return MacroFunction(macro, self._namespace)


class MacroStack:
    """``context_macro_stack``: unique ids of the macros being called, outermost first."""

    def __init__(self):
        self.call_stack: list[str] = []

    @property
    def depth(self) -> int:
        return len(self.call_stack)


class RenderNamespace(dict):
    """One render's variables; unknown names fall back to macros and package namespaces.

    Templates see it as ``context`` (as in dbt): its mapping methods only, not its attributes."""

    template_attributes = frozenset({"get", "keys", "items", "values", "update", "setdefault"})

    def __init__(self, runtime: Runtime, package: str, members: dict[str, Any]):
        super().__init__(members)
        self.runtime = runtime
        self.package = package
        self._modules: dict[int, Any] = {}
        self.macro_stack = self["context_macro_stack"] = MacroStack()
        self["context"] = self

    def _resolve(self, key: str):
        macros = self.runtime.macros
        macro = macros.find(key, self.package)
        if macro is not None:
            return MacroFunction(macro, self)
        if key == CORE_PACKAGE or key in macros.by_package:
            return PackageNamespace(key, self)
        found = environment().globals.get(key)  # Jinja's own: range, dict, namespace, cycler...
        if found is None and dict.get(self, "execute") is False:
            return ParseUndefined(name=key)
        return found

    def __contains__(self, key) -> bool:
        if dict.__contains__(self, key):
            return True
        value = self._resolve(key) if isinstance(key, str) else None
        if value is None:
            return False
        self[key] = value
        return True

    def __getitem__(self, key):
        if key in self:
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def module_for(self, file: MacroFile) -> dict[str, Any]:
        """The macros ``file`` defines, bound to this namespace (``_private`` ones included: dbt
        lets any file call them, though a Jinja module would not export them)."""
        defined = self._modules.get(id(file))
        if defined is None:
            context = file.template.new_context(self, shared=True)
            try:
                for _ in file.template.root_render_func(context):
                    pass
            except MacroReturn as exc:
                raise CompilationError("return() used outside a macro", path=file.path) from exc
            defined = self._modules[id(file)] = context.vars
        return defined

    def render(self, template: jinja2.Template) -> str:
        try:
            return _render_shared(template, self)
        except MacroReturn as exc:
            raise CompilationError("return() used outside a macro",
                                   path=getattr(template, "filename", None)) from exc
        except CompilationError as exc:
            _add_callers(exc)
            raise
        except FusionError as exc:  # e.g. the warehouse rejected a statement the template ran
            if exc.path is None:
                exc.path = getattr(template, "filename", None)
            if exc.line is None:  # the innermost line of that file the error passed through
                exc.line = next((line for file, line in reversed(template_error_stack(exc)) if file == exc.path),
                                None)
            raise
        except RecursionError as exc:
            raise _recursion_error(exc, getattr(template, "filename", None) or "a template") from None
        except Exception as exc:  # noqa: BLE001 - Jinja's errors and Python's (1/0, a sandbox limit)
            raise _template_error(exc, "while rendering") from exc

    def evaluate(self, expression: str, path: str):
        """The value (not the text) of a Jinja expression, e.g. ``ref('x')`` -> a Relation."""
        template = environment().compile_source("{{ return(" + expression + ") }}", path)
        try:
            _render_shared(template, self)
        except MacroReturn as returned:
            return returned.value
        except FusionError:
            raise
        except Exception as exc:  # noqa: BLE001 - Jinja's errors and Python's (1/0, a sandbox limit)
            raise _template_error(exc, f"in {expression!r}") from exc
        return None


def _render_shared(template: jinja2.Template, namespace: dict) -> str:
    context = template.new_context(namespace, shared=True)
    values = getattr(template, "fusion_values", None)
    if values is not None:
        context.vars.update(values)
    return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]


@dataclass
class Runtime:
    """What every render of one invocation shares."""

    macros: MacroRegistry
    project_name: str
    adapter: Any  # fusion.adapter.Adapter (connects lazily)
    target: dict[str, Any]
    vars: Any  # fusion.project.vars.Vars
    flags: dict[str, Any] = field(default_factory=dict)
    dispatch: dict[str, list[str]] = field(default_factory=dict)
    invocation_id: str = ""
    run_started_at: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(pytz.utc))
    env: EnvReader = field(default_factory=EnvReader)
    selected: list[str] = field(default_factory=list)  # unique ids chosen by --select (selected_resources)
    target_path: str | None = None  # where ``write()`` puts run/ files
    runtime_config: Any = None  # fusion.jinja.runtime_config.RuntimeConfigView (``builtins.ref.config``)
    defer: Any = None  # --defer: (target node, its relation here) -> the relation to read
    _base_cache: dict[bool, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def adapter_chain(self) -> tuple[str, ...]:
        """The prefixes dispatch tries before ``default__``: the adapter's, then its parents'."""
        return (self.adapter.type_name, *(self.adapter.spec.parents or ()))

    def dispatch_macro(self, namespace: RenderNamespace, name: str, macro_namespace: str | None = None):
        """dbt's ``adapter.dispatch``: a namespace that is neither in ``dispatch:`` nor a package
        (nor given) means a flat lookup from the calling node's package."""
        chain = self.adapter_chain
        if macro_namespace in self.dispatch or macro_namespace == CORE_PACKAGE or (
                macro_namespace is not None and macro_namespace in self.macros.by_package):
            search = list(self.dispatch.get(macro_namespace, [macro_namespace]))
            if macro_namespace not in search:
                search.append(macro_namespace)
            if self.project_name not in search:
                search.insert(0, self.project_name)
            candidates = self.macros.dispatch_candidates(name, search, chain)
            plain_from = macro_namespace
        else:
            search = list(dict.fromkeys((namespace.package, self.project_name, CORE_PACKAGE)))
            candidates = self.macros.flat_dispatch_candidates(name, namespace.package, chain)
            plain_from = namespace.package
        for macro in candidates:
            return MacroFunction(macro, namespace)
        # a plain macro of that name (dbt falls back to it when no prefixed one exists)
        macro = self.macros.find(name, plain_from)
        if macro is not None:
            return MacroFunction(macro, namespace)
        raise CompilationError(
            f"no macro named {name!r} for adapter {self.adapter.type_name!r} "
            f"(searched {', '.join(search)} for {'/'.join(chain)}__{name} and default__{name})")

    def base_members(self, execute: bool) -> dict[str, Any]:
        """Members that do not depend on the node being rendered (built once per mode)."""
        cached = self._base_cache.get(execute)
        if cached is None:
            cached = self._base_cache[execute] = self._build_base_members(execute)
        return {**cached, "thread_id": threading.current_thread().name}

    def _build_base_members(self, execute: bool) -> dict[str, Any]:
        debugging = {"debug": _debug} if os.environ.get("DBT_MACRO_DEBUGGING") else {}
        return {
            **debugging,
            "env_var": self.env.env_var,
            "target": self.target,
            "execute": execute,
            "modules": MODULES,
            "exceptions": EXCEPTIONS,
            # api.Column is the adapter's column class where it has one (dbt's ``adapter.Column``)
            "api": _Namespace(Relation=_AdapterRelations(self.adapter), Column=getattr(self.adapter, "Column", Column)),
            "log": _log,
            "print": _print,
            "return": _return,
            "fromjson": _fromjson,
            "tojson": _tojson,
            "fromyaml": _fromyaml,
            "toyaml": _toyaml,
            "zip": _zip,
            "set": _set,
            "local_md5": _local_md5,
            "invocation_id": self.invocation_id,
            "run_started_at": self.run_started_at,
            "flags": _Flags(self.flags),
            "invocation_args_dict": {k.lower(): v for k, v in self.flags.items()},
            "set_strict": _set_strict,
            "zip_strict": _zip_strict,
            "diff_of_two_dicts": _diff_of_two_dicts,
            "try_or_compiler_error": _try_or_compiler_error,
            "dbt_metadata_envs": {k[len("DBT_ENV_CUSTOM_ENV_"):]: v for k, v in os.environ.items()
                                  if k.startswith("DBT_ENV_CUSTOM_ENV_")},
            "project_name": self.project_name,
            "dbt_version": __version__,
        }


# --- small context members (pure functions) --------------------------------------------------

def _return(value=None):
    raise MacroReturn(value)


def _log(msg, info=False):
    from fusion.events import emit_log

    emit_log(str(msg), info=bool(info))
    return ""


def _print(msg):
    from fusion.events import emit_print

    emit_print(str(msg))
    return ""


def _fromjson(text, default=None):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def _tojson(value, default=None, sort_keys=False):
    try:
        return json.dumps(value, sort_keys=sort_keys, default=str)
    except (TypeError, ValueError):
        return default


def _fromyaml(text, default=None):
    try:
        return load_yaml_text(text, "fromyaml()")
    except (FusionError, TypeError):  # bad YAML, too deep or an alias bomb: the default, as dbt does
        return default


def _toyaml(value, default=None, sort_keys=False):
    try:
        return yaml.safe_dump(value, sort_keys=sort_keys)
    except yaml.YAMLError:
        return default


def _zip(*args, default=None):
    try:
        return list(zip(*args, strict=False))
    except TypeError:
        return default


def _set(value, default=None):
    try:
        return set(value)
    except TypeError:
        return default


def _local_md5(value: str) -> str:
    return hashlib.md5(value.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not security


class _Flags:
    """``flags.FULL_REFRESH`` and friends; unknown flags read as None."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getattr__(self, name: str):
        return self._values.get(name)


class _Namespace:
    def __init__(self, **members):
        self.__dict__.update(members)


def _raise(kind: str):
    def raise_(*args, **_kwargs):
        detail = " ".join(str(a) for a in args if a is not None)
        raise CompilationError(f"{kind}: {detail}" if kind else detail)

    return raise_


def _raise_message(kind: str):
    """``raise_x(msg, node=None)``: the message only (the node is where the error is reported)."""
    def raise_(msg="", *_node, **_kwargs):
        raise CompilationError(f"{kind}: {msg}" if kind else str(msg))

    return raise_


def _warn(msg, node=None):
    from fusion.events import emit_log

    emit_log(f"Warning: {msg}", info=True)
    return ""


def _raise_contract_error(yaml_columns, sql_columns):
    """The declared columns (``yaml_columns``) and the query's differ: say how."""
    from fusion.contract_sql import contract_problems

    def as_column(column):
        return Column(column["name"], column["data_type"]) if isinstance(column, dict) else column

    problems = contract_problems([as_column(c) for c in yaml_columns], [as_column(c) for c in sql_columns])
    raise CompilationError("the query's columns do not match the contract:\n  "
                           + "\n  ".join(problems or ["(same names and types)"]))


def _try_or_compiler_error(message_if_exception, func, *args, **kwargs):
    """``func(*args, **kwargs)``; any failure becomes a compilation error with the given message."""
    try:
        return func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - dbt turns every failure into this one error
        raise CompilationError(str(message_if_exception)) from exc


def _debug():
    """Stop in the Python debugger at the template line (only with DBT_MACRO_DEBUGGING set, as in dbt)."""
    import pdb
    import sys

    pdb.Pdb().set_trace(sys._getframe(1))
    return ""


def _set_strict(value):
    return set(value)


def _zip_strict(*args):
    return list(zip(*args, strict=True))


def _diff_of_two_dicts(dict_a: dict, dict_b: dict) -> dict:
    """Keys of ``dict_a`` (and values) that ``dict_b`` lacks, compared case-insensitively."""
    lowered_b = {str(k).lower(): {str(v).lower() for v in vs} for k, vs in dict_b.items()}
    out = {}
    for key, values in dict_a.items():
        missing = [v for v in values if str(v).lower() not in lowered_b.get(str(key).lower(), set())]
        if missing:
            out[key] = missing
    return out


class _AdapterRelations:
    """``api.Relation``: relations made by the adapter, so they quote as the adapter does."""

    def __init__(self, adapter):
        self._adapter = adapter

    def create(self, database=None, schema=None, identifier=None, type=None, **kwargs) -> Relation:
        relation = self._adapter.relation(database, schema, identifier, type)
        policy = kwargs.get("quote_policy")
        if not isinstance(policy, dict):
            return relation
        return relation.quote(**{k: v for k, v in policy.items() if k in ("database", "schema", "identifier")})


class _Module:
    """A module as templates see it (``modules.re``): its members, but not the modules it imported
    (``pytz.os``), which the sandbox refuses anyway."""

    def __init__(self, module: types.ModuleType):
        self._module = module

    def __getattr__(self, name: str):
        value = getattr(self._module, name)
        if isinstance(value, types.ModuleType):
            raise AttributeError(name)
        return value


MODULES = _Namespace(**{m.__name__: _Module(m) for m in (datetime, pytz, re, itertools)})
EXCEPTIONS = _Namespace(
    warn=_warn,
    raise_compiler_error=_raise_message(""),
    raise_not_implemented=_raise_message("not implemented"),
    raise_database_error=_raise_message("database error"),
    raise_dependency_error=_raise_message("dependency error"),
    raise_contract_error=_raise_contract_error,
    raise_fail_fast_error=_raise_message("fail fast"),
    missing_config=lambda model, name: _raise("missing config")(f"{name!r} is required for {model}"),
    missing_materialization=lambda model, adapter_type: _raise("missing materialization")(
        f"no materialization for {model} on {adapter_type}"),
    missing_relation=lambda relation, model=None: _raise("missing relation")(f"{relation} does not exist"),
    relation_wrong_type=lambda relation, expected_type, model=None: _raise("wrong relation type")(
        f"{relation} is a {relation.type}, expected a {expected_type}"),
    column_type_missing=lambda column_names: _raise("column types missing")(", ".join(column_names)),
    raise_ambiguous_alias=_raise("ambiguous alias"),
    raise_ambiguous_catalog_match=_raise("ambiguous catalog match"),
    raise_cache_inconsistent=_raise("cache inconsistent"),
    raise_dataclass_not_dict=_raise("not a dict"),
    raise_dep_not_found=_raise("dependency not found"),
    raise_duplicate_patch_name=_raise("duplicate patch name"),
    raise_duplicate_resource_name=_raise("duplicate resource name"),
    raise_invalid_property_yml_version=_raise("invalid properties version"),
    warn_snapshot_timestamp_data_types=lambda *a, **k: "",
)


def _validate_any(*allowed):
    """``validation.any(str, 'x', ...)``: a validator accepting values of those types or equal to them."""
    def check(value):
        for option in allowed:
            if (isinstance(option, type) and isinstance(value, option)) or value == option:
                return
        raise CompilationError(f"expected {value!r} to be one of {', '.join(map(str, allowed))}")

    return check


VALIDATION = _Namespace(any=_validate_any)
