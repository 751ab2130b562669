"""``fusion drivers``, ``fusion trust`` and ``fusion policy`` (a default plugin)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click

from fusion.errors import FusionError
from fusion.hookspecs import hookimpl


def _fail(exc: FusionError):
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2)


def _manager():
    from fusion.drivers.manager import DriverManager

    return DriverManager(project_dir=Path.cwd())


@click.group("drivers")
def drivers():
    """Signed ADBC drivers: list, install, verify, bundle, import, gc."""


@drivers.command("list")
def drivers_list():
    """Drivers offered by the trusted repositories, and which are installed."""
    try:
        manager = _manager()
        for repo in manager.repositories:
            for name, entry in sorted(repo.index.drivers.items()):
                for version, dv in sorted(entry["versions"].items()):
                    for platform, artifact in sorted(dv.artifacts.items()):
                        installed = manager.cache.has_library(artifact.lib_sha256, artifact.lib_name)
                        allowed = manager.policy.driver_allowed(name)
                        flags = ", ".join(f for f, on in (("installed", installed), ("yanked", dv.yanked),
                                                          ("denied by policy", not allowed),
                                                          ("not delegated", not manager.may_serve(repo, name)))
                                          if on)
                        click.echo(f"{repo.name:12} {name:12} {version:10} {platform:20} {artifact.source:6} "
                                   f"{flags}")
    except FusionError as exc:
        _fail(exc)


@drivers.command("install")
@click.argument("names", nargs=-1, required=True)
def drivers_install(names):
    """Download (if needed) and verify drivers into the cache."""
    try:
        manager = _manager()
        for name in names:
            selection = manager.select(name)
            path = manager.install(selection)
            click.echo(f"{selection.label}: {path}")
    except FusionError as exc:
        _fail(exc)


@drivers.command("verify")
def drivers_verify():
    """Re-hash every cached library against the signed indexes."""
    try:
        manager = _manager()
        known = manager.listed_artifacts()
    except FusionError as exc:
        _fail(exc)
    bad = 0
    for path in manager.cache.libraries():
        sha = path.parent.name
        data_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        state = "ok" if data_hash == sha and sha in known else (
            "MODIFIED" if data_hash != sha else "not in any trusted index")
        bad += state != "ok"
        click.echo(f"{state:26} {path}")
    sys.exit(1 if bad else 0)


@drivers.command("gc")
@click.option("--all", "remove_all", is_flag=True, help="Remove every cached library, not only unlisted ones.")
def drivers_gc(remove_all):
    """Remove temp files and libraries no trusted index lists."""
    import shutil

    try:
        manager = _manager()
        listed = manager.listed_artifacts()
    except FusionError as exc:
        _fail(exc)
    removed = manager.cache.remove_temp_files()
    for path in manager.cache.libraries():
        if remove_all or path.parent.name not in listed:
            shutil.rmtree(path.parent)
            removed += 1
    click.echo(f"removed {removed} item(s)")


@drivers.command("bundle")
@click.argument("out", type=click.Path(dir_okay=False))
@click.argument("names", nargs=-1)
def drivers_bundle(out, names):
    """Write an air-gapped bundle (signed metadata + libraries for this platform)."""
    from fusion.drivers.bundle import write_bundle

    try:
        for label in write_bundle(_manager(), Path(out), list(names)):
            click.echo(f"bundled {label}")
    except FusionError as exc:
        _fail(exc)


@drivers.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
def drivers_import(bundle):
    """Import a bundle, verified exactly like an online fetch."""
    from fusion.drivers.bundle import import_bundle

    try:
        for label in import_bundle(_manager(), Path(bundle)):
            click.echo(f"imported {label}")
    except FusionError as exc:
        _fail(exc)


@click.group("trust")
def trust():
    """Driver repositories this user trusts."""


def _repos_file() -> Path:
    from fusion.policy import user_config_dir

    return user_config_dir() / "repositories.json"


def _read_repos() -> list:
    """The user's repositories file, checked like every other read of it."""
    from fusion.drivers.repositories import parse_entries

    path = _repos_file()
    return parse_entries(path.read_bytes(), str(path)) if path.is_file() else []


