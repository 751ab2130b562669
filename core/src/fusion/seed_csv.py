"""Reading seed CSV files and inferring column kinds the way dbt's seed loader does.

Kinds, tried in order for every non-null value of a column: integer (a number without a
fractional part, so ``20.0`` counts), number, date (``YYYY-MM-DD``), datetime
(``YYYY-MM-DD HH:MM:SS``, ISO ``T`` accepted), boolean (``true``/``false``), else text.
Empty cells and ``null`` are NULL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from fusion.errors import ProjectError
from fusion.fileio import read_text

NULLS = frozenset({"", "null"})


def _as_decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _is_integer(text: str) -> bool:
    value = _as_decimal(text)
    return value is not None and value == value.to_integral_value()


def _is_number(text: str) -> bool:
    return _as_decimal(text) is not None


def _parse_date(text: str):
    return dt.datetime.strptime(text, "%Y-%m-%d").date()


def _parse_datetime(text: str):
    return dt.datetime.fromisoformat(text)


def _is_date(text: str) -> bool:
    try:
        _parse_date(text)
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    if len(text) < 16 or text[10] not in " T":
        return False
    try:
        _parse_datetime(text)
    except ValueError:
        return False
    return True


def _is_boolean(text: str) -> bool:
    return text.lower() in ("true", "false")


_KINDS = (
    ("integer", _is_integer, lambda t: int(Decimal(t)), pa.int64()),
    ("number", _is_number, float, pa.float64()),
    ("date", _is_date, _parse_date, pa.date32()),
    ("datetime", _is_datetime, _parse_datetime, pa.timestamp("us")),
    ("boolean", _is_boolean, lambda t: t.lower() == "true", pa.bool_()),
)


def kind_of(arrow_type) -> str:
    """The inferred kind (integer, number, ... text) a column of this Arrow type was read as."""
    return next((kind for kind, _, _, known in _KINDS if known == arrow_type), "text")


def read_seed(text: str, path: str, delimiter: str = ",", overridden: frozenset[str] = frozenset()):
    """Return (column names, kinds, Arrow table). Overridden columns stay text for casting."""
    text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the first column's name
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ProjectError("the seed file is empty; it needs at least a header row", path=path) from None
    header = [h.strip() for h in header]
    if any(not h for h in header):
        raise ProjectError("the seed's header has an empty column name", path=path, line=1)
    if len(set(header)) != len(header):
        raise ProjectError("the seed's header repeats a column name", path=path, line=1)
    columns: list[list[str | None]] = [[] for _ in header]
    for line_no, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ProjectError(f"row has {len(row)} values but the header has {len(header)} columns",
                               path=path, line=line_no)
        for values, cell in zip(columns, row, strict=True):
            values.append(None if cell.strip().lower() in NULLS else cell)
    kinds, arrays = [], []
    for name, values in zip(header, columns, strict=True):
        kind, convert, arrow_type = _infer(values) if name not in overridden else ("text", str, pa.string())
        kinds.append(kind)
        arrays.append(pa.array([None if v is None else convert(v) for v in values], type=arrow_type))
    return header, kinds, pa.table(arrays, names=header)


def _infer(values: list[str | None]):
    present = [v for v in values if v is not None]
    for kind, test, convert, arrow_type in _KINDS:
        if all(test(v) for v in present):
            return kind, convert, arrow_type
    return "text", str, pa.string()


def load_seed(node, seed_types: dict[str, str]):
    """A seed node's file: (column names, SQL types, Arrow table); ``column_types`` override inference."""
    text = read_text(f"{node.root_path}/{node.original_file_path}", node.original_file_path)
    overrides = dict(node.config.get("column_types") or {})
    names, kinds, table = read_seed(text, node.original_file_path, node.config.get("delimiter", ","),
                                    frozenset(overrides))
    return names, [overrides.get(n) or seed_types[k] for n, k in zip(names, kinds, strict=True)], table
