"""The only path through which Fusion loads native database drivers.

Adapters declare a ``DriverRequirement``; they never name a library path or entrypoint.
``open_database`` resolves the requirement to an absolute library path plus an explicit
entrypoint, strips every option from user configuration that could redirect the loader, and
opens an ``AdbcDatabase`` with that exact library.

Driver sources today: libraries shipped inside installed wheels (``installed``). Signed
indexes, downloads and signature verification plug in here (see DRIVERS.md).
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fusion.errors import PluginError

#: Options that would let configuration choose which native code is loaded.
LOADER_OPTIONS = frozenset({"driver", "entrypoint", "init_func", "load_flags", "profile",
                            "additional_search_path_list", "adbc.driver_manager.search_paths"})


@dataclass(frozen=True)
class DriverRequirement:
    """What an adapter needs: a driver name and a version range (PEP 440 specifier)."""

    name: str
    versions: str = ""


@dataclass(frozen=True)
class DriverLibrary:
    path: Path
    entrypoint: str
    version: str


@dataclass(frozen=True)
class _WheelLibrary:
    distribution: str
    member_pattern: str
    entrypoint: str


#: Where each known driver's library lives inside its published wheel.
_WHEEL_LIBRARIES = {
    "duckdb": _WheelLibrary("duckdb", "_duckdb.cpython-*.so", "duckdb_adbc_init"),
    "postgresql": _WheelLibrary("adbc-driver-postgresql",
                                "adbc_driver_postgresql/libadbc_driver_postgresql.so",
                                "AdbcDriverPostgresqlInit"),
    "sqlite": _WheelLibrary("adbc-driver-sqlite", "adbc_driver_sqlite/libadbc_driver_sqlite.so",
                            "AdbcDriverSqliteInit"),
}


@cache
def resolve_driver(requirement: DriverRequirement) -> DriverLibrary:
    """Find the library that satisfies ``requirement`` as an absolute path to a regular file."""
    known = _WHEEL_LIBRARIES.get(requirement.name)
    if known is None:
        raise PluginError(f"no source knows the ADBC driver {requirement.name!r}")
    try:
        dist = importlib.metadata.distribution(known.distribution)
    except importlib.metadata.PackageNotFoundError as exc:
        raise PluginError(
            f"the ADBC driver {requirement.name!r} is not installed",
            hint=f"pip install {known.distribution}",
        ) from exc
    _check_version(requirement, dist.version)
    for member in dist.files or ():
        if fnmatch.fnmatch(str(member), known.member_pattern):
            path = Path(dist.locate_file(member)).resolve()
            if path.is_file() and not path.is_symlink():
                return DriverLibrary(path, known.entrypoint, dist.version)
    raise PluginError(f"the {known.distribution} installation has no driver library "
                      f"matching {known.member_pattern}",
                      hint=f"pip install --force-reinstall {known.distribution}")


def _check_version(requirement: DriverRequirement, version: str) -> None:
    if not requirement.versions:
        return
    from packaging.specifiers import SpecifierSet

    if version not in SpecifierSet(requirement.versions):
        raise PluginError(
            f"the ADBC driver {requirement.name!r} is version {version}, "
            f"but the adapter needs {requirement.versions}")


def open_database(requirement: DriverRequirement, options: dict[str, str]):
    """Open an ``AdbcDatabase`` for ``requirement`` with user ``options`` (sanitised)."""
    import adbc_driver_manager

    library = resolve_driver(requirement)
    safe = {k: v for k, v in options.items() if k not in LOADER_OPTIONS}
    if not os.path.isabs(library.path) or not library.path.is_file():
        raise PluginError(f"driver library {library.path} is not an absolute path to a file")
    return adbc_driver_manager.AdbcDatabase(driver=str(library.path), entrypoint=library.entrypoint,
                                            **safe)
