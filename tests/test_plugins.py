"""The plugin contract: each hook is honoured, built-ins use the same hooks as third parties."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from conftest import query, run_fusion, write_project
from fusion.api import FusionRunner
from fusion.cli import cli
from fusion.errors import PluginError
from fusion.hookspecs import hookimpl
from fusion.invocation import registered_adapters, registered_materializations
from fusion.materializations import Materialization, MaterializationResult, pick_materialization
from fusion.plugins import get_plugins, load_plugins


def test_duckdb_adapter_comes_from_its_entry_point():
    spec = registered_adapters()["duckdb"]
    assert spec.dialect == "duckdb"
    assert spec.driver.name == "duckdb"
    plugins = {p.name: p for p in get_plugins().describe()}
    assert plugins["duckdb"].distribution == "fusion-duckdb"
    assert "fusion_register_adapters" in plugins["duckdb"].hooks
    assert "fusion_register_materializations" in plugins["fusion.materializations.builtin"].hooks


def test_plugins_list_command_shows_distributions(tmp_path):
    result = run_fusion(tmp_path, "plugins", "list")
    assert result.code == 0, result.output
    assert "fusion-duckdb" in result.stdout and "fusion-core" in result.stdout


def test_builtin_materializations_are_registered_through_the_hook():
    names = {m.name for m in registered_materializations()}
    assert {"view", "table", "incremental", "ephemeral", "seed", "test"} <= names


def test_adapter_specific_materialization_wins_over_generic():
    def run(ctx):
        return MaterializationResult("success", "OK")

    generic = Materialization("table", run)
    specific = Materialization("table", run, adapters=("duckdb",))
    other = Materialization("table", run, adapters=("postgres",))
    assert pick_materialization([specific, generic, other], "table", ["duckdb"]) is specific
    assert pick_materialization([generic, other], "table", ["duckdb"]) is generic
    assert pick_materialization([other], "table", ["duckdb"]) is None
    parent = Materialization("table", run, adapters=("spark",))
    assert pick_materialization([generic, parent], "table", ["databricks", "spark"]) is parent


class _ThirdParty:
    """A plugin as a third party would write it: a custom materialization and a command."""

    calls: list[str] = []

    @hookimpl
    def fusion_register_materializations(self, register):
        def run(ctx):
            _ThirdParty.calls.append(ctx.node.unique_id)
            ctx.adapter.execute(f"create or replace table {ctx.relation} as select 42 as answer")
            return MaterializationResult("success", "OK")

        register(Materialization("answer_table", run, adapters=("duckdb",)))

    @hookimpl
    def fusion_register_commands(self, cli):
        @click.command("hello")
        def hello():
            click.echo("hello from a plugin")

        cli.add_command(hello)


@pytest.fixture
def third_party():
    plugins = get_plugins()
    plugin = _ThirdParty()
    plugins.register(plugin, "third_party_test", "test-dist", "0.0")
    yield plugin
    plugins.unregister("third_party_test")
    cli.commands.pop("hello", None)


def test_third_party_materialization_runs(tmp_path, third_party, monkeypatch):
    project = write_project(tmp_path, {"models/m.sql": "{{ config(materialized='answer_table') }}\nselect 1\n"})
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    assert _ThirdParty.calls == ["model.proj.m"]
    shown = CliRunner().invoke(cli, ["show", "--inline", "select answer from {{ ref('m') }}"])
    assert "42" in shown.output


def test_project_blocks_compete_with_registered_materializations_by_dbts_rule(tmp_path, third_party):
    """A root ``default`` block loses to a registration for the adapter; one for the adapter wins."""
    block = ("{%% materialization answer_table, %s %%}{%% call statement('main') %%}"
             "create or replace table {{ this }} as select 'block' as answer{%% endcall %%}"
             "{{ return({'relations': [this]}) }}{%% endmaterialization %%}")
    project = write_project(tmp_path, {"models/m.sql": "{{ config(materialized='answer_table') }}\nselect 1\n",
                                       "macros/answer.sql": block % "default"},
                            profile_path=str(tmp_path / "db.duckdb"))
    _ThirdParty.calls.clear()
    assert FusionRunner().invoke(["run", "--project-dir", str(project)]).success
    assert _ThirdParty.calls == ["model.proj.m"]
    (project / "macros" / "answer.sql").write_text(block % "adapter='duckdb'")
    assert FusionRunner().invoke(["run", "--project-dir", str(project)]).success
    assert _ThirdParty.calls == ["model.proj.m"]
    assert query(tmp_path / "db.duckdb", "select answer from main.m") == [("block",)]


def test_third_party_command_is_added(third_party):
    get_plugins().hook.fusion_register_commands(cli=cli)
    result = CliRunner().invoke(cli, ["hello"])
    assert result.output.strip() == "hello from a plugin"


def test_hookimpl_without_a_spec_is_rejected():
    class Bad:
        @hookimpl
        def fusion_register_everything(self, register):
            pass

    plugins = load_plugins()
    plugins.register(Bad(), "bad", "bad-dist", "0")
    with pytest.raises(PluginError, match="does not define"):
        plugins.validate()


def test_unknown_materialization_is_a_node_error(tmp_path):
    project = write_project(tmp_path, {"models/m.sql": "{{ config(materialized='nonexistent') }}\nselect 1\n"})
    result = run_fusion(project, "run")
    assert result.code == 1
    assert "no materialization 'nonexistent'" in result.output
