"""Air-gapped bundles: a zip of signed metadata and libraries, imported with the same checks
as an online fetch. Members are read in memory by the names Fusion expects; no path taken from
the archive is ever used on disk.

Layout: ``repositories/<name>/root/<N>.root.json``, ``repositories/<name>/index.json``,
``libs/<lib_sha256>``.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

from fusion.drivers.manager import DriverManager
from fusion.drivers.repositories import TrustedRepository, configured_repositories
from fusion.trust.errors import TrustError
from fusion.trust.metadata import Index, load_index, update_root
from fusion.trust.strict_json import MAX_DOCUMENT_BYTES

MAX_MEMBERS = 10_000
MAX_LIBRARY_BYTES = 1 << 30


def write_bundle(manager: DriverManager, out: Path, names: list[str]) -> list[str]:
    """Bundle the current platform's build of each named driver (all offered, if none named)."""
    packed = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for repo in manager.repositories:
            base = f"repositories/{repo.name}"
            for version in range(1, repo.root.version + 1):
                raw = manager.cache.read_metadata(repo.name, f"{version}.root.json")
                if raw is not None:
                    zf.writestr(f"{base}/root/{version}.root.json", raw)
            zf.writestr(f"{base}/index.json", repo.index.raw)
        for name in names or sorted({d for repo in manager.repositories for d in repo.index.drivers}):
            selection = manager.select(name)
            path = manager.install(selection)
            zf.writestr(f"libs/{selection.artifact.lib_sha256}", path.read_bytes())
            packed.append(selection.label)
    return packed


def _member(zf: zipfile.ZipFile, name: str, max_bytes: int) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    kind = stat.S_IFMT(info.external_attr >> 16)
    if info.is_dir() or kind not in (0, stat.S_IFREG):
        raise TrustError(f"bundle member {name} is not a regular file (link, device or folder)")
    if info.file_size > max_bytes:
        raise TrustError(f"bundle member {name} is {info.file_size} bytes, more than allowed")
    with zf.open(info) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) != info.file_size or len(data) > max_bytes:
        raise TrustError(f"bundle member {name} does not decompress to its declared size")
    return data


def import_bundle(manager: DriverManager, path: Path) -> list[str]:
    """Verify and import metadata and libraries for the repositories this machine trusts."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise TrustError(f"cannot read bundle {path}: {exc}") from exc
    imported = []
    with zf:
        if len(zf.infolist()) > MAX_MEMBERS:
            raise TrustError(f"bundle {path} has more than {MAX_MEMBERS} members")
        for config in configured_repositories(manager.policy):
            base = f"repositories/{config.name}"
            first = _member(zf, f"{base}/root/1.root.json", MAX_DOCUMENT_BYTES)
            repo = TrustedRepository(config, manager.cache, manager.policy, first_root=first)
            root = repo.root
            while (raw := _member(zf, f"{base}/root/{root.version + 1}.root.json", MAX_DOCUMENT_BYTES)) is not None:
                root = update_root(root, raw)
                manager.cache.write_metadata(repo.name, f"{root.version}.root.json", raw)
            raw_index = _member(zf, f"{base}/index.json", MAX_DOCUMENT_BYTES)
            index = repo.accept(load_index(raw_index, root)) if raw_index is not None else repo.index
            imported += _import_libraries(manager, zf, index)
            manager.__dict__.pop("repositories", None)  # re-read with the imported metadata
    return imported


def _import_libraries(manager: DriverManager, zf: zipfile.ZipFile, index: Index) -> list[str]:
    imported = []
    for entry in index.drivers.values():
        for version in entry["versions"].values():
            for artifact in version.artifacts.values():
                data = _member(zf, f"libs/{artifact.lib_sha256}", min(artifact.lib_length, MAX_LIBRARY_BYTES))
                if data is None:
                    continue
                if hashlib.sha256(data).hexdigest() != artifact.lib_sha256:
                    raise TrustError(f"bundle library for {version.name} {version.version} does not match "
                                     "the signed index")
                manager.cache.install_library(data, artifact.lib_sha256, artifact.lib_name)
                imported.append(f"{version.name} {version.version} ({artifact.platform})")
    return imported
