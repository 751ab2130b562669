"""Packages: `fusion deps` from local folders, git, tarballs and a hub (loopback server and local
git repositories made here), package-lock.yml, and package models/macros/vars in a build."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile

import pytest
import yaml
from conftest import query, run_fusion, write_project
from driver_repo import serve

PACKAGE = {
    "dbt_project.yml": "name: {name}\nconfig-version: 2\nvars:\n  greeting: hello\n",
    "macros/shout.sql": "{{% macro shout(text) %}}upper({{{{ text }}}}){{% endmacro %}}\n",
    "models/{name}_model.sql": "select '{{{{ var(\"greeting\") }}}}' as word\n",
}


def make_package(root, name: str):
    for rel, text in PACKAGE.items():
        path = root / rel.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name))
    return root


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def _tarball(folder, name: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(make_package(folder / f"src-{name}", name), arcname=f"{name}-1.0.0")
    return buffer.getvalue()


def test_deps_from_every_source_and_use_in_a_build(tmp_path):
    make_package(tmp_path / "local_pkg", "localpkg")
    repo = tmp_path / "gitrepo"
    make_package(repo / "sub", "gitpkg")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "v1")
    _git(repo, "tag", "v1.0")
    (repo / "sub" / "models" / "gitpkg_model.sql").write_text("select 'later' as word\n")
    _git(repo, "commit", "-qam", "v2")

    site = tmp_path / "site"
    (site / "api" / "v1" / "acme").mkdir(parents=True)
    (site / "files").mkdir()
    (site / "files" / "tarpkg.tar.gz").write_bytes(_tarball(tmp_path, "tarpkg"))
    (site / "files" / "hubpkg-1.2.0.tar.gz").write_bytes(_tarball(tmp_path, "hubpkg"))
    server = serve(site)
    try:
        (site / "api" / "v1" / "acme" / "hubpkg.json").write_text(json.dumps({"versions": {
            "1.2.0": {"downloads": {"tarball": f"{server.url}/files/hubpkg-1.2.0.tar.gz"}},
            "2.0.0": {"downloads": {"tarball": f"{server.url}/files/missing.tar.gz"}}}}))
        packages = {"packages": [
            {"local": "../local_pkg"},
            {"git": str(repo), "revision": "v1.0", "subdirectory": "sub"},
            {"tarball": f"{server.url}/files/tarpkg.tar.gz"},
            {"package": "acme/hubpkg", "version": [">=1.0.0", "<2.0.0"]},
        ]}
        project = write_project(tmp_path / "proj", {
            "packages.yml": yaml.safe_dump(packages),
            "dbt_project.yml": "name: proj\nprofile: proj\nvars:\n  hubpkg:\n    greeting: bonjour\n",
            "models/uses.sql": "select {{ localpkg.shout(\"'x'\") }} as loud, w.word as git_word, "
                               "h.word as hub_word from {{ ref('gitpkg', 'gitpkg_model') }} w "
                               "cross join {{ ref('hubpkg_model') }} h\n",
        })
        missing = run_fusion(project, "run")
        assert missing.code == 2 and "run `fusion deps`" in missing.output
        deps = run_fusion(project, "deps", env={"FUSION_HUB_URL": server.url, "PATH": "/usr/bin:/bin",
                                                **_python_env()})
        assert deps.code == 0, deps.output
    finally:
        server.httpd.shutdown()
    lock = yaml.safe_load((project / "package-lock.yml").read_text())["packages"]
    assert [p["name"] for p in lock] == ["localpkg", "gitpkg", "tarpkg", "hubpkg"]
    assert lock[1]["revision"] != "v1.0" and len(lock[1]["revision"]) == 40
    assert lock[3]["version"] == "1.2.0" and len(lock[3]["sha256"]) == 64
    built = run_fusion(project, "run")
    assert built.code == 0, built.output
    rows = query(project / "db.duckdb", "select loud, git_word, hub_word from main.uses")
    assert rows == [("X", "hello", "bonjour")]  # git pinned to v1.0; package vars overridden by the root


def test_deps_errors_leave_the_installed_packages(tmp_path):
    make_package(tmp_path / "local_pkg", "localpkg")
    project = write_project(tmp_path / "proj", {"packages.yml": "packages:\n  - local: ../local_pkg\n"})
    assert run_fusion(project, "deps").code == 0
    (project / "packages.yml").write_text("packages:\n  - local: ../local_pkg\n  - local: ../nowhere\n")
    failed = run_fusion(project, "deps")
    assert failed.code == 2 and "local package '../nowhere' does not exist" in failed.output
    assert (project / "dbt_packages" / "localpkg" / "dbt_project.yml").is_file()
    (project / "packages.yml").write_text("packages:\n  - git: /no/such/repo\n")
    failed = run_fusion(project, "deps")
    assert failed.code == 2 and "git clone failed" in failed.output and "Traceback" not in failed.output


def _python_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("FUSION_HUB_URL", "PATH")}


CUSTOM = """
{% materialization audited_table, default %}
  {%- set target = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {% if load_relation(target) is not none %}{{ adapter.drop_relation(load_relation(target)) }}{% endif %}
  {% call statement('main') -%}
    create table {{ target }} as select *, 'audited' as audit from ({{ sql }}) as s
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target]}) }}
{% endmaterialization %}
"""


def test_custom_materialization_from_a_package_and_root_override(tmp_path):
    package = make_package(tmp_path / "matpkg", "matpkg")
    (package / "macros" / "audited.sql").write_text(CUSTOM)
    project = write_project(tmp_path / "proj", {
        "packages.yml": "packages:\n  - local: ../matpkg\n",
        "models/a.sql": "{{ config(materialized='audited_table', post_hook='select 1') }}\nselect 1 as id\n",
    })
    assert run_fusion(project, "deps").code == 0
    first = run_fusion(project, "run", "-s", "a")
    assert first.code == 0, first.output
    assert query(project / "db.duckdb", "select id, audit from main.a") == [(1, "audited")]
    assert run_fusion(project, "run", "-s", "a").code == 0  # replaces the relation it made
    # a root-project block overrides even a built-in materialization
    (project / "macros").mkdir()
    (project / "macros" / "table.sql").write_text(CUSTOM.replace("audited_table, default", "table, adapter='duckdb'")
                                                  .replace("'audited'", "'root table'"))
    (project / "models" / "b.sql").write_text("{{ config(materialized='table') }}\nselect 2 as id\n")
    assert run_fusion(project, "run", "-s", "b").code == 0
    assert query(project / "db.duckdb", "select id, audit from main.b") == [(2, "root table")]


PKG_MACROS = """
{% macro star(relation, except=[]) -%}
  {{ return(adapter.dispatch('star', 'utils2')(relation, except)) }}
{%- endmacro %}

