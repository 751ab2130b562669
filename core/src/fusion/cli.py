"""The ``fusion`` command line: flags become an Invocation, a task runs, nothing else."""

from __future__ import annotations

import functools
import os
import sys

import click

from fusion import __version__, events
from fusion.errors import FusionError
from fusion.flagenv import envvars
from fusion.invocation import Flags, Invocation

#: set to show the Python traceback of an internal error
TRACEBACK_ENV = "FUSION_TRACEBACK"


def _parse_vars(ctx, param, value):
    if not value:
        return {}
    from fusion.yamlio import load_yaml_text

    try:
        parsed = load_yaml_text(value, param.opts[0])
    except FusionError as exc:
        raise click.BadParameter(str(exc)) from exc
    if not isinstance(parsed, dict):
        raise click.BadParameter(f"{param.opts[0]} must be a YAML/JSON mapping, e.g. '{{key: value}}'")
    return parsed


class GreedyOption(click.Option):
    """``--select a b c`` as dbt accepts it: the option takes every following non-option word."""

    def add_to_parser(self, parser, ctx):
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is None:
                continue
            original = option.process

            def process(value, state, original=original):
                words = [value]
                while state.rargs and not state.rargs[0].startswith("-"):
                    words.append(state.rargs.pop(0))
                for word in words:
                    original(word, state)

            option.process = process


LEVELS = click.Choice(["debug", "info", "warn", "error", "none"])
FORMATS = click.Choice(["text", "json", "default", "debug"])


def _option(*decls, name: str, **kwargs):
    """An option that also reads its environment variables (``fusion.flagenv``)."""
    return click.option(*decls, name, envvar=envvars(name), show_envvar=True, **kwargs)


