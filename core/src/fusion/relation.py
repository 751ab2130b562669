"""Relations and columns as materializations and Jinja (``api.Relation``) see them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar


@dataclass(frozen=True)
class QuotePolicy:
    database: bool = True
    schema: bool = True
    identifier: bool = True


@dataclass(frozen=True)
class Relation(Mapping):
    """A database object: ``database.schema.identifier`` plus its type (table, view...).

    A read-only mapping of its attributes, as dbt's relations are: packages test
    ``obj is mapping and obj.get('metadata').type`` to tell a relation from a string."""

    database: str | None
    schema: str | None
    identifier: str | None
    type: str | None = None
    quote_policy: QuotePolicy = field(default_factory=QuotePolicy)
    quote_character: str = '"'
    limit: int | None = None
    event_time_filter: tuple[str, str, str] | None = None  # (column, start, end): a microbatch window
    #: how a microbatch window's bounds are written (Trino compares timestamps only with timestamps)
    event_time_literal: ClassVar[str] = "'{}'"

    def __getitem__(self, key):
        if key == "metadata":
            return {"type": type(self).__name__}
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __iter__(self):
        raise TypeError("a relation cannot be iterated like a dict; use its attributes")

    def __len__(self):
        raise TypeError("a relation has no length; use its attributes")

    def __bool__(self) -> bool:
        return True

    # --- dbt's api.Relation surface -------------------------------------------------------
    @classmethod
    def create(cls, database=None, schema=None, identifier=None, type=None, **kwargs):
        quote_policy = kwargs.pop("quote_policy", None)
        rel = cls(database, schema, identifier, type)
        if isinstance(quote_policy, dict):
            rel = replace(rel, quote_policy=replace(rel.quote_policy, **quote_policy))
        return rel

    @property
    def name(self) -> str | None:
        return self.identifier

    @property
    def table(self) -> str | None:
        return self.identifier

    @property
    def is_table(self) -> bool:
        return self.type == "table"

    @property
    def is_view(self) -> bool:
        return self.type == "view"

    @property
    def is_cte(self) -> bool:
        return self.type == "cte"

    @property
    def is_materialized_view(self) -> bool:
        return self.type == "materialized_view"

    def incorporate(self, path: dict | None = None, type: str | None = None, **_ignored):
        rel = self
        if path:
            rel = replace(rel, **{k: v for k, v in path.items() if k in ("database", "schema", "identifier")})
        if type is not None:
            rel = replace(rel, type=type)
        return rel

    def include(self, database: bool = True, schema: bool = True, identifier: bool = True) -> _Rendered:
        return _Rendered(self, database, schema, identifier)

    def without_identifier(self) -> _Rendered:
        return _Rendered(self, True, True, False)

    def information_schema(self, view_name: str | None = None):
        """``information_schema[.<view>]`` of this relation's database (``.database`` names it);
        rendered unqualified, as the connection's own catalog has it on every supported database."""
        schema_of = replace(self, schema="information_schema", identifier=view_name, type=None,
                            quote_policy=QuotePolicy(False, False, False), limit=None, event_time_filter=None)
        return schema_of.include(database=False)

    def quote(self, database=None, schema=None, identifier=None):
        policy = {k: v for k, v in (("database", database), ("schema", schema),
                                     ("identifier", identifier)) if v is not None}
        return replace(self, quote_policy=replace(self.quote_policy, **policy))

    def replace_path(self, **parts):
        return replace(self, **parts)

    def matches(self, database=None, schema=None, identifier=None) -> bool:
        pairs = ((database, self.database), (schema, self.schema), (identifier, self.identifier))
        return all(want is None or (have or "").lower() == want.lower() for want, have in pairs)

    def render(self) -> str:
        return self._render(True, True, True)

    def _render(self, database: bool, schema: bool, identifier: bool) -> str:
        parts = []
        for include, value, quoted in (
            (database, self.database, self.quote_policy.database),
            (schema, self.schema, self.quote_policy.schema),
            (identifier, self.identifier, self.quote_policy.identifier),
        ):
            if include and value:
                parts.append(quote_identifier(value, self.quote_character) if quoted else value)
        return ".".join(parts)

    def event_time_condition(self, column: str, start: str, end: str) -> str:
        """The rows of the window [start, end) of ``column``."""
        return (f"{column} >= {self.event_time_literal.format(start)} and "
                f"{column} < {self.event_time_literal.format(end)}")

    def __str__(self) -> str:
        if self.event_time_filter is not None:
            return (f"(select * from {self.render()} where {self.event_time_condition(*self.event_time_filter)}) "
                    f"_dbt_et_filter_subq_{self.identifier}")
        if self.limit is not None:  # --empty (limit 0) and sampling read a bounded subquery
            where = " where false" if self.limit == 0 else ""
            return f"(select * from {self.render()}{where} limit {self.limit}) _dbt_limit_subq_{self.identifier}"
        return self.render()


