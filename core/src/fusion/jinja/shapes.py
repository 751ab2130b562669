"""Template shapes: files that differ only in SQL text and literals share one compiled template.

Most model files are SQL with a few ``{{ ref('...') }}``-like expressions. Compiling each through
Jinja (lex, parse, generate Python, compile) dominates a cold parse, yet thousands of files have
the same *shape*: the same Jinja constructs with different literals and different SQL between
them. ``shape_of`` rewrites a template so that its SQL text becomes ``{{ __fusion_text[i] }}`` and
its string and number literals become ``__fusion_literal[i]``; the shape is compiled once and
each file renders it with its own values. Whitespace control (``{%-``, ``-%}``) is applied to
the text here, as Jinja's lexer would, and newlines are kept in comments so that line numbers in
errors are the file's own. Templates this rewrite cannot reproduce exactly (``raw`` blocks,
macro-like block tags, backslash escapes, nested braces in an expression...) return None and
are compiled as they are.
"""

from __future__ import annotations

import re

TEXT = "__fusion_text"
LITERAL = "__fusion_literal"

_STRING = r"'[^'\\]*'|\"[^\"\\]*\""
_CONSTRUCT = re.compile(
    r"\{\{(?P<expr>(?:" + _STRING + r"|[^'\"}\\]|\}(?!\}))*)\}\}"
    r"|\{%(?P<stmt>(?:" + _STRING + r"|[^'\"%\\]|%(?!\}))*)%\}"
    r"|\{#(?P<comment>.*?)#\}", re.S)
_TOKEN = re.compile(r"(?P<string>" + _STRING + r")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                    r"|(?P<number>(?<![.\w])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))")
_FIRST_WORD = re.compile(r"\s*[-+]?\s*(\w+)")
#: block tags that define macros or change lexing: such files are compiled as they are
_UNSHAPED_TAGS = frozenset({"raw", "endraw", "macro", "test", "data_test", "materialization", "docs",
                            "snapshot"})


def shape_of(source: str) -> tuple[str, list[str], list, list[int]] | None:
    """(shape source, texts, literals, lines) of a template, or None if it must be compiled as is.

    Each piece (a text or a construct) sits on its own line of the shape, so the shape does not
    depend on the file's line layout; ``lines[k]`` is the file's line of the shape's line k + 1.
    """
    pieces: list[str] = []
    texts: list[str] = []
    literals: list = []
    lines: list[int] = []
    position, line = 0, 1
    strip_next = False  # the previous construct ended with "-": lstrip the following text
    for match in _CONSTRUCT.finditer(source):
        body = match.group("expr") or match.group("stmt") or match.group("comment") or ""
        if match.group("stmt") is not None:
            first = _FIRST_WORD.match(body)
            if first is None or first.group(1) in _UNSHAPED_TAGS:
                return None
        elif match.group("expr") is not None and "{" in body:
            return None  # a dict literal's "}}" would end the expression early in this scan
        raw = source[position:match.start()]
        if "{{" in raw or "{%" in raw or "{#" in raw:
            return None  # an opening this scan could not close: let Jinja report it
        text = raw.lstrip() if strip_next else raw
        start = line + raw[:len(raw) - len(text)].count("\n")
        if body.startswith("-"):
            text = text.rstrip()
        if text:
            _add(pieces, lines, f"{{{{ {TEXT}[{len(texts)}] }}}}", start)
            texts.append(text)
        line += raw.count("\n")
        strip_next = body.endswith("-")
        if match.group("comment") is None:
            whole = match.group(0)
            _add(pieces, lines, whole[:2] + _abstract(body, literals) + whole[-2:], line)
        line += match.group(0).count("\n")
        position = match.end()
    raw = source[position:]
    if "{{" in raw or "{%" in raw or "{#" in raw:
        return None
    text = raw.lstrip() if strip_next else raw
    if text:
        _add(pieces, lines, f"{{{{ {TEXT}[{len(texts)}] }}}}", line + raw[:len(raw) - len(text)].count("\n"))
        texts.append(text)
    return "{#\n#}".join(pieces), texts, literals, lines or [1]


def _add(pieces: list[str], lines: list[int], piece: str, line: int) -> None:
    pieces.append(piece)
    lines.append(line)


def _abstract(body: str, literals: list) -> str:
    """``body`` on one line, its string and number literals replaced by ``__fusion_literal[i]``."""

    def replace(token: re.Match) -> str:
        if token.group("name") is not None:
            return token.group(0)
        raw = token.group(0)
        literals.append(raw[1:-1] if token.group("string") else (float(raw) if "." in raw or "e" in raw.lower()
                                                                 else int(raw)))
        return f"{LITERAL}[{len(literals) - 1}]"

    return re.sub(r"\s+", " ", _TOKEN.sub(replace, body))


_OUTLINE_LITERALS = re.compile(_STRING + r"|\d+")
_OUTLINE_CONSTRUCT = re.compile(r"\{[{%].*?[}%]\}", re.S)


def outline(source: str) -> str:
    """The Jinja constructs of a template without their literals, cheaply: templates of one outline
    almost always share one shape (to keep them together when work is split)."""
    return _OUTLINE_LITERALS.sub("", "".join(_OUTLINE_CONSTRUCT.findall(source)))
