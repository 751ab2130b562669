"""Query results as templates see them: the parts of agate's Table that macros use."""

from __future__ import annotations

from typing import Any


class Row(tuple):
    """A result row, or a table's columns (agate's MappedSequence): index by position or by
    column name; ``keys``/``values``/``items`` as a dict's."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values, names):
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._names)

    def values(self):
        return list(self)

    def items(self):
        return list(zip(self._names, self, strict=True))

    def get(self, key, default=None):
        return self[key] if key in self._names else default

    def dict(self) -> dict[str, Any]:
        return dict(self.items())


class ResultColumn:
    def __init__(self, name: str, values: list[Any], data_type: Any):
        self.name = name
        self._values = values
        self.data_type = data_type

    def values(self) -> list[Any]:
        return self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class ResultTable:
    """Built from an Arrow table; rows and columns are materialised on first use."""

    def __init__(self, arrow_table):
        self._arrow = arrow_table
        self._rows: list[Row] | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(self._arrow.column_names)

    @property
    def column_types(self) -> tuple[Any, ...]:
        return tuple(f.type for f in self._arrow.schema)

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            names = self.column_names
            columns = [c.to_pylist() for c in self._arrow.columns]
            self._rows = [Row(values, names) for values in zip(*columns, strict=True)] if columns else []
        return self._rows

    @property
    def columns(self) -> Row:
        return Row([ResultColumn(name, col.to_pylist(), col.type)
                    for name, col in zip(self._arrow.column_names, self._arrow.columns, strict=True)],
                   self.column_names)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return self._arrow.num_rows

    def rename(self, column_names=None, **_agate_options) -> ResultTable:
        """A copy with columns renamed (agate's ``rename``): a {old: new} mapping or a list of new names."""
        names = list(self.column_names)
        if isinstance(column_names, dict):
            names = [column_names.get(n, n) for n in names]
        elif column_names is not None:
            names = [str(n) for n in column_names]
        return ResultTable(self._arrow.rename_columns(names))

    def print_table(self, max_rows: int = 20, **_ignored) -> None:
        print(" | ".join(self.column_names))
        for row in self.rows[:max_rows]:
            print(" | ".join("" if v is None else str(v) for v in row))

    def to_arrow(self):
        return self._arrow