{% macro default__star(relation, except) -%}
  {%- set names = [] -%}
  {%- for column in adapter.get_columns_in_relation(relation) if column.name not in except -%}
    {%- do names.append(adapter.quote(column.name)) -%}
  {%- endfor -%}
  {{ return(names | join(', ') if names else '*') }}
{%- endmacro %}

{% macro greeting() %}{{ return(adapter.dispatch('greeting', 'utils2')()) }}{% endmacro %}
{% macro default__greeting() %}'from the package'{% endmacro %}

{% test at_least(model, column_name, minimum) %}
select 1 from (select count(*) as n from {{ model }}) c where n < {{ minimum }}
{% endtest %}
"""


def test_package_macros_dispatch_order_and_generic_tests(tmp_path):
    package = make_package(tmp_path / "utils2", "utils2")
    (package / "macros" / "utils.sql").write_text(PKG_MACROS)
    project = write_project(tmp_path / "proj", {
        "packages.yml": "packages:\n  - local: ../utils2\n",
        "dbt_project.yml": "name: proj\nprofile: proj\n"
                           "dispatch:\n  - macro_namespace: utils2\n    search_order: [proj, utils2]\n",
        "macros/override.sql": "{% macro duckdb__greeting() %}'from the root project'{% endmacro %}\n",
        "models/base.sql": "select 1 as id, 2 as secret, 3 as other\n",
        "models/picked.sql": "select {{ utils2.star(ref('base'), except=['secret']) }}, "
                             "{{ utils2.greeting() }} as hello from {{ ref('base') }}\n",
        "models/schema.yml": "version: 2\nmodels:\n  - name: picked\n    data_tests:\n"
                             "      - utils2.at_least: {arguments: {minimum: 1}}\n"
                             "      - utils2.at_least: {arguments: {minimum: 5}, name: too_many}\n",
    })
    assert run_fusion(project, "deps").code == 0
    result = run_fusion(project, "build")
    assert "PASS utils2_at_least_picked_1" in result.output
    assert "FAIL 1 too_many" in result.output
    assert query(project / "db.duckdb", "select * from main.picked") == [(1, 3, "from the root project")]


def test_utility_style_package_runs_unchanged(warehouse, tmp_path):
    """A package in the style of dbt's popular utility packages, on DuckDB and PostgreSQL."""
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "tests" / "fixtures" / "utilpkg", tmp_path / "utilpkg")
    project = warehouse.project(tmp_path / "proj", {
        "packages.yml": "packages:\n  - local: ../utilpkg\n",
        "seeds/orders.csv": "id,customer,status,amount\n1,a,paid,10\n2,a,open,0\n3,b,paid,5\n",
        "seeds/more_orders.csv": "id,customer,channel\n4,c,web\n",
        "models/keyed.sql": "select {{ utilpkg.surrogate_key(['id', 'customer']) }} as key, id "
                            "from {{ ref('orders') }}\n",
        "models/by_customer.sql": """
{%- set statuses = utilpkg.column_values(ref('orders'), 'status') -%}
select customer, {{ utilpkg.pivot('status', statuses, prefix='n_') }},
       {{ utilpkg.safe_divide('sum(amount)', 'count(*)') }} as avg_amount
from {{ ref('orders') }}
{{ utilpkg.group_by(1) }}
""",
        "models/all_orders.sql": "{{ utilpkg.union_relations([ref('orders'), ref('more_orders')]) }}\n",
        "models/schema.yml": """version: 2
models:
  - name: by_customer
    data_tests:
      - utilpkg.expression_is_true: {arguments: {expression: "n_paid >= 1"}}
      - utilpkg.unique_combination: {arguments: {combination_of_columns: [customer]}}
  - name: all_orders
    columns:
      - name: amount
        data_tests:
          - utilpkg.expression_is_true: {arguments: {expression: ">= 0"}, config: {where: "amount is not null"}}
""",
    })
    assert run_fusion(project, "deps").code == 0
    result = run_fusion(project, "build")
    assert result.code == 0, result.output
    assert warehouse.query("select customer, n_open, n_paid from main.by_customer order by 1") == [
        ("a", 1, 1), ("b", 0, 1)]
    rows = warehouse.query("select _source, id, customer, channel from main.all_orders order by id")
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (1, "a", None), (2, "a", None), (3, "b", None), (4, "c", "web")]
    assert rows[3][0] == '"main"."more_orders"'  # relation.include(database=false)
    keys = warehouse.query("select count(distinct key) from main.keyed")
    assert keys == [(3,)]


