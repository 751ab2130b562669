"""``fusion-repo``: keygen, init, add-driver, yank, sign, rotate-root, verify.

Every failure is one paragraph on stderr and exit code 2; never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from fusion.errors import FusionError

from fusion_signing import __version__
from fusion_signing.errors import RepoError
from fusion_signing.repository import Repository

EXIT_ERROR = 2


def _fail(message: str) -> None:
    click.echo("Error: " + " ".join(message.split()), err=True)  # one line, whatever the message held
    sys.exit(EXIT_ERROR)


def handled(fn):
    """Turn every error into one clear paragraph and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FusionError as exc:  # RepoError, and TrustError from fusion.trust
            where = f"{exc.path}: " if exc.path else ""
            _fail(f"{where}{exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""))
        except BrokenPipeError:  # e.g. `fusion-repo verify … | head`: the reader went away
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}")
        except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
            if os.environ.get("FUSION_REPO_DEBUG"):
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc} (a bug in fusion-repo; set FUSION_REPO_DEBUG=1 "
                  "to see where)")

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="fusion-repo")
def cli():
    """Create, sign, rotate and verify a Fusion driver repository (static files)."""


@cli.command()
@click.argument("out_prefix")
@handled
def keygen(out_prefix):
    """Write OUT_PREFIX.pem (private, 0600) and OUT_PREFIX.pub (hex public key)."""
    from fusion_signing.keys import generate

    pem, pub, key = generate(out_prefix)
    click.echo(f"wrote {pem} (private, keep it offline) and {pub}")
    click.echo(f"key id {key.keyid}")


@cli.command()
@click.argument("repo_dir")
@click.option("--name", required=True, help="Repository name (e.g. official, acme, community.bob).")
@click.option("--root-key", "root_keys", multiple=True, required=True,
              help="Root key: .pem (listed and signs) or .pub (listed only). Repeatable.")
@click.option("--root-threshold", type=int, required=True, help="Root signatures required.")
@click.option("--index-key", "index_keys", multiple=True, required=True,
              help="Index key (.pub or .pem; only the public part is used). Repeatable.")
@click.option("--index-threshold", type=int, required=True, help="Index signatures required.")
@click.option("--expires-days", type=int, default=365, show_default=True, help="Root expiry.")
@handled
def init(repo_dir, name, root_keys, root_threshold, index_keys, index_threshold, expires_days):
    """Create REPO_DIR with root/1.root.json and an empty index.unsigned.json."""
    from fusion_signing.signing import init_repository

    repo = Repository(repo_dir)
    root = init_repository(repo, name, list(root_keys), root_threshold, list(index_keys), index_threshold,
                           expires_days)
    click.echo(f"created repository {name!r} in {repo_dir}: root v1 sha256 {root.sha256}, "
               f"expires {root.expires:%Y-%m-%d}")
    click.echo("clients pin this root with: --root-sha256 " + root.sha256)


@cli.command("add-driver")
@click.argument("repo_dir")
@click.argument("name")
@click.argument("version")
@click.option("--platform", required=True, help="ADBC platform tuple, e.g. linux_amd64 or linux_amd64_cp311.")
@click.option("--entrypoint", required=True, help="The driver's init symbol, e.g. AdbcDriverSqliteInit.")
@click.option("--license", "license_name", default=None, help="License of the driver (e.g. Apache-2.0).")
@click.option("--minimum-version", default=None, help="Clients refuse versions of this driver below it.")
@click.option("--adbc-api", default=None, help="ADBC API version the driver implements (default 1.1.0).")
@click.option("--file", "file_path", default=None, help="https source: a library file to store under blobs/.")
@click.option("--lib-name", default=None, help="With --file: the library's file name (default: the file's).")
@click.option("--wheel", "wheel_req", default=None, help="pypi source: name==version of the wheel.")
@click.option("--wheel-file", default=None, help="pypi source: a wheel already on disk (instead of downloading).")
@click.option("--member", default=None, help="pypi source: path (or glob) of the library inside the wheel.")
@click.option("--pip-platform", "pip_platforms", multiple=True,
              help="Passed to pip download --platform (repeatable; default: this machine's).")
@click.option("--pip-python-version", default=None, help="Passed to pip download --python-version.")
@click.option("--download-dir", default=None, type=click.Path(file_okay=False),
              help="Keep a copy of the downloaded wheel here (e.g. for `verify --wheel-dir`).")