def _write_repos(configs: list) -> None:
    path = _repos_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([c.entry() for c in configs], indent=2) + "\n")


@trust.command("list")
def trust_list():
    """Trusted repositories in trust order, with the driver names delegated to each."""
    try:
        for repo in _manager().repositories:
            delegated = f"  delegated: {', '.join(sorted(repo.config.delegations))}" if repo.config.delegations else ""
            click.echo(f"{repo.name:20} root v{repo.root.version} ({repo.root.sha256[:12]}) index "
                       f"v{repo.index.version}, expires {repo.index.expires:%Y-%m-%d}  [{repo.config.origin}]"
                       f"{delegated}")
    except FusionError as exc:
        _fail(exc)


@trust.command("add")
@click.argument("url")
@click.option("--name", required=True, help="Repository name, e.g. community.acme (must match its signed root)")
@click.option("--root-sha256", required=True, help="sha256 of the repository's root/1.root.json, from its publisher")
@click.option("--delegate", multiple=True, metavar="DRIVER",
              help="Let this repository serve DRIVER although a repository trusted before it lists it too.")
def trust_add(url, name, root_sha256, delegate):
    """Trust a community or enterprise repository, pinned by the hash of its first root."""
    from fusion.drivers.cache import DriverCache
    from fusion.drivers.repositories import TrustedRepository, parse_entries
    from fusion.policy import load_policy

    entry = {"name": name, "url": url, "root_sha256": root_sha256.lower(), "delegate": list(delegate)}
    cache, fresh = DriverCache(), False
    try:
        trusted = _read_repos()
        configs = [c for c in trusted if c.name != name]
        (config,) = parse_entries(json.dumps([entry]).encode(), "fusion trust add")
        fresh = len(configs) == len(trusted)  # a new name starts from no cached metadata ...
        if fresh:
            cache.forget_repository(name)
        policy = load_policy(Path.cwd())
        if not policy.allow_user_trust_roots:
            raise FusionError("policy forbids adding trust roots", hint="ask your administrator")
        repo = TrustedRepository(config, cache, policy)
        drivers = len(repo.index.drivers)
    except FusionError as exc:
        if fresh:  # ... and a failed add leaves none behind
            cache.forget_repository(name)
        _fail(exc)
    _write_repos([*configs, config])
    delegated = f"; delegated: {', '.join(sorted(config.delegations))}" if config.delegations else ""
    click.echo(f"trusting {name!r}: root v{repo.root.version}, index v{repo.index.version} "
               f"({drivers} driver(s)){delegated}")


@trust.command("remove")
@click.argument("name")
def trust_remove(name):
    """Stop trusting a user-added repository and drop its cached metadata."""
    from fusion.drivers.cache import DriverCache

    try:
        configs = _read_repos()
    except FusionError as exc:
        _fail(exc)
    kept = [c for c in configs if c.name != name]
    if len(kept) == len(configs):
        _fail(FusionError(f"no user-added repository named {name!r}"))
    _write_repos(kept)
    DriverCache().forget_repository(name)
    click.echo(f"removed {name!r}")


@click.group("policy")
def policy():
    """Driver and plugin policy."""


@policy.command("show")
@click.option("--effective", is_flag=True, help="Show the merged result and where each value came from.")
def policy_show(effective):
    """The policy files consulted (or, with --effective, the merged policy)."""
    from dataclasses import asdict

    from fusion.policy import load_policy, policy_files

    if not effective:
        for path, level in policy_files(Path.cwd()):
            click.echo(f"{level:8} {path}  ({'present' if path.is_file() else 'absent'})")
        return
    try:
        merged = load_policy(Path.cwd())
    except FusionError as exc:
        _fail(exc)
    values = asdict(merged)
    origins = values.pop("origins")
    for key, value in values.items():
        origin = origins.get(key) or next((o for k, o in origins.items() if k.startswith(f"{key}.")), "default")
        click.echo(f"{key:24} {json.dumps(value, default=sorted)}   ({origin})")


@hookimpl
def fusion_register_commands(cli):
    for group in (drivers, trust, policy):
        cli.add_command(group)
