"""The Jinja environment: dbt's block tags, filters and a compiled-template cache.

dbt files use tags beyond plain Jinja: ``{% test %}``, ``{% materialization %}``, ``{% docs %}``
and ``{% snapshot %}``. Each is parsed into an ordinary Jinja macro with a prefixed name
(``test_<name>``, ``materialization_<name>_<adapter>``, ``docs_<name>``,
``snapshot_<name>``) so that one macro machinery serves them all.
"""

from __future__ import annotations

import threading
from functools import cache

import jinja2
import jinja2.compiler
import jinja2.ext
import jinja2.nodes as nodes
import jinja2.runtime

from fusion.errors import CompilationError


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
    """Makes every macro definition (even a call between macros of one file) return-aware."""

    def macro_def(self, macro_ref, frame):
        self.write("environment.return_aware(")
        super().macro_def(macro_ref, frame)
        self.write(")")


class FusionEnvironment(jinja2.Environment):
    """One shared environment; templates are compiled once per source text."""

    code_generator_class = _CodeGenerator

    def __init__(self, undefined=jinja2.Undefined):
        super().__init__(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", DbtBlocks],
            undefined=undefined,
            keep_trailing_newline=True,
            autoescape=False,
            cache_size=0,
        )
        self.filters.update(as_bool=as_bool, as_number=as_number, as_native=as_native, as_text=as_text)
        self._templates: dict[tuple[str, str], jinja2.Template] = {}
        self._lock = threading.Lock()

    @staticmethod
    def return_aware(macro: jinja2.runtime.Macro) -> jinja2.runtime.Macro:
        macro.__class__ = ReturnAwareMacro
        return macro

    def compile_source(self, source: str, path: str) -> jinja2.Template:
        """Compile once per (path, text); tracebacks and errors name ``path``."""
        key = (path, source)
        template = self._templates.get(key)
        if template is None:
            try:
                code = self.compile(source, name=path, filename=path)
            except jinja2.TemplateSyntaxError as exc:
                raise _syntax_error(exc, path) from exc
            template = self.template_class.from_code(self, code, self.make_globals(None), None)
            with self._lock:
                self._templates[key] = template
        return template

    def parse_source(self, source: str, path: str):
        try:
            return self.parse(source, name=path, filename=path)
        except jinja2.TemplateSyntaxError as exc:
            raise _syntax_error(exc, path) from exc


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
