"""The plugin contract of Fusion.

Every built-in feature (materializations, the DuckDB adapter, the console output, extra
commands) is registered through these hooks, exactly as a third-party distribution would
register its own. A plugin is a module with functions decorated by ``fusion.hookimpl``,
exposed through the ``fusion`` entry point group::

    [project.entry-points.fusion]
    myadapter = "fusion_myadapter"

The ``fusion_register_*`` hooks are called once per process; what they register is kept in
one registry (``fusion.plugins.Registry``) that records which plugin registered what.
``fusion_register_event_listeners`` is called once per command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # registering must not load the engine
    import click

    from fusion.adapter import AdapterSpec
    from fusion.drivers.sources import DriverSource
    from fusion.events import Listener, OutputSettings
    from fusion.materializations import Materialization

hookspec = pluggy.HookspecMarker("fusion")
hookimpl = pluggy.HookimplMarker("fusion")


@hookspec
def fusion_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register warehouse adapters.

    :param register: call it once per adapter with a ``fusion.adapter.AdapterSpec``: the
        adapter's ``type`` name as used in ``profiles.yml``, its SQL dialect, its ``Adapter``
        subclass, the driver it needs (``fusion.drivers.DriverRequirement``), the folders
        holding its macro files and the ``profile_fields`` (``fusion.adapter.ProfileField``:
        key, hint, default, type, secret) that ``fusion init`` asks for a new profile.

    A profile whose ``type:`` matches ``spec.name`` uses that adapter. Pluggy calls the most
    recently registered plugin first; when two register the same name, the last one called
    (the one registered first) wins.
    """


@hookspec
def fusion_register_materializations(register: Callable[[Materialization], None]) -> None:
    """Register materializations.

    :param register: call it once per materialization with a
        ``fusion.materializations.Materialization``: a name (as used in
        ``config(materialized=...)``), the adapters it applies to (empty for all) and a
        ``run(ctx)`` callable.

    For a given node the registration for the node's adapter wins over a generic one; in a tie
    the last one called (the plugin registered first) wins. A project's ``{% materialization %}`` block takes part in
    the same choice (see ``fusion.plugins.Registry.materialization``).
    """


@hookspec
def fusion_register_commands(cli: click.Group) -> None:
    """Add commands to the ``fusion`` command line.

    :param cli: the root ``click.Group``; attach commands with ``cli.add_command(...)``.
    """


@hookspec
def fusion_register_driver_sources(register: Callable[[DriverSource], None]) -> None:
    """Register where driver artifacts can come from.

    :param register: call it once per source with a ``fusion.drivers.sources.DriverSource``:
        the ``source`` name used in signed indexes (``pypi``, ``https``, ``bundle``, or an
        enterprise store) and a ``fetch(artifact, repository)`` returning the library bytes.

    Sources are not trusted: the core checks every byte against the signed index before
    caching or loading it.
    """


@hookspec
def fusion_register_event_listeners(register: Callable[[Listener], None], settings: OutputSettings) -> None:
    """Observe a command: register listeners that receive each ``fusion.events.Event``.

    :param register: call it with a callable taking one ``Event`` (``.name``, ``.message``,
        ``.level``, ``.data``); it is called for every event of the command, from the thread
        that emitted it (node events come from worker threads).
    :param settings: the user's output flags (``--log-format``, ``--quiet``, ``--log-level``,
        ``--log-path``, ...) and the invocation's id.

    Called once per command. The console, the progress bar and ``logs/dbt.log`` are listeners
    registered this way by the built-in ``fusion.console`` plugin. Events are dbt's where dbt has
    one (names, codes and ``data`` as listed in docs/LOGGING.md): ``MainReportVersion`` and
    ``CommandCompleted`` (the command's start and end), ``NodeStart``, ``LogStartLine``, a result
    event (``LogModelResult``, ``LogTestResult``, ...) and ``NodeFinished`` per node
    (``data["node_info"]`` as in dbt's log, ``data["run_result"]`` for a finished node) and
    ``DriverDownloadProgress``. A listener must not raise.
    """
