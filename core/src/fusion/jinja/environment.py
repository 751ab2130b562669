"""The Jinja environment: dbt's block tags, filters, the sandbox and a compiled-template cache.

dbt files use tags beyond plain Jinja: ``{% test %}``, ``{% materialization %}``, ``{% docs %}``
and ``{% snapshot %}``. Each is parsed into an ordinary Jinja macro with a prefixed name
(``test_<name>``, ``materialization_<name>_<adapter>``, ``docs_<name>``,
``snapshot_<name>``) so that one macro machinery serves them all.

Project files are untrusted, so every template renders in Jinja's sandbox, as in dbt: private
and internal attributes (``__globals__``, ``gi_frame``...), modules reached through attributes,
and format-string tricks raise a SecurityError instead of reaching Python's internals.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import types
from functools import cache

import jinja2
import jinja2.compiler
import jinja2.ext
import jinja2.nodes as nodes
import jinja2.runtime
import jinja2.sandbox

from fusion.errors import CompilationError
from fusion.jinja.code_cache import CodeCache, key_for
from fusion.jinja.shapes import LITERAL, TEXT, shape_of


class DbtBlocks(jinja2.ext.Extension):
    tags = {"test", "data_test", "materialization", "docs", "snapshot"}

    def parse(self, parser):
        tag = next(parser.stream)
        lineno = tag.lineno
        name = parser.stream.expect("name").value
        macro = nodes.Macro(lineno=lineno)
        if tag.value in ("test", "data_test"):
            macro.name = f"test_{name}"
            parser.parse_signature(macro)
        elif tag.value == "materialization":
            macro.name = f"materialization_{name}_{self._materialization_adapter(parser)}"
            macro.args, macro.defaults = [], []
        else:
            macro.name = f"{tag.value}_{name}"
            macro.args, macro.defaults = [], []
        end = "enddocs" if tag.value == "docs" else f"end{tag.value}"
        macro.body = parser.parse_statements((f"name:{end}",), drop_needle=True)
        return macro

    @staticmethod
    def _materialization_adapter(parser) -> str:
        adapter = "default"
        while parser.stream.skip_if("comma"):
            if parser.stream.current.test("name:default"):
                next(parser.stream)
                continue
            key = parser.stream.expect("name").value
            parser.stream.expect("assign")
            value = parser.parse_expression()
            if key == "adapter":
                if not isinstance(value, nodes.Const):
                    parser.fail("materialization adapter must be a string literal", value.lineno)
                adapter = value.value
        return adapter


#: set while a YAML value renders natively (see ``native_rendering``)
_NATIVE = contextvars.ContextVar("native_rendering", default=False)


@contextlib.contextmanager
def native_rendering():
    """dbt's native rendering of YAML configs: there ``as_bool``/``as_number``/``as_native``
    mark their value as text for the final result to be read back as a literal, so within an
    expression the value is a (truthy) string: ``(false | as_bool) and x`` is ``x``."""
    token = _NATIVE.set(True)
    try:
        yield
    finally:
        _NATIVE.reset(token)


def as_bool(value):
    return _native(value, bool)


def as_number(value):
    return _native(value, (int, float))


def as_native(value):
    return _native(value, object)


def as_text(value):
    return "" if value is None else str(value)


def _native(value, kind):
    import ast

    if _NATIVE.get():
        return str(value)
    if isinstance(value, kind) and not isinstance(value, str):
        return value
    try:
        parsed = ast.literal_eval(str(value).strip())
    except (ValueError, SyntaxError):
        if kind is object:
            return value
        raise CompilationError(f"could not convert {value!r} to {getattr(kind, '__name__', 'a number')}") from None
    return parsed


class MacroReturn(Exception):  # noqa: N818 - control flow, not an error
    """Raised by ``return(value)``; the enclosing macro call evaluates to ``value``."""

    def __init__(self, value):
        super().__init__()
        self.value = value


class ReturnAwareMacro(jinja2.runtime.Macro):
    """A Jinja macro whose call yields the value given to ``return()``, if any."""

    def _invoke(self, arguments, autoescape):
        try:
            return super()._invoke(arguments, autoescape)
        except MacroReturn as returned:
            return returned.value


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Makes every macro definition (even a call between macros of one file) return-aware. A call
    block's body is not: as in dbt, ``return()`` there returns from the macro that ran ``caller()``."""

    def macro_def(self, macro_ref, frame):
        if isinstance(macro_ref.node, jinja2.nodes.CallBlock):
            super().macro_def(macro_ref, frame)
            return
        self.write("environment.return_aware(")
        super().macro_def(macro_ref, frame)
        self.write(")")


class FusionTemplate(jinja2.Template):
    """A template that may render a shared shape: its lines map back to the file's own."""

    fusion_lines: list[int] | None = None

    def get_corresponding_lineno(self, lineno: int) -> int:
        line = super().get_corresponding_lineno(lineno)
        if self.fusion_lines is None:
            return line
        return self.fusion_lines[min(max(line, 1), len(self.fusion_lines)) - 1]


