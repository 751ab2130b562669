"""Split a SQL text into statements: Spark Connect runs exactly one statement per request."""

from __future__ import annotations

import re

#: a quoted string or identifier (Spark escapes quotes with a backslash, backticks by doubling),
#: a comment, or a semicolon
_TOKEN = re.compile(r"""'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|`(?:[^`]|``)*`?|--[^\n]*|/\*.*?(?:\*/|\Z)|;""", re.S)


def split_statements(sql: str) -> list[str]:
    """The statements of ``sql`` in order, without the semicolons between them; empty ones
    (only whitespace or comments) are left out."""
    statements, start = [], 0
    for token in _TOKEN.finditer(sql):
        if token.group() == ";":
            statements.append(sql[start:token.start()])
            start = token.end()
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    return bool(re.sub(r"--[^\n]*|/\*.*?(?:\*/|\Z)", "", statement, flags=re.S).strip())
