"""Templates are untrusted: every one renders in the sandbox, and escapes fail with a clear error.

Each attack below runs a shell command (touching a marker file) or reads a secret when Jinja is
not sandboxed; the tests check that it fails closed, naming the file, with no marker written.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2.sandbox
import pytest
from conftest import REPO, run_fusion, write_project
from fusion.errors import CompilationError
from fusion.jinja.context import RenderNamespace, Runtime
from fusion.jinja.environment import environment
from fusion.jinja.macros import MacroRegistry

SECRET = "s3cr3t-value-42"


def _attacks(marker: Path) -> dict[str, str]:
    """Expressions that escape an unsandboxed Jinja: each touches ``marker`` or reveals SECRET."""
    touch = f"'touch {marker}'"
    return {
        "globals": f"cycler.__init__.__globals__.os.system({touch})",
        "builtins": f"cycler.__init__.__globals__.__builtins__['__import__']('os').system({touch})",
        "subclasses": "[''.__class__.__mro__[1].__subclasses__()|selectattr('__name__', 'eq', '_wrap_close')"
                      f"|first][0].__init__.__globals__.system({touch})",
        "gi_frame": f"([1]|map('int')).gi_frame.f_builtins['__import__']('os').system({touch})",
        "func_globals": f"(cycler.__init__|attr('func_globals') or cycler.__init__.__globals__).os.system({touch})",
        "format": "'{0.__init__.__globals__[os].environ[FUSION_TEST_SECRET]}'.format(cycler)",
        "format_map": "'{c.__init__.__globals__[os].environ[FUSION_TEST_SECRET]}'.format_map({'c': cycler})",
        "format_indirect": "try_or_compiler_error('x', '{0.__init__.__globals__[os].environ[FUSION_TEST_SECRET]}'"
                           ".format, cycler)",
        "attr_filter": f"(cycler|attr('__init__')|attr('__globals__'))['os'].system({touch})",
        "map_attribute": f"([cycler]|map(attribute='__init__.__globals__.os')|first).system({touch})",
        "modules_pytz_os": f"modules.pytz.os.system({touch})",
        "modules_datetime_sys": f"modules.datetime.sys.modules['os'].system({touch})",
        "modules_re_hop": f"modules.re.enum.sys.modules['os'].system({touch})",
    }


def _namespace() -> RenderNamespace:
    runtime = Runtime(macros=MacroRegistry(root_package="proj"), project_name="proj", adapter=None,
                      target={}, vars=None)
    return RenderNamespace(runtime, "proj", runtime.base_members(False))


@pytest.mark.parametrize("attack", sorted(_attacks(Path("x"))))
def test_attack_fails_closed_naming_the_file(attack, tmp_path, monkeypatch):
    monkeypatch.setenv("FUSION_TEST_SECRET", SECRET)
    marker = tmp_path / "pwned"
    source = "select 1\n{{ " + _attacks(marker)[attack] + " }}\n"
    with pytest.raises(CompilationError) as raised:
        _namespace().render(environment().compile_source(source, f"models/{attack}.sql"))
    assert raised.value.path == f"models/{attack}.sql" and raised.value.line == 2
    assert SECRET not in str(raised.value)
    assert not marker.exists()


@pytest.mark.parametrize("statement", ["{{ range(10**7)|length }}", "{% include '/etc/passwd' %}",
                                       "{% import 'x.sql' as x %}", "{{ 1 / 0 }}", "{{ 'a' + 1 }}"])
def test_a_template_failing_in_python_is_an_error_naming_the_line(statement):
    with pytest.raises(CompilationError) as raised:
        _namespace().render(environment().compile_source(f"select 1\n{statement}\n", "models/m.sql"))
    assert (raised.value.path, raised.value.line) == ("models/m.sql", 2)


@pytest.mark.parametrize("reach", ["m.namespace.runtime.adapter", "m.macro.file.template.environment"])
def test_a_macro_does_not_expose_the_runtime_or_the_environment(reach, tmp_path):
    project = write_project(tmp_path, {"macros/m.sql": "{% macro m() %}1{% endmacro %}\n",
                                       "models/x.sql": f"select {{{{ {reach} }}}} as id\n"})
    result = run_fusion(project, "parse")
    assert result.code == 2 and "models/x.sql:1" in result.output and "Traceback" not in result.output


def test_a_package_private_macro_is_callable_by_package_name(tmp_path):
    project = write_project(tmp_path, {"macros/m.sql": "{% macro _private() %}7{% endmacro %}\n",
                                       "models/x.sql": "select {{ proj._private() }} as id\n"})
    result = run_fusion(project, "compile")
    assert result.code == 0, result.output
    assert "select 7 as id" in (project / "target/compiled/proj/models/x.sql").read_text()


def test_dbt_context_members_still_work():
    source = ("{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{% set l = [] %}{% do l.append(3) %}"
              "{% set ns = namespace(n=0) %}{% set ns.n = 5 %}"
              "{{ d.items()|list }} {{ l }} {{ ns.n }} {{ 'A,b'.lower().split(',') }} "
              "{{ modules.datetime.date(2024, 1, 2).strftime('%Y') }} {{ modules.re.sub('a', 'b', 'aa') }} "
              "{{ modules.pytz.timezone('UTC').zone }} {{ modules.itertools.chain([1], [2])|list }} "
              "{{ '{}-{}'.format('x', 1) }} {{ '{a}'.format_map({'a': 'y'}) }} {{ [d]|map(attribute='a')|list }}")
    assert _namespace().render(environment().compile_source(source, "models/ok.sql")) == (
        "[('a', 1), ('b', 2)] [3] 5 ['a', 'b'] 2024 bb UTC [1, 2] x-1 y [1]")


def test_there_is_one_environment_and_it_is_the_sandbox():
    assert isinstance(environment(), jinja2.sandbox.SandboxedEnvironment)
    made_elsewhere = re.compile(r"Environment\(|Template\(|from_string\(|from_code\(|jinja2\.Environment\b")
    sources = [*(REPO / "core" / "src").rglob("*.py"), *(REPO / "adapters").rglob("*.py")]
    offenders = [str(path.relative_to(REPO)) for path in sources if made_elsewhere.search(path.read_text())]
    assert offenders == ["core/src/fusion/jinja/environment.py"]  # FusionEnvironment, checked above


PAYLOAD = "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"


def _entry_points(marker: Path) -> dict[str, tuple[dict[str, str], tuple[str, ...], str]]:
    """name -> (project files, fusion arguments, the file the error must name)."""
    bad = PAYLOAD.format(marker=marker)
    model = {"models/m.sql": "select 1 as id\n"}
    return {
        "model": ({"models/m.sql": f"select 1 as id\n{bad}\n"}, ("parse",), "models/m.sql"),
        "macro": ({"macros/evil.sql": f"{{% macro evil() %}}\n{bad}\n{{% endmacro %}}\n",
                   "models/m.sql": "select 1 as id {{ evil() }}\n"}, ("parse",), "macros/evil.sql"),
        "schema_yaml": ({**model, "models/sources.yml": f"version: 2\nsources:\n  - name: s\n    schema: \"{bad}\"\n"
                                                        "    tables: [{name: t}]\n"}, ("parse",),
                        "models/sources.yml"),
        "test_argument": ({**model, "models/schema.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n"
                                                         "      - name: id\n        data_tests:\n"
                                                         f"          - accepted_values:\n              values: \"{bad}\"\n"},
                          ("parse",), "models/schema.yml"),
        "project_config": ({**model, "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n"
                                                      f"models:\n  +tags: \"{bad}\"\n"}, ("parse",),
                         "dbt_project.yml"),
        "on_run_start": ({**model, "dbt_project.yml": "name: proj\nprofile: proj\nconfig-version: 2\n"
                                                      f"on-run-start:\n  - \"{bad}\"\n"}, ("run",),
                         "dbt_project.yml"),
        "profile": ({**model, "profiles.yml": "proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                                              f"      path: db.duckdb\n      schema: \"{bad}\"\n"}, ("parse",),
                    "profiles.yml"),
        "hook": ({"models/m.sql": f"{{{{ config(post_hook=\"{bad}\") }}}}\nselect 1 as id\n"}, ("run",),
                 "models/m.sql"),
        "run_operation": ({**model, "macros/op.sql": f"{{% macro op() %}}\n{bad}\n{{% endmacro %}}\n"},
                          ("run-operation", "op"), "macros/op.sql"),
        "show_inline": (model, ("show", "--inline", f"select 1 {bad}"), "inline"),
        "snapshot": ({**model, "snapshots/s.sql": "{% snapshot s %}\n{{ config(unique_key='id', strategy='check', "
                                                  f"check_cols='all', target_schema='main') }}}}\n{bad}\n"
                                                  "select 1 as id\n{% endsnapshot %}\n"}, ("parse",),
                     "snapshots/s.sql"),
        "materialization": ({"macros/mat.sql": f"{{% materialization evil, default %}}\n{bad}\n"
                                               "{{ return({'relations': []}) }}\n{% endmaterialization %}\n",
                             "models/m.sql": "{{ config(materialized='evil') }}\nselect 1 as id\n"}, ("run",),
                            "macros/mat.sql"),
    }


@pytest.mark.parametrize("entry", sorted(_entry_points(Path("x"))))
def test_every_entry_point_is_sandboxed(entry, tmp_path):
    marker = tmp_path / "pwned"
    files, args, named = _entry_points(marker)[entry]
    result = run_fusion(write_project(tmp_path / "proj", files), *args)
    assert result.code != 0 and "Traceback" not in result.output, result.output
    assert "error" in result.output.lower() and named in result.output and "unsafe" in result.output, result.output
    assert not marker.exists()


def test_query_results_do_not_lead_to_a_data_librarys_writers(tmp_path):
    """A query result's Arrow table is a value: its methods (to pandas, to files) are out of reach."""
    import pyarrow as pa
    from fusion.jinja.table import ResultTable

    marker = tmp_path / "written.csv"
    namespace = _namespace()
    namespace["result"] = ResultTable(pa.table({"n": [1, 2]}))
    ok = environment().compile_source("{{ result.rows[0][0] }} {{ result.columns[0].values() }}", "models/ok.sql")
    assert namespace.render(ok).strip() == "1 [1, 2]"
    attack = f"{{{{ result.to_arrow().to_pandas().to_csv('{marker}') }}}}"
    with pytest.raises(CompilationError, match="unsafe"):
        namespace.render(environment().compile_source(attack, "models/arrow.sql"))
    assert not marker.exists()
