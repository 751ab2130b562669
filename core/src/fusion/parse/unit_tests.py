"""``unit_tests:`` entries of properties files -> UnitTest definitions (validated)."""

from __future__ import annotations

from typing import Any

from fusion.errors import ProjectError
from fusion.manifest.manifest import Manifest
from fusion.manifest.nodes import RefCall, UnitTest
from fusion.parse.files import SourceFile

FORMATS = ("dict", "csv", "sql")


def _fixture(raw: Any, where: str, what: str, fixtures: dict[str, SourceFile]) -> dict[str, Any]:
    """``fixtures``: the files under ``<test-path>/fixtures/`` by name (``fixture: name`` reads one)."""
    if not isinstance(raw, dict):
        raise ProjectError(f"{what} must be a mapping", path=where)
    fmt = raw.get("format", "dict")
    if fmt not in FORMATS:
        raise ProjectError(f"{what}: format must be one of {', '.join(FORMATS)}, got {fmt!r}", path=where)
    rows = raw.get("rows")
    if raw.get("fixture"):
        if fmt == "dict" or rows is not None:
            raise ProjectError(f"{what}: `fixture` needs `format: csv` or `format: sql`, and no `rows`", path=where)
        found = fixtures.get(f"{raw['fixture']}.{fmt}")
        if found is None:
            raise ProjectError(f"{what}: no fixture file {raw['fixture']}.{fmt}", path=where,
                               hint="put it in a `fixtures` folder of the test paths (tests/fixtures/)")
        rows = found.text
    if fmt == "dict" and not (rows is None or isinstance(rows, list) and all(isinstance(r, dict) for r in rows)):
        raise ProjectError(f"{what}: dict rows must be a list of mappings", path=where)
    if fmt in ("csv", "sql") and not isinstance(rows, str):
        raise ProjectError(f"{what}: {fmt} rows must be a text block", path=where)
    return {**raw, "format": fmt, "rows": rows, "fixture": None}


def parse_unit_test(manifest: Manifest, file: SourceFile, entry: dict[str, Any],
                    fixtures: dict[str, SourceFile]) -> UnitTest:
    where = file.original_file_path
    name, model_name = entry["name"], entry.get("model")
    if not isinstance(model_name, str):
        raise ProjectError(f"unit test {name!r} needs `model`", path=where)
    model = manifest.resolve_ref(RefCall(model_name), file.package)
    if model is None or model.resource_type != "model":
        raise ProjectError(f"unit test {name!r} tests model {model_name!r}, which does not exist", path=where)
    given = entry.get("given") or []
    if not isinstance(given, list):
        raise ProjectError(f"unit test {name!r}: `given` must be a list", path=where)
    inputs = [_fixture(g, where, f"unit test {name!r} input {i + 1}", fixtures) for i, g in enumerate(given)]
    for fixture in inputs:
        if not isinstance(fixture.get("input"), str):
            raise ProjectError(f"unit test {name!r}: every `given` entry needs `input` (ref(...), source(...) "
                               "or this)", path=where)
    if "expect" not in entry:
        raise ProjectError(f"unit test {name!r} needs `expect`", path=where)
    overrides = entry.get("overrides") or {}
    unknown = set(overrides) - {"macros", "vars", "env_vars"}
    if unknown:
        raise ProjectError(f"unit test {name!r}: unknown overrides {sorted(unknown)}", path=where)
    config = {"tags": [], "meta": {}, "enabled": True, **(entry.get("config") or {})}
    return UnitTest(
        unique_id=f"unit_test.{file.package}.{model_name}.{name}", package_name=file.package, name=name,
        model=model_name, path=file.relative, original_file_path=where,
        fqn=[file.package, *file.folders, model_name, name], given=inputs,
        expect=_fixture(entry["expect"], where, f"unit test {name!r} expect", fixtures), overrides=overrides,
        description=entry.get("description") or "", config=config, depends_on_nodes=[model.unique_id])
