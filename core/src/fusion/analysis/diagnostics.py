"""Diagnostics, and mapping a position in rendered SQL back to the line/column of the source file.

Rendering keeps most lines as they are; Jinja expressions, loops and macros shift or replace
some. The rendered line is aligned to the raw file line by line (difflib), and the offending
token is then looked up in the raw file nearest that line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass


@dataclass
class Diagnostic:
    code: str  # syntax-error, unknown-column, ambiguous-column, unknown-table, wrong-arg-count, ...
    severity: str  # "error": certain to fail in the warehouse; "warning": suspicious only
    message: str
    hint: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None

    def render(self, mode: str) -> str:
        where = f"{self.path}:{self.line}:{self.column}: " if self.line else f"{self.path}: "
        level = "error" if self.fails(mode) else "warning"
        text = f"{where}{level}[{self.code}] {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def fails(self, mode: str) -> bool:
        return mode == "strict" and self.severity == "error"

    def to_json(self) -> dict:
        return asdict(self)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based (line, column); clamped to the text."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return min(len(text), sum(len(x) + 1 for x in lines[:line - 1]) + max(0, column - 1))


def locate(raw: str, rendered: str, offset: int, token: str | None) -> tuple[int, int]:
    """The (line, column) in ``raw`` that produced ``rendered[offset]`` (the start of ``token``)."""
    line, column = position(rendered, offset)
    if raw == rendered:
        return line, column
    raw_lines = raw.split("\n")
    guess, exact = _align(raw_lines, rendered.split("\n"), line)
    if exact:
        column_in = column
        if not token or raw_lines[guess - 1][column_in - 1:column_in - 1 + len(token)].lower() == token.lower():
            return guess, column_in
    if token:
        pattern = re.compile(rf"(?<![\w$]){re.escape(token)}(?![\w$])", re.I)
        hits = [position(raw, m.start()) for m in pattern.finditer(raw)]
        if hits:
            return min(hits, key=lambda hit: (abs(hit[0] - guess), abs(hit[1] - column)))
    return guess, column if exact else 1


def _align(raw_lines: list[str], rendered_lines: list[str], line: int) -> tuple[int, bool]:
    """The raw line for a rendered line, and whether the two lines are identical."""
    matcher = difflib.SequenceMatcher(None, raw_lines, rendered_lines, autojunk=False)
    for tag, r1, r2, s1, s2 in matcher.get_opcodes():
        if s1 <= line - 1 < s2:
            if tag == "equal":
                return r1 + (line - 1 - s1) + 1, True
            return min(r1 + (line - 1 - s1), max(r1, r2 - 1)) + 1, False
    return len(raw_lines), False