def _served_tarball_project(tmp_path, site, data: bytes):
    (site / "pkg.tar.gz").write_bytes(data)
    server = serve(site)
    make_package(tmp_path / "local_pkg", "localpkg")
    project = write_project(tmp_path / "proj", {"packages.yml": "packages:\n  - local: ../local_pkg\n"})
    assert run_fusion(project, "deps").code == 0
    (project / "packages.yml").write_text(f"packages:\n  - tarball: {server.url}/pkg.tar.gz\n")
    return project, server


def _bomb(members: dict[str, int]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, size in members.items():
            info = tarfile.TarInfo(name)
            info.size = size
            archive.addfile(info, io.BytesIO(bytes(size)))
    return buffer.getvalue()


@pytest.mark.parametrize(("members", "message"), [
    ({"pkg/dbt_project.yml": 10, "pkg/zeros": 3_000_000}, "a member of 3000000 bytes"),
    ({"pkg/dbt_project.yml": 10, **{f"pkg/z{i}": 400_000 for i in range(4)}}, "more than 1000000 bytes"),
    ({f"pkg/f{i}": 0 for i in range(60)}, "more than 50 members"),
])
def test_tarball_bomb_is_refused_before_it_is_written(tmp_path, monkeypatch, members, message):
    """Caps are checked on the headers before anything is written; the previous packages stay."""
    from click.testing import CliRunner
    from fusion.cli import cli
    from fusion.project import deps

    monkeypatch.setattr(deps, "LIMITS", deps.ExtractLimits(total_bytes=1_000_000, member_bytes=500_000, members=50))
    site = tmp_path / "site"
    site.mkdir()
    data = _bomb(members)
    project, server = _served_tarball_project(tmp_path, site, data)
    written = []
    real_makefile = tarfile.TarFile.makefile

    def counting_makefile(self, member, target):
        written.append(member.size)
        return real_makefile(self, member, target)

    monkeypatch.setattr(tarfile.TarFile, "makefile", counting_makefile)
    monkeypatch.chdir(project)
    try:
        result = CliRunner().invoke(cli, ["deps"])
    finally:
        server.httpd.shutdown()
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert written == []  # refused from the headers: not one member was written
    assert (project / "dbt_packages" / "localpkg" / "dbt_project.yml").is_file()
    assert not any(p.name.startswith(".fusion-deps-") for p in project.iterdir())


def test_tarball_with_a_link_out_of_the_package_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("pkg/evil")
        link.type, link.linkname = tarfile.SYMTYPE, "../../../../etc/passwd"
        archive.addfile(link)
    site = tmp_path / "site"
    site.mkdir()
    project, server = _served_tarball_project(tmp_path, site, buffer.getvalue())
    try:
        result = run_fusion(project, "deps")
    finally:
        server.httpd.shutdown()
    assert result.code == 2 and "could not unpack the package tarball" in result.output, result.output
    assert (project / "dbt_packages" / "localpkg").is_dir()


@pytest.mark.parametrize("body", ["<html>not json</html>", "[1, 2]"])
def test_hub_answering_non_json_is_one_clear_error(tmp_path, body):
    site = tmp_path / "site"
    (site / "api" / "v1" / "acme").mkdir(parents=True)
    (site / "api" / "v1" / "acme" / "pkg.json").write_text(body)
    server = serve(site)
    project = write_project(tmp_path / "proj", {"packages.yml": "packages:\n  - package: acme/pkg\n"
                                                                "    version: 1.0.0\n"})
    try:
        result = run_fusion(project, "deps", env={**_python_env(), "FUSION_HUB_URL": server.url,
                                                 "PATH": "/usr/bin:/bin"})
    finally:
        server.httpd.shutdown()
    assert result.code == 2 and "Traceback" not in result.output, result.output
    assert "packages.yml" in result.output and "/api/v1/acme/pkg.json" in result.output
    assert "hint: check FUSION_HUB_URL" in result.output


def test_plain_http_tarball_from_a_non_loopback_host_is_refused(tmp_path):
    project = write_project(tmp_path / "proj", {
        "packages.yml": "packages:\n  - tarball: http://127.0.0.1.attacker.example/p.tar.gz\n"})
    result = run_fusion(project, "deps")
    assert result.code == 2 and "only https" in result.output and "Traceback" not in result.output
