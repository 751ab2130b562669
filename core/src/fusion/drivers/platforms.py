"""ADBC platform tuples for this process, most specific first."""

from __future__ import annotations

import platform
import sys

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_OS = {"linux": "linux", "darwin": "macos", "win32": "windows"}


def current_platforms() -> list[str]:
    """e.g. ``["linux_amd64_cp311", "linux_amd64"]``: a Python-tied build first, then the plain one."""
    os_name = _OS.get(sys.platform, sys.platform)
    arch = _ARCH.get(platform.machine().lower(), platform.machine().lower())
    base = f"{os_name}_{arch}"
    return [f"{base}_cp{sys.version_info.major}{sys.version_info.minor}", base]
