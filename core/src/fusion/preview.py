"""Query results as ``dbt show`` prints them: dbt's text table (agate's ``print_table`` with dbt's
defaults: 6 columns, 20 characters a cell, 3 decimals) and its JSON rows.

Each column gets the kind dbt's type inference would give it: ``integer`` (Python ints, or only
nulls), ``number`` (any int/float/Decimal mix: thousands separators, the column's decimals up to 3
then ``…``), ``boolean``, ``date`` (dates and timestamps) or ``text``. Text is left-aligned, the
rest right-aligned, headers included.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Sequence
from typing import Any

MAX_COLUMNS = 6
MAX_WIDTH = 20
MAX_DECIMALS = 3
ELLIPSIS = "..."
NUMBER_ELLIPSIS = "…"


def _plain(value: Any) -> Any:
    """Containers become JSON text (as dbt stores them); an Arrow interval without months a timedelta."""
    if type(value).__name__ == "MonthDayNano" and value.months == 0:
        return datetime.timedelta(days=value.days, microseconds=value.nanoseconds // 1000)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return value


def _kind(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if all(type(v) is int for v in present):
        return "integer"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool) for v in present):
        return "number"
    if all(isinstance(v, datetime.date) for v in present):
        return "date"
    return "text"


def _decimal(value: int | float | decimal.Decimal) -> decimal.Decimal:
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def _places(values: list[decimal.Decimal | None]) -> int:
    exponents = [v.normalize().as_tuple().exponent for v in values if v is not None and v.is_finite()]
    return max([0] + [-e for e in exponents if isinstance(e, int)])


class Preview:
    """Column names and rows of plain Python values (as ``pyarrow.Table.to_pylist`` gives them)."""

    def __init__(self, names: Sequence[str], rows: Sequence[Sequence[Any]]):
        self.names = list(names)
        self.rows = [[_plain(v) for v in row] for row in rows]
        self.kinds = [_kind([row[i] for row in self.rows]) for i in range(len(self.names))]

    @classmethod
    def from_arrow(cls, table) -> Preview:
        return cls(table.column_names, [list(row.values()) for row in table.to_pylist()])

    def json_rows(self) -> list[dict[str, Any]]:
        return [{name: _json_value(kind, value) for name, kind, value in zip(self.names, self.kinds, row, strict=True)}
                for row in self.rows]

    def text(self) -> str:
        """The table, each line ending in a newline."""
        shown = min(len(self.names), MAX_COLUMNS)
        cut = len(self.names) > shown
        header = [_clip(n) for n in self.names[:shown]] + ([ELLIPSIS] if cut else [])
        cells = [self._cells(i) for i in range(shown)]
        body = [[column[r] for column in cells] + ([ELLIPSIS] if cut else []) for r in range(len(self.rows))]
        widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(header)]
        left = [self.kinds[i] == "text" if i < len(self.kinds) else False for i in range(len(header))]

        def line(values: list[str]) -> str:
            return "|" + "|".join(f" {v.ljust(w) if lj else v.rjust(w)} "
                                  for v, w, lj in zip(values, widths, left, strict=True)) + "|"

        rule = "| " + " | ".join("-" * w for w in widths) + " |"
        return "".join(text + "\n" for text in [line(header), rule, *(line(row) for row in body)])

    def _cells(self, i: int) -> list[str]:
        values = [row[i] for row in self.rows]
        if self.kinds[i] != "number":
            return [_clip("" if v is None else str(v)) for v in values]
        numbers = [None if v is None else _decimal(v) for v in values]
        places = _places(numbers)
        suffix = NUMBER_ELLIPSIS if places > MAX_DECIMALS else ""
        places = min(places, MAX_DECIMALS)
        return [_clip("" if d is None else str(d) if d.is_infinite() else
                      "NaN" if d.is_nan() else f"{d:,.{places}f}{suffix}") for d in numbers]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_WIDTH else text[:MAX_WIDTH - len(ELLIPSIS)] + ELLIPSIS


def _json_value(kind: str, value: Any) -> Any:
    if value is None or kind in ("integer", "boolean"):
        return value
    if kind == "number":
        return float(value)
    if kind == "date":
        return value.isoformat()
    return str(value)
