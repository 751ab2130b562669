"""One rendered query: parse it in the dialect, resolve it against known schemas, check it,
and infer its output columns, their types and what each derives from.

Only certain problems are errors: a column is missing only if every source it could come
from has a complete schema; a type clash only where the warehouse rejects it whatever the data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, OptimizeError, ParseError, SqlglotError, TokenError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from fusion.analysis.catalog import Catalog
from fusion.analysis.diagnostics import offset_of

#: dialects that reject implicit casts between text/boolean/numbers (DuckDB and PostgreSQL do)
STRICT_TYPING = frozenset({"duckdb", "postgres"})
_MISSING_ARG = re.compile(r"Required keyword: '\w+' missing for <class '[\w.]*?\.?(\w+)'>")
_TOO_MANY = re.compile(r"number of provided arguments \((\d+)\) is greater than the maximum number "
                       r"of supported arguments \((\d+)\)")


@dataclass
class Finding:
    """A problem at a character offset of the rendered SQL (``token`` is the text found there)."""

    code: str
    severity: str
    message: str
    offset: int
    token: str | None = None
    hint: str | None = None


@dataclass
class Analysis:
    columns: dict[str, str | None] = field(default_factory=dict)  # output column -> type (None: unknown)
    complete: bool = False  # every output column is known
    findings: list[Finding] = field(default_factory=list)
    lineage: dict[str, list[dict]] = field(default_factory=dict)  # output column -> upstream columns


def analyse(sql: str, catalog: Catalog) -> Analysis:
    dialect = catalog.dialect
    tree, findings = _parse(sql, dialect)
    if tree is None:
        return Analysis(findings=findings)
    findings += _unknown_tables(tree, catalog)
    schema = catalog.mapping_schema([catalog.key(t) for t in tree.find_all(exp.Table) if _plain(t)])
    try:
        tree = qualify(tree, dialect=dialect, schema=schema, db=catalog.qualify_db,
                       catalog=catalog.qualify_catalog, validate_qualify_columns=False,
                       allow_partial_qualification=True, quote_identifiers=False)
        root = build_scope(tree)
    except OptimizeError as exc:  # sqlglot gave up on this query: nothing certain to say
        return Analysis(findings=findings + _optimize_findings(exc, sql))
    except SqlglotError:
        return Analysis(findings=findings)
    if root is None:
        return Analysis(findings=findings)
    scopes = list(root.traverse())
    resolver = _Sources(catalog)
    findings += _column_findings(scopes, resolver)
    try:
        annotate_types(tree, schema=schema, dialect=dialect)
        findings += _type_findings(tree, catalog.dialect_name)
    except SqlglotError:
        pass
    result = _outputs(tree, dialect)
    result.findings = _dedupe(findings)
    result.lineage = _Lineage(scopes, resolver).of(root)
    return result


# --- parsing --------------------------------------------------------------------------------

def _parse(sql: str, dialect) -> tuple[exp.Query | None, list[Finding]]:
    try:
        statements = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    except TokenError as exc:
        return None, [_token_finding(exc, sql)]
    except ParseError as exc:
        findings = [_parse_finding(error, sql) for error in exc.errors]
        syntax = [f for f in findings if f.code == "syntax-error"]
        if syntax:  # one report per model: the first thing the parser tripped on
            return None, syntax[:1]
        statements = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.IGNORE)
        return _single_query(statements), findings
    return _single_query(statements), []


def _single_query(statements) -> exp.Query | None:
    found = [s for s in statements if s is not None]
    return found[0] if len(found) == 1 and isinstance(found[0], exp.Query) else None


def _parse_finding(error: dict, sql: str) -> Finding:
    token = error.get("highlight") or None
    end = offset_of(sql, error.get("line") or 1, error.get("col") or 1)
    start = max(0, end - len(token) + 1) if token else end
    description = error.get("description") or "syntax error"
    missing, too_many = _MISSING_ARG.search(description), _TOO_MANY.search(description)
    func = getattr(exp, missing.group(1), None) if missing else None
    if too_many or (isinstance(func, type) and issubclass(func, exp.Func)):
        name, name_at = _call_name(sql, start)
        if too_many:
            message = (f"{name}() takes at most {too_many.group(2)} argument(s), "
                       f"{too_many.group(1)} given")
        else:
            message = f"{name}() is missing a required argument"
        return Finding("wrong-arg-count", "error", message, name_at, name,
                       hint=f"check the arguments of {name}() in the warehouse's documentation")
    return Finding("syntax-error", "error", f"cannot parse the SQL: {description}"
                   + (f" near {token!r}" if token else ""), start, token,
                   hint="fix the syntax, or set static_analysis: off for SQL the analyser does not know")


def _token_finding(exc: TokenError, sql: str) -> Finding:
    match = re.search(r"Error tokenizing '(.*)'", str(exc), re.S)
    context = match.group(1) if match else ""
    at = sql.find(context) + len(context) if context and context in sql else 0
    quote = max(sql.rfind("'", 0, at), sql.rfind('"', 0, at))
    return Finding("syntax-error", "error", "cannot parse the SQL: unterminated string or quoted name",
                   max(quote, 0), None, hint="close the quote")


def _call_name(sql: str, offset: int) -> tuple[str, int]:
    """The function whose argument list contains ``offset``, and where its name starts."""
    depth = 0
    for i in range(min(offset, len(sql) - 1), -1, -1):
        char = sql[i]
        if char == ")" and i != offset:
            depth += 1
        elif char == "(":
            if depth == 0:
                match = re.search(r"([\w$.]+)\s*$", sql[:i])
                if match:
                    return match.group(1), match.start(1)
                break
            depth -= 1
    return "function", offset


def _optimize_findings(exc: OptimizeError, sql: str) -> list[Finding]:
    match = re.match(r"Unknown table: (\S+)", str(exc))
    if not match:
        return []
    name = match.group(1).strip("'\"`")
    found = re.search(rf"(?<![\w$]){re.escape(name)}\s*\.\s*\*", sql, re.I)
    return [Finding("unknown-table", "error", f"{name}.* names no table of this query",
                    found.start() if found else 0, name, hint="use an alias from the FROM clause")]


# --- tables ---------------------------------------------------------------------------------

def _plain(table: exp.Table) -> bool:
    return isinstance(table.this, exp.Identifier)


def _unknown_tables(tree: exp.Expr, catalog: Catalog) -> list[Finding]:
    """A one-part name that is neither a CTE nor a known relation, but close to a CTE's name: a typo."""
    ctes = {cte.alias_or_name.lower(): cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    out = []
    for table in tree.find_all(exp.Table):
        if not _plain(table) or table.args.get("db") or table.name.lower() in ctes:
            continue
        if catalog.lookup(table) is not None:
            continue
        close = difflib.get_close_matches(table.name.lower(), list(ctes), n=1, cutoff=0.75)
        if close:
            out.append(Finding("unknown-table", "error", f"no CTE or relation named {table.name!r}",
                               _start(table.this), table.name,
                               hint=f"did you mean the CTE {ctes[close[0]]!r}?"))
    return out


def _start(node: exp.Expr) -> int:
    identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
    meta = identifier.meta if identifier is not None else {}
    return meta.get("start", 0)


class _Sources:
    """The columns a query source is known to have (None: not known completely)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._outputs: dict[int, list[str] | None] = {}

    def columns(self, scope: Scope, name: str) -> list[str] | None:
        source = scope.sources.get(name)
        if isinstance(source, exp.Table):
            if source.alias_column_names:
                return list(source.alias_column_names)
            if not _plain(source) or source.args.get("pivots"):
                return None
            entry = self.catalog.lookup(source)
            return list(entry.schema.columns) if entry is not None and entry.schema.complete else None
        if isinstance(source, Scope):
            if id(source) not in self._outputs:
                self._outputs[id(source)] = _scope_outputs(source)
            return self._outputs[id(source)]
        return None

    def entry(self, table: exp.Table):
        return self.catalog.lookup(table) if _plain(table) else None


def _rows_scope(scope: Scope) -> Scope | None:
    """The scope of the query that produces a source's rows (through ``LATERAL (subquery)``)."""
    if isinstance(scope.expression, exp.Query):
        return scope
    if isinstance(scope.expression, exp.Lateral):
        inner = [s for s in scope.sources.values() if isinstance(s, Scope) and isinstance(s.expression, exp.Query)
                 and s.expression.find_ancestor(exp.Lateral) is scope.expression]
        return inner[0] if len(inner) == 1 else None
    return None


def _scope_outputs(scope: Scope) -> list[str] | None:
    scope = _rows_scope(scope)
    if scope is None or scope.pivots:
        return None
    expression = scope.expression
    selects = expression.selects
    if any(_is_star(s) for s in selects):
        return None
    return list(expression.named_selects)


def _is_star(node: exp.Expr) -> bool:
    return isinstance(node, exp.Star) or (isinstance(node, exp.Column) and isinstance(node.this, exp.Star))


def _column_findings(scopes: list[Scope], sources: _Sources) -> list[Finding]:
    out = []
    for scope in scopes:
        if not isinstance(scope.expression, exp.Select) or scope.pivots:
            continue
        for column in scope.columns:
            finding = _check_column(scope, column, sources)
            if finding is not None:
                out.append(finding)
    return out


def _check_column(scope: Scope, column: exp.Column, sources: _Sources) -> Finding | None:
    name, table = column.name, column.table
    if not name or isinstance(column.this, exp.Star):
        return None
    if table:
        owner = next((s for s in _chain(scope) if table in s.sources), None)
        known = sources.columns(owner, table) if owner is not None else None
        if known is None or name in known:
            return None
        return Finding("unknown-column", "error", f"column {name!r} is not in {table!r}", _start(column.this),
                       column.this.name, hint=_suggest(name, known, f"{table} has: "))
    if not scope.selected_sources:
        return None
    containing, open_source = [], False
    for source_name in scope.selected_sources:
        known = sources.columns(scope, source_name)
        open_source |= known is None
        if known is not None and name in known:
            containing.append(source_name)
    if len(containing) > 1:
        return Finding("ambiguous-column", "error",
                       f"column {name!r} is ambiguous: it is in {' and '.join(map(repr, containing))}",
                       _start(column.this), column.this.name,
                       hint=f"qualify it, e.g. {containing[0]}.{name}")
    if containing or open_source or _resolvable_outside(scope, name, sources):
        return None
    own = column.find_ancestor(exp.Alias)
    if any(isinstance(s, exp.Alias) and s.alias == name and s is not own for s in scope.expression.selects):
        return None  # a reference to another projection's alias, where the dialect allows it
    known_names = sorted({n for s in scope.selected_sources for n in sources.columns(scope, s) or []})
    return Finding("unknown-column", "error", f"column {name!r} is not in any table of this query",
                   _start(column.this), column.this.name, hint=_suggest(name, known_names, "available: "))


def _chain(scope: Scope):
    while scope is not None:
        yield scope
        scope = scope.parent


def _resolvable_outside(scope: Scope, name: str, sources: _Sources) -> bool:
    """A correlated reference (or anything an open outer source may provide)."""
    for outer in list(_chain(scope))[1:]:
        for source_name in outer.selected_sources:
            known = sources.columns(outer, source_name)
            if known is None or name in known:
                return True
    return False


def _suggest(name: str, known: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"{prefix}{shown}" if known else "check the column name"


# --- types ----------------------------------------------------------------------------------

def _family(node: exp.Expr) -> str | None:
    return _kind_family(node.type)


def type_family(type_sql: str, catalog: Catalog) -> str | None:
    """temporal, boolean, numeric, text or None (anything else, or unparseable) for a type's SQL."""
    try:
        return _kind_family(exp.DataType.build(type_sql, dialect=catalog.dialect, udt=True))
    except SqlglotError:
        return None


def _kind_family(kind: exp.DataType | None) -> str | None:
    if kind is None:
        return None
    this = kind.this
    if this in exp.DataType.TEMPORAL_TYPES and this not in _INTERVALS:
        return "temporal"
    if this == exp.DataType.Type.BOOLEAN:
        return "boolean"
    if this in exp.DataType.NUMERIC_TYPES:
        return "numeric"
    if this in exp.DataType.TEXT_TYPES:
        return "text"
    return None


_INTERVALS = {exp.DataType.Type.INTERVAL}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)


def _typed_operand(node: exp.Expr) -> bool:
    """Only columns and literals are trusted for their types (a function's inferred type may be off)."""
    return isinstance(node, (exp.Column, exp.Literal, exp.Boolean)) or (
        isinstance(node, exp.Cast) and node.to.this != exp.DataType.Type.UNKNOWN)


def _type_findings(tree: exp.Expr, dialect_name: str) -> list[Finding]:
    strict = dialect_name in STRICT_TYPING
    out = []
    for node in tree.walk():
        if isinstance(node, _COMPARISONS + _ARITHMETIC):
            left, right = node.this, node.expression
            if not (_typed_operand(left) and _typed_operand(right)):
                continue
            pair = {_family(left), _family(right)}
            string_literal = any(isinstance(x, exp.Literal) and x.is_string for x in (left, right))
            clash = pair == {"temporal", "boolean"}
            if strict and isinstance(node, _COMPARISONS):
                clash |= pair == {"temporal", "numeric"}
            if strict and isinstance(node, _ARITHMETIC):
                clash |= pair == {"boolean", "numeric"} or (pair == {"text", "numeric"} and not string_literal)
                clash |= isinstance(node, (exp.Mul, exp.Div)) and "temporal" in pair
            if clash:
                out.append(_type_finding(node, f"{_describe(left)} {_op(node)} {_describe(right)}"))
        elif isinstance(node, (exp.Sum, exp.Avg)) and _typed_operand(node.this):
            family = _family(node.this)
            if (isinstance(node, exp.Sum) and family == "temporal") or (strict and family == "text"):
                out.append(_type_finding(node, f"{node.key}() of {_describe(node.this)}"))
    return out


def _describe(node: exp.Expr) -> str:
    return f"{node.sql(comments=False)} ({node.type.sql() if node.type else '?'})"


def _op(node: exp.Expr) -> str:
    return {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "add": "+", "sub": "-",
            "mul": "*", "div": "/"}[node.key]


def _type_finding(node: exp.Expr, what: str) -> Finding:
    column = node.find(exp.Column)
    anchor = column.this if column is not None else node
    return Finding("type-mismatch", "error", f"incompatible types: {what}", _start(anchor),
                   anchor.name if column is not None else None, hint="cast one side explicitly")


# --- outputs and lineage -------------------------------------------------------------------

def _outputs(tree: exp.Expr, dialect) -> Analysis:
    if not isinstance(tree, exp.Query):
        return Analysis()
    selects = tree.selects
    columns: dict[str, str | None] = {}
    for select in selects:
        if _is_star(select):
            continue
        kind = select.type
        known = kind is not None and not kind.is_type(exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL)
        columns[select.alias_or_name] = kind.sql(dialect) if known else None
    return Analysis(columns=columns, complete=not any(_is_star(s) for s in selects))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.code, finding.offset, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


class _Lineage:
    """For each output column, the columns of relations (not CTEs or subqueries) it is computed from."""

    def __init__(self, scopes: list[Scope], sources: _Sources):
        self.sources = sources
        self.owner = {id(c): s for s in scopes for c in s.columns}

    def of(self, root: Scope) -> dict[str, list[dict]]:
        names = root.expression.named_selects
        out: dict[str, list[dict]] = {}
        for scope in _branches(root):
            for name, select in zip(names, scope.expression.selects, strict=False):
                if not _is_star(select):
                    found = out.setdefault(name, [])
                    for item in self._trace(scope, select, True, 0):
                        if item not in found:
                            found.append(item)
        return out

    def _trace(self, scope: Scope, expression: exp.Expr, direct: bool, depth: int) -> list[dict]:
        if depth > 64:
            return []
        direct = direct and isinstance(expression.unalias(), exp.Column)
        out = []
        for column in expression.find_all(exp.Column):
            if isinstance(column.this, exp.Star) or not column.table:
                continue
            here = self.owner.get(id(column), scope)
            owner = next((s for s in _chain(here) if column.table in s.sources), None)
            source = owner.sources[column.table] if owner is not None else None
            if isinstance(source, exp.Table):
                entry = self.sources.entry(source)
                out.append({"node": entry.uid if entry else None,
                            "relation": entry.name if entry else source.sql(), "column": column.name,
                            "direct": direct})
            elif isinstance(source, Scope):
                rows = _rows_scope(source)
                names = rows.expression.named_selects if rows is not None else []
                position = names.index(column.name) if column.name in names else None
                for branch in _branches(source) if position is not None else ():
                    selects = branch.expression.selects
                    if position < len(selects):
                        out += self._trace(branch, selects[position], direct, depth + 1)
        return out


def _branches(scope: Scope):
    """The SELECT scopes whose rows a scope returns (each side of a UNION)."""
    scope = _rows_scope(scope)
    if scope is None:
        return
    if isinstance(scope.expression, exp.SetOperation):
        for child in scope.set_operation_scopes:
            yield from _branches(child)
    elif isinstance(scope.expression, exp.Select):
        yield scope