@click.option("--skip-platform-check", is_flag=True, help="Accept a wheel whose tags do not match --platform.")
@click.option("--replace", is_flag=True, help="Replace an existing artifact for this platform.")
@handled
def add_driver(repo_dir, name, version, platform, entrypoint, license_name, minimum_version, adbc_api, file_path,
               lib_name, wheel_req, wheel_file, member, pip_platforms, pip_python_version, download_dir,
               skip_platform_check, replace):
    """Add VERSION of driver NAME for one platform to index.unsigned.json."""
    from fusion_signing import drivers, wheels

    repo = Repository(repo_dir)
    repo.read_unsigned()  # fail early on a wrong folder, before any download
    blob = None
    if file_path and (wheel_req or wheel_file or member or download_dir):
        raise RepoError("use either --file (https source) or --wheel/--wheel-file with --member (pypi source)")
    if file_path:
        artifact, blob = drivers.artifact_from_file(file_path, lib_name)
    elif wheel_req or wheel_file:
        if not member:
            raise RepoError("--member is required with --wheel/--wheel-file (the library's path inside the wheel)")
        if lib_name:
            raise RepoError("--lib-name only applies to --file; a wheel's library keeps its member's name")
        if wheel_file and (pip_platforms or pip_python_version or download_dir):
            raise RepoError("--pip-platform, --pip-python-version and --download-dir only apply when "
                            "downloading with --wheel, not with --wheel-file")
        if wheel_file:
            lib = wheels.inspect_wheel(Path(wheel_file), member, wheel_req)
        else:
            lib = wheels.download_and_inspect(wheel_req, member, pip_platforms, pip_python_version,
                                              Path(download_dir) if download_dir else None)
        problem = wheels.platform_mismatch(platform, lib)
        if problem and not skip_platform_check:
            raise RepoError(f"{lib.filename}: {problem}", hint="pick the wheel for that platform with --pip-platform "
                            "(and --pip-python-version), or pass --skip-platform-check")
        artifact = drivers.artifact_from_wheel(lib)
    else:
        raise RepoError("say where the library comes from: --file PATH, or --wheel name==version --member PATH")
    drivers.add_driver(repo, name, version, platform, entrypoint, artifact, license_name=license_name,
                       minimum_version=minimum_version, adbc_api=adbc_api, replace=replace, blob=blob)
    click.echo(f"added {name} {version} for {platform}: {artifact['source']} {artifact['url']} "
               f"({artifact['lib_name']}, {artifact['lib_length']} bytes, sha256 {artifact['lib_sha256']})")
    click.echo("run `fusion-repo sign` to publish it")


@cli.command()
@click.argument("repo_dir")
@click.argument("name")
@click.argument("version")
@click.option("--undo", is_flag=True, help="Un-yank the version.")
@handled
def yank(repo_dir, name, version, undo):
    """Mark VERSION of driver NAME as yanked (clients will not pick it) in index.unsigned.json."""
    from fusion_signing.drivers import set_yanked

    set_yanked(Repository(repo_dir), name, version, not undo)
    click.echo(f"{name} {version} {'un-yanked' if undo else 'yanked'}; run `fusion-repo sign` to publish it")


@cli.command()
@click.argument("repo_dir")
@click.option("--key", "keys", multiple=True, required=True, help="Index private key (.pem). Repeatable.")
@click.option("--expires-days", type=int, required=True, help="Index expiry (the freeze window).")
@click.option("--root-version", default="auto", show_default=True, help="`auto` (latest root) or a number.")
@click.option("--version", "version", type=int, default=None,
              help="Index version (default: previous signed version + 1).")
@handled
def sign(repo_dir, keys, expires_days, root_version, version):
    """Sign index.unsigned.json into index.json (version + 1)."""
    from fusion_signing.signing import sign_index

    index = sign_index(Repository(repo_dir), list(keys), expires_days, root_version, version)
    click.echo(f"signed index v{index.version} for root v{index.root_version} of {index.repository!r}, "
               f"expires {index.expires:%Y-%m-%d %H:%M} UTC, sha256 {index.sha256}")


@cli.command("rotate-root")
@click.argument("repo_dir")
@click.option("--old-key", "old_keys", multiple=True, required=True,
              help="Private key of the current root (enough to meet its threshold). Repeatable.")
@click.option("--new-key", "new_keys", multiple=True, required=True,
              help="Private key of the new root's root role (each signs). Repeatable.")
@click.option("--new-root-threshold", type=int, default=None, help="Default: the current root threshold.")
@click.option("--index-key", "index_keys", multiple=True,
              help="New index key (.pub or .pem). Default: keep the current index keys.")
@click.option("--index-threshold", type=int, default=None, help="Default: the current index threshold.")
@click.option("--expires-days", type=int, default=365, show_default=True, help="New root expiry.")
@handled
def rotate_root(repo_dir, old_keys, new_keys, new_root_threshold, index_keys, index_threshold, expires_days):
    """Write root N+1, signed by the current root keys and by the new ones."""
    from fusion_signing.signing import rotate_root as rotate

    root = rotate(Repository(repo_dir), list(old_keys), list(new_keys), new_root_threshold, list(index_keys),
                  index_threshold, expires_days)
    click.echo(f"wrote root v{root.version} of {root.repository!r}, expires {root.expires:%Y-%m-%d}")
    click.echo("clients reject an index made for an older root: run `fusion-repo sign` now")


@cli.command()
@click.argument("repo_dir")
@click.option("--root-sha256", default=None, help="Pin: the sha256 of root/1.root.json's bytes.")
@click.option("--wheel-dir", default=None, type=click.Path(file_okay=False),
              help="Also check pypi artifacts against the wheels in this folder.")
@handled
def verify(repo_dir, root_sha256, wheel_dir):
    """Verify the root chain, the index and the artifacts as a client would."""
    from fusion_signing.verify import verify_repository

    for line in verify_repository(Repository(repo_dir), root_sha256, Path(wheel_dir) if wheel_dir else None):
        click.echo(line)


def main() -> None:
    cli(prog_name="fusion-repo")


if __name__ == "__main__":
    main()
