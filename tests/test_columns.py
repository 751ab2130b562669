"""``Column.from_description``: a catalog's type text (``describe table``) read into sizes, once for
every adapter (Snowflake's ``VARCHAR(20)``, Spark's ``decimal(10,2)``...)."""

from __future__ import annotations

import pytest
from fusion.relation import Column
from fusion_databricks import SparkColumn


@pytest.mark.parametrize(("data_type", "sizes"), [
    ("VARCHAR(20)", (20, None, None)),
    ("character varying (7)", (7, None, None)),
    ("BINARY(8)", (8, None, None)),
    ("NUMBER(10,2)", (None, 10, 2)),
    ("decimal(38, 0)", (None, 38, 0)),
    ("NUMBER(5)", (None, 5, 0)),
    ("TIMESTAMP_NTZ(9)", (None, None, None)),
    ("FLOAT", (None, None, None)),
])
def test_sizes_are_read_from_the_type(data_type, sizes):
    column = Column.from_description("c", data_type)
    assert (column.dtype, column.char_size, column.numeric_precision, column.numeric_scale) == (data_type, *sizes)


def test_an_adapter_column_class_keeps_its_own_rendering():
    column = SparkColumn.from_description("my col", "decimal(10,2)")
    assert isinstance(column, SparkColumn) and (column.numeric_precision, column.numeric_scale) == (10, 2)
    assert (column.quoted, column.data_type) == ("`my col`", "decimal(10,2)")
