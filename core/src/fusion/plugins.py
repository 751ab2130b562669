"""The plugin manager: loads the built-in plugins and the ``fusion`` entry points."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from fusion import __version__, hookspecs
from fusion.errors import PluginError

if TYPE_CHECKING:
    from fusion.adapter import AdapterSpec
    from fusion.drivers.sources import DriverSource
    from fusion.events import Listener, OutputSettings
    from fusion.materializations import Materialization

ENTRY_POINT_GROUP = "fusion"

#: Built-in plugins, registered through the same hooks a third party would use.
DEFAULT_PLUGINS = ("fusion.materializations.builtin", "fusion.drivers.sources", "fusion.drivers.commands",
                   "fusion.console")


@dataclass(frozen=True)
class Registration:
    plugin: str  # the name the plugin was registered under
    hook: str  # fusion_register_adapters | fusion_register_materializations | fusion_register_driver_sources
    item: Any  # an AdapterSpec, Materialization or DriverSource


@dataclass(frozen=True)
class Registry:
    """Everything the ``fusion_register_*`` hooks registered, in pluggy's call order, each with
    the plugin that registered it."""

    registrations: tuple[Registration, ...]

    def _items(self, hook: str) -> list[Any]:
        return [r.item for r in self.registrations if r.hook == hook]

    @property
    def adapters(self) -> dict[str, AdapterSpec]:
        """By ``type`` name; for a name registered twice, the last call wins."""
        return {spec.name: spec for spec in self._items("fusion_register_adapters")}

    @property
    def materializations(self) -> list[Materialization]:
        return self._items("fusion_register_materializations")

    @property
    def driver_sources(self) -> dict[str, DriverSource]:
        return {source.name: source for source in self._items("fusion_register_driver_sources")}

    def by_plugin(self, plugin: str) -> list[Registration]:
        return [r for r in self.registrations if r.plugin == plugin]


_REGISTERING_HOOKS = ("fusion_register_adapters", "fusion_register_materializations",
                      "fusion_register_driver_sources")


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    allowed: bool = True


@dataclass
class Plugins:
    """The pluggy manager plus the distribution each plugin came from."""

    manager: pluggy.PluginManager
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    blocked: dict[str, tuple[str, str]] = field(default_factory=dict)  # denied by policy, never imported

    @property
    def hook(self):
        return self.manager.hook

    def register(self, module: object, name: str, distribution: str, version: str) -> None:
        self.manager.register(module, name=name)
        self.origins[name] = (distribution, version)
        self.__dict__.pop("registry", None)

    def unregister(self, name: str) -> None:
        self.manager.unregister(name=name)
        self.origins.pop(name, None)
        self.__dict__.pop("registry", None)

    @functools.cached_property
    def registry(self) -> Registry:
        """Each registering hook called once (again only after a plugin is added or removed)."""
        found: list[Registration] = []
        for hook in _REGISTERING_HOOKS:
            caller = getattr(self.manager.hook, hook)
            for impl in reversed(caller.get_hookimpls()):  # the order pluggy calls them in
                def register(item: Any, plugin: str = impl.plugin_name, hook: str = hook) -> None:
                    found.append(Registration(plugin, hook, item))

                impl.function(**{name: register for name in impl.argnames})
        return Registry(tuple(found))

    def event_listeners(self, settings: OutputSettings) -> tuple[Listener, ...]:
        """The listeners every plugin registers for one command."""
        found: list[Listener] = []
        self.manager.hook.fusion_register_event_listeners(register=found.append, settings=settings)
        return tuple(found)

    def validate(self) -> None:
        """Every hook a plugin implements must be one Fusion defines."""
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"a plugin implements a hook that Fusion does not define: {exc}") from exc

    def describe(self) -> list[PluginInfo]:
        infos = []
        for name, plugin in self.manager.list_name_plugin():
            dist, version = self.origins.get(name, ("unknown", "unknown"))
            hooks = tuple(sorted(h.name for h in self.manager.get_hookcallers(plugin) or ()))
            infos.append(PluginInfo(name, dist, version, hooks))
        infos += [PluginInfo(name, dist, version, (), allowed=False) for name, (dist, version) in self.blocked.items()]
        return sorted(infos, key=lambda p: p.name)


def _load_entry_point(plugins: Plugins, entry_point: importlib.metadata.EntryPoint, policy) -> None:
    dist = entry_point.dist
    dist_name, version = (dist.metadata["Name"], dist.version) if dist else ("unknown", "unknown")
    if not policy.adapter_allowed(dist_name):
        plugins.blocked[entry_point.name] = (dist_name, version)
        return
    try:
        module = entry_point.load()
    except Exception as exc:  # a broken third-party plugin must not crash with a traceback
        raise PluginError(
            f"plugin {entry_point.name!r} from {dist_name} failed to import: {exc}",
            hint=f"reinstall it (pip install --force-reinstall {dist_name}) or uninstall it",
        ) from exc
    plugins.register(module, entry_point.name, dist_name, version)


@functools.cache
def get_plugins() -> Plugins:
    """The process-wide plugins, loaded once."""
    return load_plugins()


def load_plugins() -> Plugins:
    """Built-in plugins plus every installed ``fusion`` entry point, validated."""
    plugins = Plugins(pluggy.PluginManager("fusion"))
    plugins.manager.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        plugins.register(importlib.import_module(module_name), module_name, "fusion-core", __version__)
    from fusion.policy import load_policy

    policy = load_policy()  # system and user levels: plugins load before any project is known
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if plugins.manager.get_plugin(entry_point.name) is None:
            _load_entry_point(plugins, entry_point, policy)
    plugins.validate()
    return plugins
