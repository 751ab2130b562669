"""Splitting a SQL text into statements, for drivers that run one statement per call."""

from __future__ import annotations

import re

# What a semicolon inside of does not end a statement: strings ('' and \' escapes), quoted
# identifiers, $$-strings, and comments (--, // and /* */); else a semicolon itself.
_TOKEN = re.compile(r"""
      '(?:[^'\\]|\\.|'')*'
    | "(?:[^"]|"")*"
    | \$\$.*?\$\$
    | (?:--|//)[^\n]*
    | /\*.*?\*/
    | ;
""", re.S | re.X)
_COMMENTS = re.compile(r"(?:--|//)[^\n]*|/\*.*?\*/", re.S)


def split_statements(sql: str) -> list[str]:
    """The statements of ``sql``, split at semicolons outside strings, quoted names and comments.

    Statements that hold only whitespace and comments are left out.
    """
    statements, start = [], 0
    for match in _TOKEN.finditer(sql):
        if match.group() == ";":
            statements.append(sql[start:match.start()])
            start = match.end()
    statements.append(sql[start:])
    return [s.strip() for s in statements if _COMMENTS.sub("", s).strip()]
