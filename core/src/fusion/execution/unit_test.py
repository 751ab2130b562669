"""Running a unit test: the model's SQL over fixed inputs, compared with the expected rows.

Each ``given`` input becomes a CTE standing in for its ``ref``/``source`` (or ``this``);
fixture values are cast to the column types of the real input relation. The model's result
is materialised inside a transaction that is always rolled back, so nothing is left behind,
and compared with the expected rows (cast to the result's types) as multisets.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from fusion.errors import CompilationError
from fusion.execution.compiler import Compiler, inject_ctes
from fusion.jinja.node_context import Capture, node_namespace, relation_for
from fusion.manifest.nodes import Node, RefCall, UnitTest
from fusion.materializations import MaterializationResult
from fusion.relation import Column

PREFIX = "__dbt__cte__"


def _literal(adapter, value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return adapter.string_literal(str(value))


def _rows(fixture: dict[str, Any]) -> list[dict[str, Any]]:
    if fixture["format"] == "csv":
        reader = csv.DictReader(io.StringIO(fixture["rows"].strip()))
        return [{k.strip(): (None if v == "" else v) for k, v in row.items()} for row in reader]
    return list(fixture["rows"] or [])


def fixture_sql(adapter, fixture: dict[str, Any], columns: list[Column], where: str) -> str:
    """A query with exactly ``columns`` (typed), one row per fixture row."""
    if fixture["format"] == "sql":
        return fixture["rows"]
    rows = _rows(fixture)
    known = {c.name.lower() for c in columns}
    for row in rows:
        unknown = [k for k in row if k.lower() not in known]
        if unknown:
            raise CompilationError(f"unit test fixture has columns {unknown} that the input does not have "
                                   f"(it has {', '.join(c.name for c in columns)})", path=where)

    def select(row: dict[str, Any] | None) -> str:
        lowered = {k.lower(): v for k, v in (row or {}).items()}
        parts = [f"cast({_literal(adapter, lowered.get(c.name.lower()))} as {c.data_type}) as {adapter.quote(c.name)}"
                 for c in columns]
        return "select " + ", ".join(parts)

    if not rows:
        return select(None) + " where false"
    return "\nunion all\n".join(select(row) for row in rows)


def _input_target(runtime, manifest, test: UnitTest, model: Node, text: str):
    """``ref(...)``/``source(...)``/``this`` of a ``given`` entry -> (key, relation)."""
    if text.strip() == "this":
        return ("this",), relation_for(runtime, model)
    capture = Capture()
    probe = node_namespace(runtime, manifest, model, execute=False, capture=capture)
    probe.evaluate(text, test.original_file_path)
    if capture.refs:
        node = manifest.resolve_ref(capture.refs[0], model.package_name)
        if node is None:
            raise CompilationError(f"unit test {test.name!r}: input {text} was not found", path=test.original_file_path)
        return ("ref", node.unique_id), relation_for(runtime, node)
    if capture.sources:
        source = manifest.resolve_source(*capture.sources[0])
        if source is None:
            raise CompilationError(f"unit test {test.name!r}: input {text} was not found", path=test.original_file_path)
        return ("source", source.unique_id), runtime.adapter.relation(source.database, source.schema,
                                                                      source.identifier)
    raise CompilationError(f"unit test {test.name!r}: input {text!r} must be ref(...), source(...) or this",
                           path=test.original_file_path)


def _cte_name(key: tuple) -> str:
    return PREFIX + ("this" if key == ("this",) else key[1].split(".", 2)[-1].replace(".", "__"))


def _tag(test: UnitTest) -> str:
    """Short and unique per unit test: concurrent tests of one model never share a scratch table."""
    return hashlib.sha256(test.unique_id.encode()).hexdigest()[:10]


def _this_columns(invocation, test: UnitTest, relation) -> list[Column]:
    """``this`` before the model exists: the model's own output columns (a non-incremental render)."""
    first_run = UnitTest(**{**test.__dict__, "given": [g for g in test.given if g["input"].strip() != "this"],
                            "overrides": {**test.overrides,
                                          "macros": {**(test.overrides.get("macros") or {}), "is_incremental": False}}})
    near = relation.incorporate(path={"identifier": f"{relation.identifier}__{_tag(test)}"})
    return invocation.adapter.columns_of_query(build_sql(invocation, first_run), near)


