"""``fusion --version``: the core's version and each installed plugin's, as ``dbt --version``
lists core and plugins (no network: nothing is said about newer versions)."""

from __future__ import annotations

from fusion import __version__
from fusion.plugins import Plugins


def version_report(plugins: Plugins) -> str:
    """Core, then every plugin not shipped in fusion-core: its version, distribution and the
    adapters it registers (or that policy blocked it)."""
    adapters: dict[str, list[str]] = {}
    for registration in plugins.registry.registrations:
        if registration.hook == "fusion_register_adapters":
            adapters.setdefault(registration.plugin, []).append(registration.item.name)
    infos = [info for info in plugins.describe() if info.distribution != "fusion-core"]
    width = max((len(info.name) for info in infos), default=0) + 1
    lines = ["Core:", f"  - installed: {__version__}", "", "Plugins:"]
    for info in infos:
        details = [info.distribution]
        if info.name in adapters:
            details.append("adapters: " + ", ".join(sorted(adapters[info.name])))
        if not info.allowed:
            details.append("blocked by policy")
        lines.append(f"  - {info.name + ':':{width}} {info.version} ({'; '.join(details)})")
    if not infos:
        lines.append("  (none)")
    return "\n".join(lines)
