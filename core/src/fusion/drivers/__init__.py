"""The only path through which Fusion loads native database drivers.

Adapters declare a ``DriverRequirement`` (a name and a version range); they never name a
library path or an entrypoint. ``open_database`` picks a version from the signed indexes of
the trusted repositories, installs it into the private cache if needed, re-verifies the file
and loads it by descriptor with the entrypoint named in the signed index
(``init_func``, ``load_flags=0``). Options that could redirect the loader are stripped from
whatever the user's configuration passes in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: Options that would let configuration choose which native code is loaded.
LOADER_OPTIONS = frozenset({"driver", "entrypoint", "init_func", "load_flags", "profile",
                            "additional_search_path_list"})


@dataclass(frozen=True)
class DriverRequirement:
    """What an adapter needs: a driver name and a version range (PEP 440 specifier)."""

    name: str
    versions: str = ""


def safe_options(options: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in options.items()
            if k not in LOADER_OPTIONS and not k.startswith("adbc.driver_manager.")}


@functools.cache
def driver_manager():
    from fusion.drivers.manager import DriverManager

    return DriverManager()


def open_database(requirement: DriverRequirement, options: dict[str, str], manager=None):
    """Open an ``AdbcDatabase`` for ``requirement`` with user ``options`` (sanitised)."""
    import adbc_driver_manager

    init_func = (manager or driver_manager()).load(requirement.name, requirement.versions)
    return adbc_driver_manager.AdbcDatabase(init_func=init_func, load_flags=0, **safe_options(options))