class _NoFiles(jinja2.BaseLoader):
    """Templates name no other file: ``{% include %}``/``{% import %}``/``{% extends %}`` are errors."""

    def get_source(self, environment, template):
        raise jinja2.TemplateNotFound(template, f"cannot include, import or extend {template!r}: "
                                                "templates reach other files' macros by calling them")


# Objects of these libraries reach templates only as values (query results); their methods write files.
_DATA_LIBRARIES = frozenset({"pyarrow", "numpy", "pandas", "polars"})


class FusionEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """One shared sandboxed environment; templates are compiled once per source text."""

    code_generator_class = _CodeGenerator
    template_class = FusionTemplate

    def __init__(self, undefined=jinja2.Undefined):
        super().__init__(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", DbtBlocks],
            loader=_NoFiles(),
            undefined=undefined,
            keep_trailing_newline=True,
            autoescape=False,
            cache_size=0,
        )
        self.filters.update(as_bool=as_bool, as_number=as_number, as_native=as_native, as_text=as_text)
        self._templates: dict[tuple[str, str], jinja2.Template] = {}
        self._shapes: dict[str, types.CodeType] = {}
        self._lock = threading.Lock()
        self.code_cache: CodeCache | None = None  # compiled code kept between runs, if attached

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        """Jinja's rule, no module (``modules.pytz.os`` would reach all of Python), and nothing of a
        data library's objects (Arrow tables lead to pandas/numpy writers such as ``.tofile``); an
        object that lists its ``template_attributes`` shows those only."""
        allowed = getattr(type(obj), "template_attributes", None)
        return ((allowed is None or attr in allowed)
                and not isinstance(value, types.ModuleType)
                and type(obj).__module__.partition(".")[0] not in _DATA_LIBRARIES
                and super().is_safe_attribute(obj, attr, value))

    def unsafe_undefined(self, obj, attribute: str):
        """Fail at the access itself (an Undefined would render as an empty string)."""
        raise jinja2.sandbox.SecurityError(
            f"access to attribute {attribute!r} of a {type(obj).__name__!r} object is unsafe: "
            "templates run in a sandbox")

    @staticmethod
    def return_aware(macro: jinja2.runtime.Macro) -> jinja2.runtime.Macro:
        macro.__class__ = ReturnAwareMacro
        return macro

    def compile_source(self, source: str, path: str) -> jinja2.Template:
        """Compile once per (path, text); tracebacks and errors name ``path``."""
        key = (path, source)
        template = self._templates.get(key)
        if template is None:
            template = self._compile_shaped(source, path)
            if template is None:
                try:
                    code = self._compiled(source, path, key_for("file", path, source))
                except jinja2.TemplateSyntaxError as exc:
                    raise _syntax_error(exc, path) from exc
                template = self.template_class.from_code(self, code, self.make_globals(None), None)
            with self._lock:
                self._templates[key] = template
        return template

    def _compile_shaped(self, source: str, path: str) -> jinja2.Template | None:
        """The template through its shape's shared code (see fusion.jinja.shapes), if it has one."""
        shaped = shape_of(source) if "\r" not in source else None
        if shaped is None:
            return None
        shape, texts, literals, lines = shaped
        code = self._shapes.get(shape)
        if code is None:
            try:
                code = self._compiled(shape, path, key_for("shape", shape))
            except jinja2.TemplateSyntaxError:
                return None  # compiled as it is, the error then quotes the file's own text
            with self._lock:
                self._shapes[shape] = code
        values = {TEXT: texts, LITERAL: literals}
        template = self.template_class.from_code(self, _with_filename(code, path), self.make_globals(values), None)
        template.name = path
        template.fusion_values = values  # shared renders pass no globals: see context._render_shared
        template.fusion_lines = lines
        return template

    def _compiled(self, source: str, path: str, key: str) -> types.CodeType:
        code = self.code_cache.get(key) if self.code_cache is not None else None
        if code is None:
            code = self.compile(source, name=path, filename=path)
            if self.code_cache is not None:
                self.code_cache.put(key, code)
        return code

    def parse_source(self, source: str, path: str):
        try:
            return self.parse(source, name=path, filename=path)
        except jinja2.TemplateSyntaxError as exc:
            raise _syntax_error(exc, path) from exc


def _with_filename(code: types.CodeType, filename: str) -> types.CodeType:
    """A copy of compiled template code whose frames name ``filename`` (for errors and tracebacks)."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def template_error_stack(exc: BaseException) -> list[tuple[str, int]]:
    """Template (file, line) frames an exception passed through, outermost first."""
    frames: list[tuple[str, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            frame = (tb.tb_frame.f_code.co_filename, template.get_corresponding_lineno(tb.tb_lineno))
            if not frames or frames[-1] != frame:
                frames.append(frame)
        tb = tb.tb_next
    return frames


def _syntax_error(exc: jinja2.TemplateSyntaxError, path: str) -> CompilationError:
    return CompilationError(f"Jinja syntax error: {exc.message}", path=path, line=exc.lineno,
                            hint="check the matching {% ... %} / {{ ... }} delimiters and block ends")


@cache
def environment() -> FusionEnvironment:
    return FusionEnvironment()
