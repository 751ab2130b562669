"""The plugin contract of Fusion.

Every built-in feature (materializations, the DuckDB adapter, extra commands) is registered
through these hooks, exactly as a third-party distribution would register its own. A plugin is
a module with functions decorated by ``fusion.hookimpl``, exposed through the ``fusion`` entry
point group::

    [project.entry-points.fusion]
    myadapter = "fusion_myadapter"

Each hook receives a ``register`` callable; call it once per thing you provide. The core
decides what to do with what was registered (for adapters: which driver to load and how).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("fusion")
hookimpl = pluggy.HookimplMarker("fusion")


@hookspec
def fusion_register_adapters(register):
    """Register warehouse adapters.

    Call ``register(spec)`` with a ``fusion.adapter.AdapterSpec``: the adapter's ``type`` name
    as used in ``profiles.yml``, its SQL dialect, its ``Adapter`` subclass, the driver it needs
    (``fusion.drivers.DriverRequirement``) and the folders holding its macro files. A profile
    whose ``type:`` matches ``spec.name`` uses that adapter.
    """


@hookspec
def fusion_register_materializations(register):
    """Register materializations.

    Call ``register(materialization)`` with a ``fusion.materializations.Materialization``:
    a name (as used in ``config(materialized=...)``), the adapters it applies to (empty for
    all) and a ``run(ctx)`` callable. For a given node the core picks the registration for
    the node's adapter over a generic one.
    """


@hookspec
def fusion_register_commands(cli):
    """Add commands to the ``fusion`` command line.

    ``cli`` is the root ``click.Group``; attach commands with ``cli.add_command(...)``.
    """


@hookspec
def fusion_register_driver_sources(register):
    """Register where driver artifacts can come from.

    Call ``register(source)`` with a ``fusion.drivers.sources.DriverSource``: the ``source``
    name used in signed indexes (``pypi``, ``https``, ``bundle``, or an enterprise store) and a
    ``fetch(artifact, repository)`` returning the library bytes. Sources are not trusted: the
    core checks every byte against the signed index before caching or loading it.
    """
