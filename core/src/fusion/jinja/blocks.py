"""What of a macro file Jinja sees: its top-level blocks only, as dbt reads macro files.

dbt compiles each ``{% macro %}`` / ``{% materialization %}`` / ``{% test %}`` / ``{% docs %}``
block of a macro file on its own and ignores everything between them (text, ``{% set %}``,
even tags Jinja would reject such as ``{% ##### %}``). Here the text outside those blocks is
replaced by its newlines, so the kept blocks stay on their lines for error messages.
"""

from __future__ import annotations

import re

BLOCK_TAGS = frozenset({"macro", "materialization", "test", "data_test", "docs"})
_TAG = re.compile(r"\{#.*?#\}|\{%-?\s*(?P<name>\w*)(?:[^'\"%]|'[^']*'|\"[^\"]*\"|%(?!\}))*%\}", re.S)


def toplevel_blocks(source: str) -> str:
    """``source`` with everything outside its top-level blocks blanked (newlines kept); an
    unclosed block is kept to the end, so that Jinja reports it."""
    kept: list[str] = []
    position = 0
    for start, end in block_spans(source):
        kept += [_blank(source[position:start]), source[start:end]]
        position = end
    kept.append(_blank(source[position:]))
    return "".join(kept)


def block_spans(source: str):
    """(start, end) offsets of each top-level block of a macro file."""
    position = 0
    while (opening := _next_block(source, position)) is not None:
        position = _block_end(source, opening)
        yield opening.start(), position


def _next_block(source: str, position: int):
    for tag in _TAG.finditer(source, position):
        if tag.group("name") in BLOCK_TAGS:
            return tag
    return None


def _block_end(source: str, opening) -> int:
    """The end of the tag closing the block ``opening`` starts (raw blocks skipped)."""
    name, depth, raw = opening.group("name"), 1, False
    for tag in _TAG.finditer(source, opening.end()):
        word = tag.group("name")
        if raw:
            raw = word != "endraw"
        elif word == "raw":
            raw = True
        elif word == name:
            depth += 1
        elif word == f"end{name}":
            depth -= 1
            if depth == 0:
                return tag.end()
    return len(source)


def _blank(text: str) -> str:
    return "\n" * text.count("\n")
