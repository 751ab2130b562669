"""Built-in driver sources (a default plugin): where artifact bytes come from.

Sources only fetch; the manager checks every library against the signed index before it is
cached, so a source can be as simple as "read these bytes from somewhere".
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fusion import events
from fusion.hookspecs import hookimpl
from fusion.trust.errors import TrustError

if TYPE_CHECKING:
    from fusion.trust.metadata import Artifact


@dataclass(frozen=True)
class DriverSource:
    """``fetch(artifact, repository) -> library bytes`` (unverified; the core verifies)."""

    name: str
    fetch: Callable[[Artifact, object], bytes]


def read_member(archive: bytes, member: str, max_length: int, what: str) -> bytes:
    """One member of a zip held in memory; never more than ``max_length`` bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            info = zf.getinfo(member)
            if info.file_size != max_length:
                raise TrustError(f"{what}: {member} is {info.file_size} bytes, the index says {max_length}")
            with zf.open(info) as handle:
                data = handle.read(max_length + 1)
    except KeyError as exc:
        raise TrustError(f"{what} has no member {member}") from exc
    except zipfile.BadZipFile as exc:
        raise TrustError(f"{what} is not a valid wheel/zip: {exc}") from exc
    if len(data) != max_length:
        raise TrustError(f"{what}: {member} decompressed to an unexpected size")
    return data


def _installed_member(artifact: Artifact) -> bytes | None:
    """The library from an installed distribution of exactly that wheel, if present."""
    name, version = artifact.wheel.split("==", 1)
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != version:
        return None
    path = Path(dist.locate_file(artifact.member))
    if not path.is_file() or path.stat().st_size != artifact.lib_length:
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == artifact.lib_sha256 else None


def fetch_from_pypi(artifact: Artifact, repository) -> bytes:
    """The pinned wheel through the user's own pip configuration (mirrors, proxies)."""
    installed = _installed_member(artifact)
    if installed is not None:
        return installed
    with tempfile.TemporaryDirectory(prefix="fusion-wheel-") as folder:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--dest", folder, artifact.wheel]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise TrustError(f"pip could not download {artifact.wheel}: {' '.join(tail)}",
                             hint="check your pip configuration (index URL, proxy), or import a bundle")
        wheel = Path(folder) / artifact.url
        if not wheel.is_file():
            got = ", ".join(p.name for p in Path(folder).iterdir()) or "nothing"
            raise TrustError(f"pip downloaded {got}, but the signed index names {artifact.url}")
        if wheel.stat().st_size != artifact.length:
            raise TrustError(f"{artifact.url} has {wheel.stat().st_size} bytes, the signed index says "
                             f"{artifact.length}")
        data = wheel.read_bytes()
    if hashlib.sha256(data).hexdigest() != artifact.sha256:
        raise TrustError(f"{artifact.url} does not match the sha256 in the signed index",
                         hint="the package index served different bytes; nothing was installed")
    return read_member(data, artifact.member, artifact.lib_length, artifact.url)


def fetch_from_https(artifact: Artifact, repository) -> bytes:
    """A blob from the repository's own static server."""
    if not repository.config.url:
        raise TrustError(f"repository {repository.name!r} has no URL to download {artifact.url} from")
    if not repository.online:
        raise TrustError(f"cannot download {artifact.url}: Fusion is offline",
                         hint="import a bundle with `fusion drivers import`")
    data = repository.get(artifact.url, artifact.length, progress=_progress(artifact.url, artifact.length))
    if len(data) != artifact.length or hashlib.sha256(data).hexdigest() != artifact.sha256:
        raise TrustError(f"{artifact.url} from {repository.name!r} does not match the signed index "
                         f"(length or sha256)", hint="nothing was installed")
    return data if artifact.member is None else read_member(data, artifact.member, artifact.lib_length,
                                                             artifact.url)


def _progress(url: str, total: int) -> Callable[[int], None]:
    """``DriverDownloadProgress`` events (shown by ``fusion.console.DownloadProgress``)."""

    def report(done: int) -> None:
        events.emit("DriverDownloadProgress", f"downloaded {done} of {total} bytes of {url}", level="debug",
                    url=url, downloaded_bytes=done, total_bytes=total)

    return report


def fetch_from_bundle(artifact: Artifact, repository) -> bytes:
    raise TrustError(f"{artifact.lib_name} is only distributed in bundles",
                     hint="run `fusion drivers import BUNDLE` first")


@hookimpl
def fusion_register_driver_sources(register):
    register(DriverSource("pypi", fetch_from_pypi))
    register(DriverSource("https", fetch_from_https))
    register(DriverSource("bundle", fetch_from_bundle))