def build_sql(invocation, test: UnitTest) -> str:
    """The model's SQL with every input replaced by its fixture CTE."""
    runtime, manifest, adapter = invocation.runtime, invocation.manifest, invocation.adapter
    model = manifest.nodes[test.depends_on_nodes[0]]
    ctes, names = [], {}
    for fixture in test.given:
        key, relation = _input_target(runtime, manifest, test, model, fixture["input"])
        columns = [] if fixture["format"] == "sql" else adapter.get_columns_in_relation(relation)
        if not columns and key == ("this",) and fixture["format"] != "sql":
            columns = _this_columns(invocation, test, relation)
        if fixture["format"] != "sql" and not columns:
            raise CompilationError(
                f"unit test {test.name!r}: input {fixture['input']} ({relation}) does not exist yet, so its "
                "column types are unknown", path=test.original_file_path,
                hint="build the model's parents first (`fusion build` does), or run `fusion run --empty`")
        names[key] = _cte_name(key)
        ctes.append(f" {names[key]} as (\n{fixture_sql(adapter, fixture, columns, test.original_file_path)}\n)")

    def stand_in(key: tuple, label: str):
        if key not in names:
            raise CompilationError(f"unit test {test.name!r} gives no rows for {label}, which "
                                   f"{model.name} reads", path=test.original_file_path,
                                   hint=f"add `- input: {label}` under `given`")
        return adapter.relation(None, None, names[key], "cte").quote(identifier=False)

    def ref(*args, **kwargs):
        name = str(args[-1])
        node = manifest.resolve_ref(RefCall(name, str(args[0]) if len(args) == 2 else None,
                                            kwargs.get("v") or kwargs.get("version")), model.package_name)
        if node is None:
            raise CompilationError(f"{model.unique_id} refers to {name!r}, which was not found")
        return stand_in(("ref", node.unique_id), f"ref('{name}')")

    def source(source_name, table_name):
        found = manifest.resolve_source(source_name, table_name)
        uid = found.unique_id if found else f"source.?.{source_name}.{table_name}"
        return stand_in(("source", uid), f"source('{source_name}', '{table_name}')")

    overrides = test.overrides or {}
    extra: dict[str, Any] = {"ref": ref, "source": source}
    if ("this",) in names:
        extra["this"] = stand_in(("this",), "this")
    for macro, value in (overrides.get("macros") or {}).items():
        package, _, name = macro.rpartition(".")
        def stub(*_args, _v=value, **_kwargs):
            return _v

        if not package:
            extra[name] = stub  # a bare name wins over a `dbt.` one below, as in dbt
            continue
        extra[macro] = stub  # PackageNamespace looks `package.name` up here first
        if package == "dbt":  # dbt's own macros are also called without their package
            extra.setdefault(name, stub)
    if overrides.get("vars"):
        base_var = runtime.vars

        def var(name, default=None, _vars=overrides["vars"]):
            return _vars[name] if name in _vars else base_var.get(name, model.package_name, default, model)

        extra["var"] = var
    if overrides.get("env_vars"):
        extra["env_var"] = (lambda name, default=None, _env=overrides["env_vars"]:
                            _env.get(name) if name in _env else runtime.env.env_var(name, default))
    compiled = Compiler(runtime, manifest).compile_isolated(model, extra)
    return inject_ctes(compiled, ctes)


def run_unit_test(invocation, test: UnitTest) -> MaterializationResult:
    adapter = invocation.adapter
    model = invocation.manifest.nodes[test.depends_on_nodes[0]]
    sql = build_sql(invocation, test)
    actual = adapter.relation(model.database, model.schema, f"{model.alias}__dbt_unit_{_tag(test)}", "table")
    adapter.create_schema(model.database, model.schema)
    with adapter.scratch(actual):
        adapter.execute(f"create table {actual} as (\n{sql}\n)")
        columns = adapter.get_columns_in_relation(actual)
        expected_rows = _rows(test.expect) if test.expect["format"] != "sql" else None
        wanted = _expected_columns(test, expected_rows, columns)
        expected_sql = (test.expect["rows"] if expected_rows is None
                        else fixture_sql(adapter, {**test.expect, "format": "dict", "rows": expected_rows},
                                         wanted, test.original_file_path))
        cols = ", ".join(adapter.quote(c.name) for c in wanted)
        _, unexpected = adapter.execute(f"select {cols} from {actual} except all select {cols} from ({expected_sql}) e",
                                        fetch=True)
        _, missing = adapter.execute(f"select {cols} from ({expected_sql}) e except all select {cols} from {actual}",
                                     fetch=True)
    if unexpected.num_rows == 0 and missing.num_rows == 0:
        return MaterializationResult("pass", "PASS", failures=0)
    lines = [f"actual differs from expected ({', '.join(c.name for c in wanted)}):"]
    lines += [f"  + {row}" for row in unexpected.to_pylist()]
    lines += [f"  - {row}" for row in missing.to_pylist()]
    return MaterializationResult("fail", "\n".join(lines), failures=unexpected.num_rows + missing.num_rows)


def _expected_columns(test: UnitTest, rows, columns: list[Column]) -> list[Column]:
    if rows is None:
        return columns
    named = {k.lower() for row in rows for k in row}
    if not named:
        return columns
    by_name = {c.name.lower(): c for c in columns}
    unknown = sorted(n for n in named if n not in by_name)
    if unknown:
        raise CompilationError(f"unit test {test.name!r} expects columns {unknown} that {test.model} does not "
                               f"return (it returns {', '.join(c.name for c in columns)})",
                               path=test.original_file_path)
    return [c for c in columns if c.name.lower() in named]
