"""Splitting a SQL text into statements, for drivers that run one statement per call.

The text is read with sqlglot's tokenizer for the adapter's dialect, so that semicolons inside
its strings (with that dialect's escapes), quoted names, ``$$`` strings and comments do not
end a statement. sqlglot is imported only when a text is split.
"""

from __future__ import annotations


def split_statements(sql: str, dialect: str | None = None) -> list[str]:
    """The statements of ``sql``, split at semicolons outside strings, quoted names and comments.

    Statements that hold only whitespace and comments are left out. A text the tokenizer cannot
    read (an unterminated string...) is one statement: the database reports what is wrong.
    """
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except TokenError:
        return [sql.strip()] if sql.strip() else []
    statements, start, has_code = [], 0, False
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if has_code:
                statements.append(sql[start:token.start].strip())
            start, has_code = token.end + 1, False
        else:
            has_code = True
    if has_code:
        statements.append(sql[start:].strip())
    return statements
