"""What a conformance test works with: a project of its own, the real ``fusion`` CLI and queries
through the adapter under test (as the engine loads it, from the same profile)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from fusion_adapter_tests.cli import run_cli

PROJECT = "name: kit\nprofile: kit\nconfig-version: 2\n"


def load_target(folder: Path, profile: str | None, target: str | None) -> tuple[dict[str, Any], str]:
    """The chosen output of ``folder/profiles.yml`` (unrendered) and its adapter type."""
    path = folder / "profiles.yml"
    try:
        profiles = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise pytest.UsageError(f"cannot read {path}: {exc}") from exc
    names = [name for name in profiles if name != "config"]
    if profile is None and len(names) != 1:
        raise pytest.UsageError(f"{path} holds profiles {names}: choose one with --fusion-profile")
    chosen = profiles.get(profile or names[0])
    if not isinstance(chosen, dict):
        raise pytest.UsageError(f"{path} has no profile {profile!r}")
    name = target or chosen.get("target", "default")
    output = (chosen.get("outputs") or {}).get(name)
    if not isinstance(output, dict) or not output.get("schema"):
        raise pytest.UsageError(f"profile {profile or names[0]!r} in {path} has no target {name!r} with a `schema`")
    return output, str(output.get("type"))


class Kit:
    """One test's project (profile ``kit``) whose target is the one under test in a schema of its own."""

    def __init__(self, root: Path, target: dict[str, Any], suffix: str, strategies: list[str] | None = None):
        self.root = root / "project"
        self.enabled_strategies = strategies  # None: every strategy the adapter declares
        self.target = {**target, "schema": f"{target['schema']}_{suffix}"}
        self.written = False

    # --- the project --------------------------------------------------------------------
    def write(self, files: dict[str, str]) -> None:
        profile = {"kit": {"target": "dev", "outputs": {"dev": self.target}}}
        defaults = {"dbt_project.yml": PROJECT, "profiles.yml": yaml.safe_dump(profile)}
        for rel, text in {**defaults, **files}.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.written = True

    def fusion(self, *args: str, expect: int = 0) -> str:
        """Run the real CLI (in this process) on the project; check its exit code; return its output."""
        run = run_cli(self.root, [*args, "--profiles-dir", str(self.root)])
        assert "Traceback" not in run.output, run.output
        assert run.code == expect, f"`fusion {' '.join(args)}` exited {run.code}:\n{run.output}"
        return run.output

    def results(self) -> dict[str, str]:
        """Status of each node of the last run, by unique_id (``target/run_results.json``)."""
        data = json.loads((self.root / "target" / "run_results.json").read_text())
        return {r["unique_id"]: r["status"] for r in data["results"]}

    # --- the warehouse ------------------------------------------------------------------
    @contextlib.contextmanager
    def adapter(self):
        """The adapter under test, opened for a moment (embedded databases allow one writer)."""
        from fusion.invocation import Flags, Invocation

        with contextlib.chdir(self.root):  # relative paths in the profile mean what they mean to the CLI
            adapter = Invocation(Flags(which="kit", project_dir=str(self.root), profiles_dir=str(self.root))).adapter
            try:
                yield adapter
            finally:
                adapter.close()

    @property
    def adapter_class(self):
        from fusion.invocation import registered_adapters

        return registered_adapters()[str(self.target["type"])].adapter_class

    def strategy_skip_reason(self, strategy: str) -> str | None:
        """Why this target does not run an incremental strategy (None: it does)."""
        declared = self.adapter_class.incremental_strategies
        if strategy not in declared:
            return f"{self.target['type']} does not declare the {strategy} strategy (declares {', '.join(declared)})"
        if self.enabled_strategies is not None and strategy not in self.enabled_strategies:
            return f"the {strategy} strategy is not enabled for this target (--fusion-strategies)"
        return None

    def relation(self, name: str) -> str:
        """How SQL names a relation of this test's schema (the project's quoting applies)."""
        with self.adapter() as adapter:
            return str(adapter.relation(adapter.default_database, adapter.default_schema, name))

    def quote(self, identifier: str) -> str:
        with self.adapter() as adapter:
            return adapter.quote(identifier)

    def query(self, sql: str) -> list[tuple]:
        with self.adapter() as adapter:
            _, table = adapter.execute(sql, fetch=True)
        return [tuple(row.values()) for row in table.to_pylist()]

    def rows(self, name: str, columns: str) -> list[tuple]:
        """The rows of a relation, sorted in Python (collations differ between warehouses)."""
        return sorted(self.query(f"select {columns} from {self.relation(name)}"))

    def relation_types(self) -> dict[str, str]:
        """{name (lower case): 'table' | 'view' ...} of every relation in this test's schema."""
        with self.adapter() as adapter:
            found = adapter.list_relations(adapter.default_database, adapter.default_schema)
        return {name.lower(): kind for name, kind in found}

    def drop_schemas(self) -> None:
        if not self.written:
            return
        with self.adapter() as adapter:
            adapter.drop_schema(adapter.default_database, adapter.default_schema)