@dataclass(frozen=True)
class _Rendered:
    """A relation rendered with some of its parts left out (``include``/``without_identifier``)."""

    relation: Relation
    with_database: bool
    with_schema: bool
    with_identifier: bool

    def __str__(self) -> str:
        return self.relation._render(self.with_database, self.with_schema, self.with_identifier)

    def __getattr__(self, item):
        return getattr(self.relation, item)


def quote_identifier(name: str, char: str = '"') -> str:
    return f"{char}{name.replace(char, char * 2)}{char}"


_STRING = re.compile(r"^(character varying|varchar|text|string|char|character|bpchar)\b", re.I)
_NUMERIC = re.compile(r"^(numeric|decimal)\b", re.I)
_INTEGER = re.compile(r"^(tinyint|smallint|integer|int|bigint|hugeint|int2|int4|int8|utinyint|usmallint|"
                      r"uinteger|ubigint|uhugeint)\b", re.I)
_FLOAT = re.compile(r"^(float|double|real|float4|float8|double precision)\b", re.I)
#: ``varchar(20)``, ``number(10,2)``: a type name and its size arguments
_SIZED = re.compile(r"\A\s*([A-Za-z_ ]+?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")
_SIZED_STRINGS = frozenset({"varchar", "char", "character", "character varying", "nvarchar", "bpchar",
                            "string", "text", "binary", "varbinary"})
_SIZED_NUMBERS = frozenset({"number", "numeric", "decimal", "dec"})


@dataclass(frozen=True)
class Column:
    """A column of a relation (dbt's ``api.Column``): ``dtype`` is the type as the catalog gives
    it, ``data_type`` the type as dbt renders it (strings as ``character varying(n)``)."""

    name: str
    dtype: str
    char_size: int | None = None
    numeric_precision: int | None = None
    numeric_scale: int | None = None

    #: type labels (``Column.create('x', 'string')``) and the SQL types they stand for
    TYPE_LABELS: ClassVar[dict[str, str]] = {
        "STRING": "TEXT", "TIMESTAMP": "TIMESTAMP", "FLOAT": "FLOAT", "INTEGER": "INT", "BOOLEAN": "BOOLEAN"}

    @classmethod
    def create(cls, name, label_or_dtype):
        return cls(name, cls.translate_type(label_or_dtype))

    @classmethod
    def from_description(cls, name: str, data_type: str) -> Column:
        """A column as the catalog describes it (``VARCHAR(20)``, ``decimal(10,2)``...), its size
        read out of the type: a string's length, a number's precision and scale."""
        sized = _SIZED.match(data_type)
        if sized is None:
            return cls(name, data_type)
        kind, first, second = sized[1].lower(), int(sized[2]), sized[3]
        if kind in _SIZED_STRINGS:
            return cls(name, data_type, char_size=first)
        if kind in _SIZED_NUMBERS:
            return cls(name, data_type, numeric_precision=first, numeric_scale=int(second or 0))
        return cls(name, data_type)

    @classmethod
    def translate_type(cls, dtype: str) -> str:
        return cls.TYPE_LABELS.get(str(dtype).upper(), dtype)

    @classmethod
    def string_type(cls, size) -> str:
        return f"character varying({size})"

    @classmethod
    def numeric_type(cls, dtype: str, precision, scale) -> str:
        return dtype if precision is None or scale is None else f"{dtype}({precision},{scale})"

    @property
    def column(self) -> str:
        return self.name

    @property
    def quoted(self) -> str:
        return quote_identifier(self.name)

    @property
    def data_type(self) -> str:
        """Strings with their size (256 when unbounded, as dbt counts them); numerics with their
        precision and scale unless the type already spells them."""
        if self.is_string():
            return self.string_type(self.string_size())
        if self.is_numeric() and "(" not in self.dtype:
            return self.numeric_type(self.dtype, self.numeric_precision, self.numeric_scale)
        return self.dtype

    def is_string(self) -> bool:
        return bool(_STRING.match(self.dtype))

    def is_numeric(self) -> bool:
        return bool(_NUMERIC.match(self.dtype))

    def is_integer(self) -> bool:
        return bool(_INTEGER.match(self.dtype))

    def is_float(self) -> bool:
        return bool(_FLOAT.match(self.dtype))

    def is_number(self) -> bool:
        return self.is_integer() or self.is_float() or self.is_numeric()

    @property
    def expanded_data_type(self) -> str:
        """The type as DDL spells it (adapters add collations and the like)."""
        return self.data_type

    def string_size(self) -> int:
        """Declared length of a string column; unbounded strings count as 256, as in dbt."""
        if not self.is_string():
            raise ValueError(f"string_size() called on {self.name}, a {self.dtype} column")
        return 256 if self.char_size is None else int(self.char_size)

    def can_expand_to(self, other_column: Column) -> bool:
        """Whether this string column fits in ``other_column``, a longer string type."""
        if not (self.is_string() and other_column.is_string()):
            return False
        return other_column.string_size() > self.string_size()

    def literal(self, value) -> str:
        return f"{value}::{self.data_type}"

    def __str__(self) -> str:
        return self.name
