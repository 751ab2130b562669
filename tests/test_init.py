"""``fusion init``: a starter project that builds at once, and a profile entry from the adapter's
profile fields, asked on a terminal (a real pty) or given as flags."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run_fusion
from fusion.hookspecs import hookimpl


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """The working folder; HOME points into the test's folder, so ~/.dbt is never the user's."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    return work


def profiles(folder: Path) -> dict:
    return yaml.safe_load((folder / "profiles.yml").read_text())


def run_on_terminal(cwd: Path, args: list[str], dialogue: list[tuple[str, str]], code: int = 0) -> str:
    """Run fusion on a pseudo-terminal: wait for each prompt text, then type its answer and Enter."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "fusion", *args], cwd=cwd, stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True)
    os.close(slave)
    seen, position = b"", 0

    def read(timeout: float) -> bool:
        nonlocal seen
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            return False
        seen += chunk
        return bool(chunk)

    try:
        for prompt, answer in dialogue:
            while (found := seen.find(prompt.encode(), position)) < 0:
                assert read(60), f"no prompt {prompt!r}; the terminal showed:\n{seen.decode(errors='replace')}"
            position = found + len(prompt)
            os.write(master, answer.encode() + b"\r")
        while read(60):
            pass
        assert proc.wait(60) == code, seen.decode(errors="replace")
    finally:
        proc.kill()
        os.close(master)
    return seen.decode(errors="replace")


def test_a_new_duckdb_project_builds_at_once(home):
    made = run_fusion(home, "init", "demo", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert made.code == 0, made.output
    assert profiles(home) == {"demo": {"target": "dev", "outputs": {"dev": {
        "type": "duckdb", "path": "demo.duckdb", "schema": "main", "threads": 1}}}}
    project = home / "demo"
    for folder in ("analyses", "macros", "seeds", "snapshots", "tests", "models/example"):
        assert (project / folder).is_dir()
    assert yaml.safe_load((project / "dbt_project.yml").read_text())["profile"] == "demo"
    built = run_fusion(project, "build", "--profiles-dir", str(home))
    assert built.code == 0, built.output
    assert "PASS=6 WARN=0 ERROR=0 SKIP=0 NO-OP=0 REUSED=0 TOTAL=6" in built.stdout
    again = run_fusion(home, "init", "demo", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert "A project called demo already exists here." in again.stdout


def test_without_a_terminal_missing_answers_name_the_flags_and_nothing_is_written(home):
    missing = run_fusion(home, "init", "pg", "--adapter", "postgres", "--field", "user=me", "--profiles-dir", str(home))
    assert missing.code == 2
    assert "`password`" in missing.stderr and "--field password=... --field dbname=... --field schema=..." \
        in missing.stderr
    assert not (home / "pg").exists() and not (home / "profiles.yml").exists()
    no_adapter = run_fusion(home, "init", "pg", "--profiles-dir", str(home))
    assert no_adapter.code == 2 and "pass --adapter (installed: " in no_adapter.stderr
    no_name = run_fusion(home, "init", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert no_name.code == 2 and "fusion init NAME" in no_name.stderr
    bad_name = run_fusion(home, "init", "2fast", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert bad_name.code == 2 and "not a valid project name" in bad_name.stderr
    typo = run_fusion(home, "init", "pg", "--adapter", "postgres", "--field", "hots=x", "--profiles-dir", str(home))
    assert typo.code == 2 and "no profile field 'hots'" in typo.stderr
    assert [p.name for p in home.iterdir()] == ["logs"]  # only the log file every command writes (as dbt)


def test_existing_profiles_are_kept(home):
    original = "# my profiles\nother:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: o.duckdb}\n"
    (home / "profiles.yml").write_text(original)
    added = run_fusion(home, "init", "shop", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert added.code == 0, added.output
    text = (home / "profiles.yml").read_text()
    assert text.startswith(original)  # comments and entries as they were
    assert set(profiles(home)) == {"other", "shop"}
    (home / "shop").rename(home / "moved")
    clash = run_fusion(home, "init", "shop", "--adapter", "duckdb", "--profiles-dir", str(home))
    assert clash.code == 2 and "the profile 'shop' already exists" in clash.stderr
    assert (home / "profiles.yml").read_text() == text and not (home / "shop").exists()
    reuse = run_fusion(home, "init", "second", "--profile", "other", "--profiles-dir", str(home))
    assert reuse.code == 0, reuse.output
    assert yaml.safe_load((home / "second" / "dbt_project.yml").read_text())["profile"] == "other"
    assert (home / "profiles.yml").read_text() == text
    unknown = run_fusion(home, "init", "third", "--profile", "nope", "--profiles-dir", str(home))
    assert unknown.code == 2 and "Could not find profile named 'nope'" in unknown.stderr


def test_inside_a_project_init_sets_up_only_its_profile(home):
    assert run_fusion(home, "init", "proj", "--skip-profile-setup").code == 0
    project = home / "proj"
    assert not (home / "home" / ".dbt").exists() and not (home.parent / "home" / ".dbt").exists()
    inside = run_fusion(project / "models", "init", "--adapter", "duckdb", "--profiles-dir", str(project))
    assert inside.code == 0, inside.output
    assert profiles(project)["proj"]["outputs"]["dev"]["path"] == "proj.duckdb"
    assert sorted(p.name for p in project.iterdir() if p.is_dir()) == [
        "analyses", "macros", "models", "seeds", "snapshots", "tests"]
    refused = run_fusion(project, "init", "--profile", "proj", "--profiles-dir", str(project))
    assert refused.code == 2 and "edit `profile:` in its dbt_project.yml" in refused.stderr
    assert run_fusion(project, "build", "--profiles-dir", str(project)).code == 0


def test_on_a_terminal_init_asks_for_each_field(home):
    from fusion.plugins import get_plugins

    adapters = sorted(get_plugins().registry.adapters)
    shown = run_on_terminal(home, ["init", "--profiles-dir", str(home)], [
        ("Enter a name for your project", "9lives"),
        ("Enter a name for your project", "warehouse"),
        ("Enter a number", "x"),
        ("Enter a number", str(adapters.index("postgres") + 1)),
        ("host (the server's host name) [localhost]", ""),
        ("port (the server's port) [5432]", "six"),
        ("port (the server's port) [5432]", "5433"),
        ("user (the user to log in as)", "ann"),
        ("password (that user's password)", "s3cret"),
        ("dbname", "analytics"),
        ("schema", "dev_ann"),
        ("threads (parallel connections) [1]", "4"),
    ])
    assert "not a valid project name" in shown
    assert "s3cret" not in shown  # typed without echo
    assert profiles(home)["warehouse"]["outputs"]["dev"] == {
        "type": "postgres", "host": "localhost", "port": 5433, "user": "ann", "password": "s3cret",
        "dbname": "analytics", "schema": "dev_ann", "threads": 4}
    before = (home / "profiles.yml").read_text()
    kept = run_on_terminal(home / "warehouse", ["init", "--profiles-dir", str(home)], [
        ("Continue and overwrite it? [y/N]", "n")])
    assert "Kept the profile warehouse" in kept
    assert (home / "profiles.yml").read_text() == before
    run_on_terminal(home / "warehouse", ["init", "--profiles-dir", str(home)], [
        ("Continue and overwrite it? [y/N]", "y"),
        ("Enter a number", str(adapters.index("duckdb") + 1))])
    assert profiles(home)["warehouse"]["outputs"]["dev"]["type"] == "duckdb"
    stopped = run_on_terminal(home, ["init", "--profiles-dir", str(home / "elsewhere")], [
        ("Enter a name for your project", "later"), ("Enter a number", "\x04")], code=2)  # Ctrl-D: end of input
    assert "nothing was written" in stopped and "Traceback" not in stopped
    assert not (home / "later").exists() and not (home / "elsewhere").exists()


def test_a_postgres_profile_from_flags_connects(home, postgres, pg_database):
    fields = [f"{key}={value}" for key, value in postgres.target(pg_database, "main").items() if key != "type"]
    made = run_fusion(home, "init", "pgproj", "--adapter", "postgres", "--profiles-dir", str(home),
                      *[arg for field in fields for arg in ("--field", field)])
    assert made.code == 0, made.output
    built = run_fusion(home / "pgproj", "build", "--profiles-dir", str(home))
    assert built.code == 0, built.output
    assert "PASS=6" in built.stdout


class _AcmeAdapterPlugin:
    """A third-party adapter: its profile_fields are what init asks for."""

    @hookimpl
    def fusion_register_adapters(self, register):
        from fusion.adapter import AdapterSpec, ProfileField
        from fusion.drivers import DriverRequirement
        from fusion_duckdb import DuckDBAdapter

        register(AdapterSpec("acme", "duckdb", DuckDBAdapter, DriverRequirement("duckdb"), profile_fields=(
            ProfileField("file", "where data goes", "{project}.acme"),
            ProfileField("region", "the region"),
            ProfileField("retries", "how often to retry", 3, int, ask=False))))


def test_a_third_party_adapters_profile_fields_drive_init(home, monkeypatch):
    from click.testing import CliRunner
    from fusion.cli import cli
    from fusion.plugins import get_plugins

    plugins = get_plugins()
    plugins.register(_AcmeAdapterPlugin(), "acme_test", "acme-dist", "2.5")
    monkeypatch.chdir(home)
    try:
        made = CliRunner().invoke(cli, ["init", "lab", "--adapter", "acme", "--field", "region=eu",
                                        "--field", "retries=5", "--profiles-dir", str(home)])
        version = CliRunner().invoke(cli, ["--version"])
    finally:
        plugins.unregister("acme_test")
    assert made.exit_code == 0, made.output
    assert profiles(home)["lab"]["outputs"]["dev"] == {"type": "acme", "file": "lab.acme", "region": "eu",
                                                       "retries": 5}
    assert "  - acme_test:" in version.output and "2.5 (acme-dist; adapters: acme)" in version.output