def global_options(fn):
    """Options dbt accepts before the subcommand as well as after it (``fusion -q build``)."""
    options = [
        _option("--log-format", name="log_format", type=FORMATS, default="text",
                help="Console output: text lines or dbt's JSON log lines."),
        _option("--log-format-file", name="log_format_file", type=FORMATS, default="debug",
                help="logs/dbt.log: text lines (default) or JSON lines."),
        _option("--log-level", name="log_level", type=LEVELS, default="info", help="The console's level."),
        _option("--log-level-file", name="log_level_file", type=LEVELS, default="debug",
                help="The log file's level (none: no file)."),
        _option("--log-path", name="log_path", default=None, help="Folder of dbt.log (default: <project>/logs)."),
        _option("--quiet/--no-quiet", "-q", name="quiet", default=False,
                help="Only errors and what the command prints (print(), ls, show)."),
        _option("--debug/--no-debug", "-d", name="debug", default=False, help="Debug events on the console too."),
        _option("--print/--no-print", name="print", default=True,
                help="Show print() and log(info=True) output on the console."),
        _option("--use-colors/--no-use-colors", name="use_colors", default=None,
                help="Colours on the console (default: on a terminal, unless NO_COLOR is set)."),
        _option("--use-colors-file/--no-use-colors-file", name="use_colors_file", default=True),
        _option("--warn-error", name="warn_error", is_flag=True, default=False, help="Treat warnings as errors."),
        _option("--warn-error-options", name="warn_error_options", default=None, callback=_parse_vars,
                help="Warnings to treat as errors: '{\"error\": [\"all\" | names], \"warn\": [names], "
                     "\"silence\": [names]}'."),
        _option("--fail-fast/--no-fail-fast", "-x", name="fail_fast", default=False,
                help="Stop at the first error or failing test."),
        _option("--partial-parse/--no-partial-parse", name="partial_parse", default=True,
                help="Reuse the parse cache in the target folder (default: on)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def common_options(fn):
    options = [
        _option("--project-dir", name="project_dir", default=None,
                help="Folder holding dbt_project.yml (default: cwd)."),
        _option("--profiles-dir", name="profiles_dir", default=None, help="Folder holding profiles.yml."),
        _option("--target", "-t", name="target", default=None, help="Profile target to use."),
        click.option("--vars", default=None, callback=_parse_vars, help="YAML mapping of vars."),
        _option("--threads", name="threads", type=int, default=None, help="Parallel connections."),
        _option("--target-path", name="target_path", default=None, help="Where artifacts go (default: target)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return global_options(fn)


def selection_options(fn):
    options = [
        click.option("--select", "-s", "select", multiple=True, cls=GreedyOption, help="Nodes to include."),
        click.option("--models", "-m", "select", multiple=True, cls=GreedyOption, hidden=True),
        click.option("--exclude", multiple=True, cls=GreedyOption, help="Nodes to leave out."),
        click.option("--selector", default=None, help="A selector defined in selectors.yml."),
        _option("--state", name="state", default=None,
                type=click.Path(file_okay=False, resolve_path=True),
                help="Folder with a previous run's artifacts, for state:, result: and source_status: selectors."),
        _option("--indirect-selection", name="indirect_selection",
                type=click.Choice(["eager", "cautious", "buildable", "empty"]), default="eager"),
        click.option("--resource-type", "--resource-types", "resource_types", multiple=True),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def state_options(fn):
    options = [
        _option("--defer/--no-defer", name="defer", default=False,
                help="Refs to nodes not built here read the --state run's relations if missing here."),
        _option("--defer-state", name="defer_state", default=None,
                type=click.Path(file_okay=False, resolve_path=True),
                help="Artifacts to defer to, when not --state's."),
        _option("--favor-state/--no-favor-state", name="favor_state", default=False,
                help="With --defer: read the state's relation for every unselected node."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def run_options(fn):
    fn = _option("--empty", name="empty", is_flag=True, help="Build with zero rows from every ref and source.")(fn)
    fn = click.option("--event-time-start", default=None, help="Microbatch: first time to (re)build (ISO).")(fn)
    fn = click.option("--event-time-end", default=None, help="Microbatch: time to build up to (ISO).")(fn)
    fn = _option("--store-failures", name="store_failures", is_flag=True, help="Keep failing test rows in tables.")(fn)
    return _option("--full-refresh", "-f", name="full_refresh", is_flag=True,
                   help="Rebuild incremental models and seeds.")(fn)


def analysis_options(fn):
    fn = click.option("--warehouse-schemas", is_flag=True,
                      help="Let static analysis read unknown source schemas from the warehouse (cached).")(fn)
    return click.option("--static-analysis", type=click.Choice(["off", "baseline", "strict", "on", "unsafe"]),
                        default=None, help="Check SQL before it runs: baseline warns, strict fails the node "
                        "(default: each node's static_analysis config, else baseline).")(fn)


#: as dbt: a file setting follows its console setting when only the console one is given
_FOLLOW = {"log_format": "log_format_file", "log_level": "log_level_file", "use_colors": "use_colors_file"}


def _global_flags(kwargs: dict) -> None:
    """A global option given before the subcommand counts unless it is given again after it."""
    ctx = click.get_current_context()
    chain = [ctx]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    given = set()
    for name in _global_names():
        sources = [(c, c.get_parameter_source(name)) for c in chain if name in c.params]
        if any(source != click.core.ParameterSource.DEFAULT for _, source in sources):
            given.add(name)
        commandline = [c for c, source in sources if source == click.core.ParameterSource.COMMANDLINE]
        if commandline:
            kwargs[name] = commandline[0].params[name]
    for lead, follow in _FOLLOW.items():
        if lead in given and follow not in given:
            kwargs[follow] = kwargs[lead]


def _output(kwargs: dict, invocation_id: str, project_dir: str) -> events.OutputSettings:
    level = "debug" if kwargs["debug"] else kwargs["log_level"]
    log_path = kwargs["log_path"] or os.path.join(project_dir, "logs")
    return events.OutputSettings(
        log_format="json" if kwargs["log_format"] == "json" else "text", quiet=kwargs["quiet"], log_level=level,
        log_format_file="json" if kwargs["log_format_file"] == "json" else "text",
        log_level_file="debug" if kwargs["debug"] else kwargs["log_level_file"], log_path=log_path,
        use_colors=kwargs["use_colors"], use_colors_file=kwargs["use_colors_file"], print=kwargs["print"],
        invocation_id=invocation_id)


def _warn_error(kwargs: dict) -> events.WarnError:
    options = kwargs["warn_error_options"] or {}
    lists = {}
    for key, legacy in (("error", "include"), ("warn", "exclude"), ("silence", None)):
        value = options.get(key, options.get(legacy) if legacy else None) or []
        lists[key] = tuple([value] if isinstance(value, str) else value)
    return events.WarnError(bool(kwargs["warn_error"]), **lists)


def _invocation(which: str, kwargs: dict) -> Invocation:
    _global_flags(kwargs)
    fields = {k: v for k, v in kwargs.items() if k in Flags.__dataclass_fields__}
    invocation = Invocation(Flags(which=which, **fields))
    events.use_warn_error(_warn_error(kwargs))
    invocation.start(_output(kwargs, invocation.invocation_id, str(invocation.project_dir)))
    return invocation


def command(fn):
    """Run a task with user errors turned into one clear paragraph and an exit code."""

    @functools.wraps(fn)
    def wrapper(**kwargs):
        which = click.get_current_context().command.name
        invocation = _invocation(which, kwargs)
        interrupt = invocation.interrupt
        try:
            with interrupt:
                try:
                    code = fn(invocation, **{k: v for k, v in kwargs.items()
                                             if k not in Flags.__dataclass_fields__ and k not in _global_names()})
                finally:
                    invocation.close()
        except FusionError as exc:
            invocation.error = exc
            if interrupt.signum is None:  # else the error is the interrupt's doing (a cancelled statement)
                events.emit("MainEncounteredError", f"Error: {exc}", level="error", exc=str(exc))
            code = 2
        except KeyboardInterrupt:
            code = interrupt.exit_code
        except Exception as exc:  # noqa: BLE001 - last resort: a bug in Fusion, not in the project
            events.emit("MainEncounteredError", f"Error: internal error: {type(exc).__name__}: {exc}\n  hint: this is "
                        f"a bug in Fusion; set {TRACEBACK_ENV}=1 to see where, and report it", level="error")
            if os.environ.get(TRACEBACK_ENV):
                import traceback

                traceback.print_exc()
            code = 2
        if interrupt.signum is not None:
            events.emit("Interrupted", f"Exited because of {interrupt.name}", level="error")
            code = interrupt.exit_code
        invocation.complete(code or 0)
        sys.exit(code or 0)

    return wrapper


def _print_version(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    from fusion.plugins import get_plugins
    from fusion.version import version_report

    try:
        click.echo(version_report(get_plugins()))
    except FusionError as exc:
        click.echo(f"Core:\n  - installed: {__version__}\n\nError: {exc}", err=True)
        ctx.exit(2)
    ctx.exit(0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", "-V", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the versions of Fusion and its plugins (adapters), and exit.")
@global_options
def cli(**_flags):
    """Fusion: build dbt projects, faster."""


def _global_names() -> list[str]:
    """The options of ``global_options`` (the group's own)."""
    return [param.name for param in cli.params if param.expose_value]


@cli.command("parse")
@common_options
@command
def parse_command(inv: Invocation):
    """Parse the project and write target/manifest.json."""
    from fusion.tasks import parse_task

    return parse_task(inv)


@cli.command("compile")
@common_options
@selection_options
@state_options
@click.option("--inline", default=None, help="Compile this SQL instead of project nodes.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text",
              help="How to print the compiled SQL of the nodes named in --select.")
@analysis_options
@command
def compile_command(inv: Invocation, inline, output):
    """Render selected nodes to SQL (target/compiled)."""
    from fusion.tasks import compile_task

    return compile_task(inv, inline, output)


def _execution_command(name: str, help_text: str):
    @cli.command(name, help=help_text)
    @common_options
    @selection_options
    @state_options
    @run_options
    @analysis_options
    @command
    def _cmd(inv: Invocation):
        from fusion.tasks import execute_task

        return execute_task(inv)

    return _cmd


for _name, _help in (("run", "Build selected models."), ("seed", "Load seed CSV files."),
                     ("test", "Run data tests."), ("snapshot", "Record changes of snapshot queries."),
                     ("build", "Seeds, models and tests in DAG order; a failing test skips what depends on it.")):
    _execution_command(_name, _help)


@cli.group("source")
def source_group():
    """Commands about sources."""


@source_group.command("freshness")
@common_options
@selection_options
@click.option("--output", "-o", default=None, help="Where to write the results (default: target/sources.json).")
@command
def source_freshness_command(inv: Invocation, output):
    """Check how recent each source's data is against its freshness criteria."""
    from fusion.tasks import freshness_task

    return freshness_task(inv, output)


@cli.group("docs")
def docs_group():
    """The project's documentation: catalog and site."""


@docs_group.command("generate")
@common_options
@selection_options
@click.option("--compile/--no-compile", "compile_first", default=True,
              help="Compile the project first (default); --no-compile uses target/ as it is.")
@click.option("--empty-catalog", is_flag=True, help="Write an empty catalog without querying the warehouse.")
@click.option("--static", is_flag=True, help="Also write target/static_index.html, the site in one file.")
@command
def docs_generate_command(inv: Invocation, compile_first, empty_catalog, static):
    """Write target/catalog.json from the warehouse, and the documentation site beside it."""
    from fusion.tasks import docs_generate_task

    return docs_generate_task(inv, compile_first, empty_catalog, static)


@docs_group.command("serve")
@common_options
@click.option("--port", type=int, default=8080, help="Port to serve on (default 8080).")
@click.option("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1: this machine only).")
@click.option("--browser/--no-browser", default=True, help="Open the site in a web browser.")
@command
def docs_serve_command(inv: Invocation, port, host, browser):
    """Serve the documentation site from target/ (after `fusion docs generate`)."""
    from fusion.tasks import docs_serve_task

    return docs_serve_task(inv, host, port, browser)


@cli.command("clone")
@common_options
@selection_options
@state_options
@click.option("--full-refresh", "-f", is_flag=True, help="Replace relations that already exist here.")
@command
def clone_command(inv: Invocation):
    """Make each selected model, seed and snapshot here a view over (or a clone of) its --state relation."""
    from fusion.tasks import execute_task

    return execute_task(inv)


@cli.command("retry")
@common_options
@command
def retry_command(inv: Invocation):
    """Re-run what failed or was skipped in the last run, with that run's command and flags."""
    from fusion.tasks import retry_task

    return retry_task(inv)


@cli.command("lineage")
@click.argument("column")
@click.option("--upstream", is_flag=True, help="Only what the column is computed from.")
@click.option("--downstream", is_flag=True, help="Only what is computed from the column.")
@common_options
@analysis_options
@command
def lineage_command(inv: Invocation, column, upstream, downstream):
    """Column-level lineage of MODEL.COLUMN (also written to target/lineage.json)."""
    from fusion.tasks import lineage_task

    directions = [d for d, on in (("upstream", upstream), ("downstream", downstream)) if on]
    return lineage_task(inv, column, directions or ["upstream", "downstream"])


@cli.command("deps")
@common_options
@command
def deps_command(inv: Invocation):
    """Install the packages of packages.yml into packages-install-path; write package-lock.yml."""
    from fusion.project.deps import install

    for entry in install(inv.project):
        source = next(k for k in ("local", "git", "tarball", "package") if k in entry)
        detail = entry.get("version") or entry.get("revision", "")[:12] or entry.get(source)
        events.emit("DepsInstalled", f"Installed {entry['name']} ({source} {detail})", level="result")
    return 0


@cli.command("run-operation")
@click.argument("macro")
@click.option("--args", "macro_args", default=None, callback=_parse_vars, help="YAML mapping of macro arguments.")
@common_options
@command
def run_operation_command(inv: Invocation, macro, macro_args):
    """Call a macro against the warehouse (for admin tasks: grants, clean-ups, ...)."""
    from fusion.tasks import run_operation_task

    return run_operation_task(inv, macro, macro_args or {})


@cli.command("ls")
@common_options
@selection_options
@state_options
@click.option("--output", "-o", type=click.Choice(["selector", "name", "path", "json"]), default="selector")
@click.option("--output-keys", multiple=True, cls=GreedyOption,
              help="With --output json: the keys to print (space-separated; dotted for nested: config.materialized).")
@command
def ls_command(inv: Invocation, output, output_keys):
    """List selected resources."""
    from fusion.tasks import list_task

    return list_task(inv, output, output_keys)


cli.add_command(ls_command, "list")


@cli.command("show")
@common_options
@selection_options
@click.option("--inline", default=None, help="A query to run instead of a node.")
@click.option("--limit", type=int, default=5, help="Rows to show (-1 for all).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text")
@command
def show_command(inv: Invocation, inline, limit, output):
    """Run a node's (or an inline query's) SQL and show the first rows."""
    from fusion.tasks import show_task

    return show_task(inv, inline, limit, output)


@cli.command("init")
@click.argument("project_name", required=False)
@click.option("--profiles-dir", default=None, help="Folder of the profiles.yml to add the profile to.")
@click.option("--profile", default=None, help="Use this existing profile for the new project (no profile setup).")
@click.option("--skip-profile-setup", "-s", is_flag=True, help="Create the project only, no profile.")
@click.option("--adapter", default=None, help="The adapter (database type) of the new profile.")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A value of the new profile's target (host, user, ...); asked on a terminal otherwise.")
@global_options
@command
def init_command(inv: Invocation, project_name, profile, skip_profile_setup, adapter, fields):
    """Create a project in ./PROJECT_NAME with a profile for it; inside a project, set up its profile."""
    from fusion.tasks import init_task

    return init_task(inv, project_name, profile, skip_profile_setup, adapter, fields)


@cli.command("debug")
@common_options
@command
def debug_command(inv: Invocation):
    """Check the project, profile, adapter and connection."""
    from fusion.tasks import debug_task

    return debug_task(inv)


@cli.command("clean")
@common_options
@command
def clean_command(inv: Invocation):
    """Delete the folders listed in clean-targets (and target/)."""
    from fusion.tasks import clean_task

    return clean_task(inv)


@cli.group("plugins")
def plugins_group():
    """Installed plugins."""


@plugins_group.command("list")
def plugins_list():
    """Each plugin: distribution, version, hooks; for adapters the driver and whether policy allows it."""
    from fusion.plugins import get_plugins
    from fusion.policy import load_policy

    try:
        plugins = get_plugins()
        policy = load_policy()
        drivers: dict[str, list[str]] = {}
        for reg in plugins.registry.registrations:
            if reg.hook == "fusion_register_adapters":
                spec = reg.item
                drivers.setdefault(reg.plugin, []).append(
                    f"{spec.name}: driver {spec.driver.name}{spec.driver.versions} "
                    f"({'allowed' if policy.driver_allowed(spec.driver.name) else 'denied by policy'})")
        infos = plugins.describe()
    except FusionError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    for info in infos:
        state = f"hooks: {', '.join(info.hooks)}" if info.allowed else "blocked by policy (not imported)"
        click.echo(f"{info.name:40} {info.distribution} {info.version}  {state}")
        for line in drivers.get(info.name, []):
            click.echo(f"{'':40} adapter {line}")


@functools.cache
def root() -> click.Group:
    """The command line with every plugin's commands (added once per process)."""
    from fusion.plugins import get_plugins

    get_plugins().hook.fusion_register_commands(cli=cli)
    return cli


def main():
    try:
        root()
    except FusionError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    cli()
