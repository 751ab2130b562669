#!/usr/bin/env python3
"""Benchmark harness: Fusion vs dbt Core and dbt's Rust engine on a synthetic dbt project.

This is a measurement tool, not a test. For every requested project size N it

1. generates an N-model project with /work/shared/bench/gen_project.py,
2. writes a duckdb profiles.yml into the project (the generator does not write one),
3. times, for Fusion (and for dbt Core when --dbt is given, up to --skip-dbt-above; and for
   dbt's Rust engine when --dbt-rust is given, parse commands only, inside ``unshare -n``):
     parse           -- cold: target/ deleted, ``parse --no-partial-parse``
     parse-nochange  -- after an untimed priming ``parse``, ``parse`` again with nothing changed
     parse-edit      -- after an untimed priming ``parse``, one model file gets a new comment
                        line (different each repetition), then ``parse``; for Fusion the
                        resulting manifest is checked against a cold parse's
     compile         -- cold (target/ deleted, fresh database) ``compile`` of the whole project;
                        for Fusion also ``--static-analysis off`` / ``baseline`` when its
                        ``compile --help`` offers that option
     run             -- ``run --vars '{synthetic_all_views: true}'`` against a freshly created
                        database, target/ deleted; thread utilisation from run_results.json,
4. reports the median wall time, median CPU time and the maximum peak RSS over --repeat
   repetitions, the ratios of both dbt engines to Fusion and issue 18's targets (pass/miss),
   as a markdown table on stdout and in --output.

The timed tools run without PYTHONDONTWRITEBYTECODE (a session may set it: every start of a
Python tool would then compile its imports again), after an untimed ``compileall`` of their
virtualenvs, so no timed command pays for writing bytecode.

Every command runs as a child process with cwd = the project and
``--profiles-dir <project>``, started through bench/timed_child.py: a tiny launcher that
measures the wall time around the child and takes its peak RSS (``ru_maxrss``) from
os.wait4(). The launcher keeps the harness's own memory out of the child's figure (see
its docstring).

Seeds: the generated models ref the seed ``status_mapping``, so ``run`` fails on an
empty database. Seeds are therefore loaded by this harness (with duckdb's CSV reader,
into ``<schema>_seeds``, the schema the project's generate_schema_name produces) as part
of the untimed database reset, identically for both tools.

usage: .venv/bin/python bench/run_bench.py --models 1000 --dbt /tmp/dbtcore
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAUNCHER = HERE / "timed_child.py"
DEFAULT_GENERATOR = Path("/work/shared/bench/gen_project.py")
RUN_VARS = "{synthetic_all_views: true}"
PROFILE_NAME = "synthetic"  # `profile:` in the generated dbt_project.yml
TARGET_SCHEMA = "main"
SEED_SCHEMA = f"{TARGET_SCHEMA}_seeds"  # generate_schema_name: <target.schema>_<custom schema 'seeds'>
DB_FILE_NAME = "bench.duckdb"
COMMANDS = ("parse", "parse-nochange", "parse-edit", "compile", "run")
DEFAULT_COMMANDS = ",".join(COMMANDS)
PARSE_COMMANDS = ("parse", "parse-nochange", "parse-edit")
#: extra compile rows; the plain row uses each node's config, else baseline (Fusion's default)
STATIC_ANALYSIS_MODES = ("off", "strict")
#: the Rust engine re-parses in full by default; its (undocumented in --help) cache is timed as extra rows
RUST_CACHE_FLAG = "--partial-parse"
#: environment variables the timed tools run without (and the report says so when they were set)
UNSET_FOR_TOOLS = ("PYTHONDONTWRITEBYTECODE",)
#: issue 18's targets, checked in the report's "target" column
CORE_PARSE_RATIO, CORE_RSS_SHARE, RUST_PARSE_RATIO, PARSE_TARGET_SIZES = 25.0, 0.5, 4.0, (5000, 10000)
NOCHANGE_MAX_S, EDIT_MAX_S, TARGET_N = 0.15, 0.5, 10000
COMPILE_RATIOS = {("--static-analysis", "strict"): 10.0, ("--static-analysis", "off"): 25.0}
RUN_RATIO = 10.0
# Keys whose values differ between any two invocations; ignored when comparing manifests.
VOLATILE_KEYS = frozenset({"created_at", "generated_at", "invocation_id", "invocation_started_at",
                           "run_started_at"})

# Keep dbt from phoning home / colouring output; harmless for Fusion.
CHILD_ENV_OVERRIDES = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_USE_COLORS": "false",
    "NO_COLOR": "1",
}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Tool:
    name: str  # "fusion" | "dbt" (dbt Core) | "dbt-rust"
    argv: tuple[str, ...]  # how to start it (the Rust engine: inside ``unshare -n``)
    python: Path | None = None  # its virtualenv's interpreter, for the bytecode warm-up


@dataclass
class Sample:
    wall_s: float
    maxrss_kb: int
    cpu_s: float


@dataclass
class Utilisation:
    """How busy the run's threads were: summed node execute time / (threads x run phase)."""
    execute_s: float
    phase_s: float  # first timing step start to last timing step end, over all results
    threads: int
    thread_ids: int  # distinct thread_id values seen

    @property
    def value(self) -> float:
        return self.execute_s / (self.threads * self.phase_s)


@dataclass
class Measurement:
    n_models: int
    tool: str  # Tool.name
    command: str  # one of COMMANDS
    extra: list[str] = field(default_factory=list)  # extra arguments of the timed command
    samples: list[Sample] = field(default_factory=list)
    failed: bool = False
    error: str = ""
    nodes: int | None = None  # len(manifest["nodes"]) after the command, as a sanity check
    error_lines: list[str] = field(default_factory=list)
    log_prefix: str = ""
    failed_attempt: str = ""
    manifest_diffs: list[list[str]] = field(default_factory=list)  # parse-edit: per repetition, [] = identical
    utilisation: list[Utilisation] = field(default_factory=list)  # run: per repetition

    @property
    def label(self) -> str:
        return " ".join([self.command, *self.extra])

    @property
    def median_s(self) -> float | None:
        return statistics.median(s.wall_s for s in self.samples) if self.samples else None

    @property
    def median_cpu_s(self) -> float | None:
        return statistics.median(s.cpu_s for s in self.samples) if self.samples else None

    @property
    def peak_mb(self) -> float | None:
        return max(s.maxrss_kb for s in self.samples) / 1024.0 if self.samples else None


@dataclass
class Setup:
    """One generated project and where its database and logs go."""
    n: int
    base: Path
    project: Path
    db_path: Path
    logs: Path
    threads: int
    edit_file: Path  # the model file parse-edit changes


class CommandFailed(Exception):
    pass


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def first_errors(paths: list[Path], limit: int = 6) -> list[str]:
    """The first few error messages in a command's output: each line mentioning an error,
    followed by the indented lines that continue it."""
    found: list[str] = []
    for path in paths:
        try:
            lines = path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        i = 0
        while i < len(lines) and len(found) < limit:
            line = lines[i]
            if "error" in line.lower() and not line.lstrip().startswith("Done."):
                block = [line.rstrip()]
                j = i + 1
                while j < len(lines) and lines[j].startswith((" ", "\t")) and lines[j].strip() and len(block) < 6:
                    block.append(lines[j].rstrip())
                    j += 1
                found.append("\n".join(block))
                i = j
            else:
                i += 1
    return found


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET_FOR_TOOLS}
    env.update(CHILD_ENV_OVERRIDES)
    return env


def warm_bytecode(tool: Tool) -> None:
    """Untimed: compile the bytecode of every module the tool's virtualenv can import (its
    site-packages and editable source folders), so that no timed start compiles imports."""
    if tool.python is None:
        return
    log(f"{tool.name}: compileall of its virtualenv (untimed)")
    script = ("import compileall, sys\n"
              "for p in sys.path:\n"
              "    if p and not p.startswith(sys.base_prefix):\n"
              "        compileall.compile_dir(p, quiet=2, workers=0)\n")
    subprocess.run([str(tool.python), "-c", script], env=child_env(), capture_output=True)


def timed_child(argv: list[str], cwd: Path, log_prefix: Path) -> tuple[int, float, int, float]:
    """Run argv as a child (through the launcher); return (exit code, wall seconds, ru_maxrss
    in KiB, CPU seconds).

    stdout/stderr go to files (no pipes, so nothing can block and the harness adds no
    reading overhead to the child's wall time).
    """
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), str(cwd),
                str(log_prefix.with_suffix(".stdout")), str(log_prefix.with_suffix(".stderr"))]
    res = subprocess.run([*launcher, *argv], capture_output=True, text=True, env=child_env())
    try:
        rc, wall, rss, cpu = res.stdout.split()
        return int(rc), float(wall), int(rss), float(cpu)  # Linux: KiB
    except ValueError:
        sys.exit(f"timing launcher failed (exit {res.returncode}): {res.stdout}{res.stderr}")


def capture(argv: list[str]) -> str:
    try:
        res = subprocess.run(argv, capture_output=True, text=True, env=child_env(), timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (res.stdout or "") + (res.stderr or "")


def fusion_version(fusion: Path) -> str:
    """``fusion --version``'s core version (its report lists core, then each plugin), and the commit."""
    out = capture([str(fusion), "--version"])
    version = next((line.split(":", 1)[1].strip() for line in out.splitlines() if "- installed:" in line), "unknown")
    commit = capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).strip()
    return f"fusion-core {version} (commit {commit})"


def fusion_has_static_analysis(fusion: Path) -> bool:
    return "--static-analysis" in capture([str(fusion), "compile", "--help"])


def dbt_versions(dbt: Path) -> str:
    out = capture([str(dbt), "--version"])
    core = None
    plugins = []
    section = None
    for raw in out.splitlines():
        line = raw.strip()
        if line.startswith("Core:"):
            section = "core"
        elif line.startswith("Plugins:"):
            section = "plugins"
        elif line.startswith("- installed:") and section == "core":
            core = line.split(":", 1)[1].strip()
        elif line.startswith("- ") and section == "plugins" and ":" in line:
            name, ver = line[2:].split(":", 1)
            plugins.append(f"{name.strip()} {ver.split('-')[0].strip()}")
    if core is None:
        return "unknown"
    return f"dbt-core {core}" + (f" ({', '.join(plugins)})" if plugins else "")


def load_average() -> str:
    """Other work on the machine shows here; wall times taken under load are inflated."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def duckdb_module():
    try:
        import duckdb  # noqa: PLC0415
    except ImportError:
        sys.exit("the `duckdb` Python module is required: run this with /work/main/.venv/bin/python")
    return duckdb


# --------------------------------------------------------------------------- project setup


def generate_project(generator: Path, n: int, project: Path, seed: int, modern_yaml: bool) -> None:
    log(f"generating {n}-model project in {project}")
    argv = [sys.executable, str(generator), str(n), str(project), "--seed", str(seed)]
    res = subprocess.run(argv + (["--modern-yaml"] if modern_yaml else []), capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        sys.exit(f"project generator failed (exit {res.returncode})")
    log(res.stdout.strip())


def write_profiles(project: Path, db_path: Path, threads: int) -> None:
    profiles = project / "profiles.yml"
    if profiles.exists():  # the generator does not write one today; never clobber one if it starts to
        return
    profiles.write_text(
        f"""# Written by bench/run_bench.py
{PROFILE_NAME}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{db_path}"
      schema: {TARGET_SCHEMA}
      threads: {threads}
""")


def pick_edit_file(project: Path) -> Path:
    """The model parse-edit changes: the first intermediate model (it refs others), else the first model."""
    models = sorted((project / "models").rglob("*.sql"))
    if not models:
        sys.exit(f"no model files under {project / 'models'}")
    return next((p for p in models if p.name.startswith("int_")), models[0])


def reset_database(project: Path, db_path: Path) -> None:
    """Fresh db file, every source table from sources_ddl.sql, and the project's seeds."""
    duckdb = duckdb_module()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for p in (db_path, db_path.with_name(db_path.name + ".wal")):
        if p.exists():
            p.unlink()
    con = duckdb.connect(str(db_path))
    try:
        con.execute((project / "sources_ddl.sql").read_text())
        seeds = sorted((project / "seeds").glob("*.csv"))
        if seeds:
            con.execute(f'create schema if not exists "{SEED_SCHEMA}"')
        for csv in seeds:
            con.execute(f'create or replace table "{SEED_SCHEMA}"."{csv.stem}" as '
                        f"select * from read_csv_auto(?, header = true)", [str(csv)])
    finally:
        con.close()


def view_seconds(db_dir: Path, n: int) -> float:
    """Untimed probe of the database's own floor: seconds per ``create view`` in DuckDB (n views
    over one table, one connection, in a scratch file), for the report's ideal ``run``."""
    duckdb = duckdb_module()
    path = db_dir / "view_probe.duckdb"
    db_dir.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create table t as select range as id from range(10)")
        start = time.perf_counter()
        for i in range(n):
            con.execute(f"create view v{i} as select id from t where id > {i % 7}")
        return (time.perf_counter() - start) / n
    finally:
        con.close()
        path.unlink(missing_ok=True)


def clear_target(project: Path) -> None:
    shutil.rmtree(project / "target", ignore_errors=True)


# --------------------------------------------------------------------------- artifacts


def count_manifest_nodes(project: Path) -> int | None:
    manifest = project / "target" / "manifest.json"
    try:
        with open(manifest) as f:
            return len(json.load(f).get("nodes", {}))
    except (OSError, ValueError):
        return None


def without_volatile(value):
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def manifest_digests(path: Path) -> dict[str, str]:
    """A digest per manifest entry ("nodes.<unique_id>", "metadata", ...), volatile keys left out.

    Digests rather than the manifests themselves, so only one manifest is in memory at a time
    and a difference can be named."""
    with open(path) as f:
        manifest = json.load(f)
    digests = {}
    for top, value in manifest.items():
        entries = value.items() if isinstance(value, dict) and top != "metadata" else [(None, value)]
        for key, entry in entries:
            text = json.dumps(without_volatile(entry), sort_keys=True)
            digests[top if key is None else f"{top}.{key}"] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def manifest_differences(a: Path, b: Path) -> list[str]:
    """Entries (see manifest_digests) present in only one manifest or different in the two."""
    da, db = manifest_digests(a), manifest_digests(b)
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))


def _timestamp(text) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def thread_utilisation(run_results: Path, profile_threads: int) -> Utilisation | None:
    """Utilisation of the run phase from run_results.json, or None when it has no timings."""
    try:
        with open(run_results) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    instants: list[_dt.datetime] = []
    execute_s = 0.0
    thread_ids = set()
    for result in data.get("results") or []:
        if result.get("thread_id"):
            thread_ids.add(result["thread_id"])
        for step in result.get("timing") or []:
            start, end = _timestamp(step.get("started_at")), _timestamp(step.get("completed_at"))
            if start is None or end is None:
                continue
            instants += [start, end]
            if step.get("name") == "execute":
                execute_s += (end - start).total_seconds()
    if not instants:
        return None
    phase_s = (max(instants) - min(instants)).total_seconds()
    threads = (data.get("args") or {}).get("threads")
    if not isinstance(threads, int) or threads < 1:
        threads = profile_threads
    return Utilisation(execute_s, phase_s, threads, len(thread_ids)) if phase_s > 0 else None


# --------------------------------------------------------------------------- commands


def timed_args(m: Measurement) -> list[str]:
    if m.command == "parse":  # the Rust engine re-parses in full unless asked for its cache
        return ["parse"] if m.tool == "dbt-rust" else ["parse", "--no-partial-parse"]
    if m.command in ("parse-nochange", "parse-edit"):
        return ["parse", *m.extra]
    if m.command == "compile":
        return ["compile", *m.extra]
    if m.command == "run":
        return ["run", "--vars", RUN_VARS]
    raise ValueError(m.command)


def step(m: Measurement, tool: Tool, args: list[str], s: Setup, name: str, what: str) -> tuple[float, int, float]:
    """Run one command of measurement m; on failure record it on m and raise CommandFailed."""
    argv = [*tool.argv, *args, "--profiles-dir", str(s.project)]
    prefix = s.logs / f"n{s.n}_{m.tool}_{m.label.replace('--', '').replace(' ', '_')}_{name}"
    log(f"N={s.n} {m.tool} {m.label} [{what}]: {' '.join(argv)}")
    rc, wall, rss, cpu = timed_child(argv, s.project, prefix)
    if rc == 0:
        return wall, rss, cpu
    m.failed = True
    m.error = f"exit {rc}"
    m.failed_attempt = f"{what} exited {rc} after {wall:.2f} s, peak {rss / 1024:.0f} MB"
    m.log_prefix = str(prefix)
    m.error_lines = first_errors([prefix.with_suffix(".stderr"), prefix.with_suffix(".stdout")])
    msg = [f"!! {m.tool} {m.label} (N={s.n}, {what}) exited {rc} after {wall:.1f}s",
           f"   command: {' '.join(argv)}  (cwd {s.project})",
           f"   logs: {prefix}.stdout / .stderr"]
    for stream in ("stderr", "stdout"):
        text = tail(prefix.with_suffix(f".{stream}"))
        if text:
            msg += [f"   --- {stream} (tail) ---", text]
    print("\n".join(msg), file=sys.stderr, flush=True)
    raise CommandFailed(m.error)


def check_against_cold(m: Measurement, tool: Tool, s: Setup, rep: int) -> list[str]:
    """Differences between target/manifest.json and a cold parse's manifest (in a separate
    target path, so the parse cache in target/ is left as it is)."""
    cold = s.base / "cold_target"
    shutil.rmtree(cold, ignore_errors=True)
    step(m, tool, ["parse", "--no-partial-parse", "--target-path", str(cold)], s, f"{rep}_cold",
         f"untimed cold reference parse, repetition {rep}")
    diffs = manifest_differences(s.project / "target" / "manifest.json", cold / "manifest.json")
    shutil.rmtree(cold, ignore_errors=True)
    log(f"   manifest after the edit vs cold parse: {'DIFFERENT ' + str(diffs[:5]) if diffs else 'identical'}")
    return diffs


def measure(m: Measurement, tool: Tool, s: Setup, repeat: int) -> None:
    cold = m.command in ("parse", "compile", "run")
    if not cold:  # parse-nochange, parse-edit: the timed parses find the state one plain parse leaves
        clear_target(s.project)
        step(m, tool, ["parse", *m.extra], s, "prime", "untimed priming parse")
    original = s.edit_file.read_text() if m.command == "parse-edit" else None
    try:
        for rep in range(1, repeat + 1):
            if cold:
                clear_target(s.project)  # every repetition starts cold: no target/, no parse cache
            if m.command in ("compile", "run"):
                reset_database(s.project, s.db_path)
            if original is not None:  # new content every repetition
                s.edit_file.write_text(f"{original.rstrip()}\n-- bench edit {rep}\n")
            wall, rss, cpu = step(m, tool, timed_args(m), s, str(rep), f"repetition {rep}/{repeat}")
            m.samples.append(Sample(wall, rss, cpu))
            log(f"   {wall:.2f} s ({cpu:.2f} s CPU), {rss / 1024:.0f} MB")
            if m.nodes is None:
                m.nodes = count_manifest_nodes(s.project)
            if m.command == "parse-edit" and m.tool == "fusion":
                m.manifest_diffs.append(check_against_cold(m, tool, s, rep))
            if m.command == "run":
                u = thread_utilisation(s.project / "target" / "run_results.json", s.threads)
                if u is not None:
                    m.utilisation.append(u)
    finally:
        if original is not None:
            s.edit_file.write_text(original)


def rows_for(tool: str, command: str, n: int, static_analysis: bool) -> list[Measurement]:
    if tool == "dbt-rust" and command not in PARSE_COMMANDS:
        return []  # it fetches warehouse drivers from its CDN: nothing past parsing runs here
    rows = [Measurement(n, tool, command)]
    if tool == "fusion" and command == "compile" and static_analysis:
        rows += [Measurement(n, tool, command, ["--static-analysis", mode]) for mode in STATIC_ANALYSIS_MODES]
    if tool == "dbt-rust" and command in ("parse-nochange", "parse-edit"):
        rows.append(Measurement(n, tool, command, [RUST_CACHE_FLAG]))
    return rows


# --------------------------------------------------------------------------- report


def fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def fusion_row(by_key: dict, m: Measurement) -> Measurement | None:
    """The Fusion row another tool's row compares with: same N and command, same extra
    arguments when Fusion has that row, else Fusion's plain row."""
    f = by_key.get((m.n_models, "fusion", m.label)) or by_key.get((m.n_models, "fusion", m.command))
    return f if f and f.samples and not f.failed else None


def ratios(by_key: dict, m: Measurement, tool: str) -> tuple[float, float] | None:
    """(tool's time / Fusion's, tool's peak RSS / Fusion's) for Fusion row m, or None."""
    other = by_key.get((m.n_models, tool, m.label)) or by_key.get((m.n_models, tool, m.command))
    if other is None or not other.samples or other.failed or not m.samples or m.failed:
        return None
    return other.median_s / m.median_s, other.peak_mb / m.peak_mb


def target(by_key: dict, m: Measurement) -> str:
    """Issue 18's target for Fusion row m: each condition with "pass" or "miss" ("" when none applies)."""
    checks: list[str] = []

    def check(name: str, ok: bool, figure: str) -> None:
        checks.append(f"{name} {'pass' if ok else 'miss'} ({figure})")

    core, rust = ratios(by_key, m, "dbt"), ratios(by_key, m, "dbt-rust")
    if m.command == "parse" and m.n_models in PARSE_TARGET_SIZES:
        if core:
            check(f"≥{CORE_PARSE_RATIO:.0f}× Core", core[0] >= CORE_PARSE_RATIO, f"{core[0]:.1f}×")
            check("≤½ Core RSS", 1 / core[1] <= CORE_RSS_SHARE, f"{1 / core[1]:.2f}")
        if rust:
            check(f"≥{RUST_PARSE_RATIO:.0f}× Rust", rust[0] >= RUST_PARSE_RATIO, f"{rust[0]:.1f}×")
    elif m.command == "parse-nochange" and m.n_models == TARGET_N and m.samples:
        check(f"≤{NOCHANGE_MAX_S} s", m.median_s <= NOCHANGE_MAX_S, f"{m.median_s:.2f} s")
    elif m.command == "parse-edit" and m.n_models == TARGET_N and m.samples:
        check(f"≤{EDIT_MAX_S} s", m.median_s <= EDIT_MAX_S, f"{m.median_s:.2f} s")
        same = bool(m.manifest_diffs) and not any(m.manifest_diffs)
        checks.append(f"manifest = cold {'pass' if same else 'miss'}")
    elif m.command == "compile" and tuple(m.extra) in COMPILE_RATIOS and core:
        want = COMPILE_RATIOS[tuple(m.extra)]
        check(f"≥{want:.0f}× Core", core[0] >= want, f"{core[0]:.1f}×")
    elif m.command == "run" and core:
        check(f"≥{RUN_RATIO:.0f}× Core", core[0] >= RUN_RATIO, f"{core[0]:.1f}×")
    if m.failed:
        checks.append("miss (failed)")
    return "; ".join(checks)


def table(results: list[Measurement]) -> list[str]:
    by_key = {(m.n_models, m.tool, m.label): m for m in results}
    order = {c: i for i, c in enumerate(COMMANDS)}
    tools = {"fusion": 0, "dbt": 1, "dbt-rust": 2}
    # stable sort: variants (compile --static-analysis ...) keep the order they were measured in
    rows = sorted(results, key=lambda m: (m.n_models, order[m.command], tools[m.tool], bool(m.extra)))
    lines = ["| N | tool | command | nodes | median s | CPU s | peak MB | time ÷ Fusion | RSS ÷ Fusion | "
             "issue 18 target | reps |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for m in rows:
        ratio_t = ratio_m = "—"
        f = fusion_row(by_key, m) if m.tool != "fusion" else None
        if f and m.samples and not m.failed:
            ratio_t = f"{m.median_s / f.median_s:.1f}×"
            ratio_m = f"{m.peak_mb / f.peak_mb:.1f}×"
        median = "FAILED (" + m.error + ")" if m.failed else fmt(m.median_s, ".2f")
        cpu = "—" if m.failed else fmt(m.median_cpu_s, ".2f")
        peak = "—" if m.failed else fmt(m.peak_mb, ".0f")
        nodes = "—" if m.nodes is None else str(m.nodes)
        goal = target(by_key, m) if m.tool == "fusion" else ""
        lines.append(f"| {m.n_models:,} | {m.tool} | {m.label} | {nodes} | {median} | {cpu} | {peak} | "
                     f"{ratio_t} | {ratio_m} | {goal} | {len(m.samples)} |")
    return lines


def node_count_notes(results: list[Measurement]) -> list[str]:
    """Whether every tool's manifest has as many nodes as Fusion's at each N."""
    lines = []
    for n in sorted({m.n_models for m in results}):
        counts = {(m.tool, m.label): m.nodes for m in results if m.n_models == n and m.nodes is not None}
        if len({*counts.values()}) > 1:
            shown = ", ".join(f"{tool} {label}: {c}" for (tool, label), c in sorted(counts.items()))
            lines.append(f"- N={n:,}: node counts DIFFER: {shown}")
        elif counts:
            tools = sorted({tool for tool, _ in counts})
            lines.append(f"- N={n:,}: {next(iter(counts.values()))} nodes in every manifest ({', '.join(tools)})")
    return ["", "**Node counts** (`len(manifest['nodes'])` after each command):", "", *lines] if lines else []


def run_notes(results: list[Measurement], view_s: dict[int, float]) -> list[str]:
    """How far Fusion's run is from the database's floor: N views × one ``create view`` plus
    Fusion's start-up (its no-change parse at the same N)."""
    lines = []
    for m in results:
        if m.tool != "fusion" or m.command != "run" or not m.samples or m.failed or m.n_models not in view_s:
            continue
        startup = next((x.median_s for x in results if x.tool == "fusion" and x.command == "parse-nochange"
                        and x.n_models == m.n_models and x.samples and not x.failed), None)
        floor = m.n_models * view_s[m.n_models]
        if startup is None:
            lines.append(f"- N={m.n_models:,}: run {m.median_s:.2f} s; {m.n_models:,} views × "
                         f"{view_s[m.n_models] * 1000:.2f} ms = {floor:.2f} s (no parse-nochange row for start-up)")
            continue
        ideal = floor + startup
        lines.append(f"- N={m.n_models:,}: run {m.median_s:.2f} s against {m.n_models:,} views × "
                     f"{view_s[m.n_models] * 1000:.2f} ms + {startup:.2f} s start-up = {ideal:.2f} s: "
                     f"{m.median_s - ideal:+.2f} s ({m.median_s / ideal:.1f}× the floor)")
    if not lines:
        return []
    return ["", "**Distance of `run` from the database's floor.** One `create view` in DuckDB, timed by the "
            "harness (untimed probe: N views over one table on one connection), times N, plus Fusion's start-up "
            "(its `parse-nochange` median at the same N):", "", *lines]


def edit_notes(results: list[Measurement], edit_files: dict[int, str]) -> list[str]:
    checked = [m for m in results if m.manifest_diffs]
    if not checked and not any(m.command == "parse-edit" for m in results):
        return []
    lines = ["", "**parse-edit.** Each repetition appends a comment line `-- bench edit <repetition>` to one "
             "model (" + "; ".join(f"N={n:,}: `{f}`" for n, f in edit_files.items()) + "). "
             "Fusion's manifest after the edited parse, compared with a cold parse's (`--no-partial-parse` into "
             "a separate target path), ignoring " + ", ".join(sorted(VOLATILE_KEYS)) + ":", ""]
    for m in checked:
        bad = [(rep, d) for rep, d in enumerate(m.manifest_diffs, 1) if d]
        if not bad:
            lines.append(f"- N={m.n_models:,}: identical ({len(m.manifest_diffs)} of {len(m.manifest_diffs)} "
                         "repetitions)")
        for rep, d in bad:
            shown = ", ".join(f"`{k}`" for k in d[:8]) + (f" and {len(d) - 8} more" if len(d) > 8 else "")
            lines.append(f"- N={m.n_models:,}: DIFFERENT in repetition {rep}: {len(d)} entries differ: {shown}")
    if not checked:
        lines.append("- no check completed")
    return lines


def utilisation_notes(results: list[Measurement]) -> list[str]:
    measured = [m for m in results if m.utilisation]
    if not measured:
        return []
    lines = ["", "**Thread utilisation (run)** from `target/run_results.json`: the nodes' `execute` step durations "
             "summed / (threads × run phase), the run phase lasting from the first timing step's start to the "
             "last one's end. Repetition with the median value:", ""]
    for m in measured:
        u = sorted(m.utilisation, key=lambda x: x.value)[(len(m.utilisation) - 1) // 2]
        lines.append(f"- N={m.n_models:,} {m.tool}: {u.value:.0%} ({u.execute_s:.1f} s of execute over "
                     f"{u.threads} threads × {u.phase_s:.1f} s; {u.thread_ids} thread ids seen)")
    return lines


def scaling(results: list[Measurement]) -> list[str]:
    parses = {(m.n_models, m.tool): m for m in results if m.command == "parse" and m.samples and not m.failed}
    sizes = sorted({n for n, tool in parses if tool == "fusion"})
    if not sizes:
        return []
    tools = [t for t in ("fusion", "dbt", "dbt-rust") if any(tool == t for _, tool in parses)]
    lines = ["", "## Scaling", "", "Cold `parse`, median seconds per 1,000 models.", "",
             "| N | " + " | ".join(f"{t} s / 1k models" for t in tools) + " |",
             "|---:|" + "---:|" * len(tools)]
    for n in sizes:
        cells = [f"{parses[(n, t)].median_s * 1000 / n:.2f}" if (n, t) in parses else "—" for t in tools]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


def render(results: list[Measurement], facts: list[tuple[str, str]], edit_files: dict[int, str],
           skip_dbt_above: int | None, view_s: dict[int, float]) -> str:
    lines = ["# Fusion vs dbt Core and dbt's Rust engine", ""]
    lines += [f"- **{k}:** {v}" for k, v in facts]
    lines += ["",
              "Median wall time, median CPU time (user + system) and maximum peak RSS over the repetitions. "
              "`parse` is cold (no `target/`; `--no-partial-parse` for Fusion and dbt Core; the Rust engine's plain "
              "`parse` re-parses in full). `parse-nochange` and `parse-edit` follow an untimed priming `parse` "
              "(dbt Core: partial parsing; Fusion: its parse cache in `target/`; the Rust engine: a full parse again "
              f"unless `{RUST_CACHE_FLAG}`, timed as extra rows). `compile` is cold, on a fresh database. "
              "`run` is `run --vars '{synthetic_all_views: true}'` on a fresh database (sources and seeds loaded, "
              "untimed) with no `target/`, so dbt re-parses in full. The Rust engine runs `parse` only, inside "
              "`unshare -n`. Ratios are the row's tool / Fusion on the same command (> 1 means Fusion is faster / "
              "smaller). The target column checks issue 18's targets on Fusion's rows.",
              ""]
    lines += table(results)
    if skip_dbt_above is not None and any(m.n_models > skip_dbt_above for m in results):
        lines += ["", f"dbt Core was not run for N > {skip_dbt_above:,} (`--skip-dbt-above`)."]
    lines += node_count_notes(results)
    lines += edit_notes(results, edit_files)
    lines += utilisation_notes(results)
    lines += run_notes(results, view_s)
    lines += scaling(results)
    failed = [m for m in results if m.failed]
    if failed:
        lines += ["", "## Failures", ""]
        for m in failed:
            lines += [f"### N={m.n_models:,} {m.tool} {m.label}: {m.error}", "",
                      f"The {m.failed_attempt} (not comparable: the command did not do all its work).",
                      "",
                      f"Logs: `{m.log_prefix}.stdout` / `.stderr`. First error messages:", "", "```"]
            lines += m.error_lines or ["(no line mentioning an error; see the logs)"]
            lines += ["```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=int, action="append", metavar="N",
                    help="project size in models; may be given several times (default: 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions per command (default: 3)")
    ap.add_argument("--dbt", metavar="VENV", help="virtualenv holding dbt Core + dbt-duckdb (e.g. /tmp/dbtcore)")
    ap.add_argument("--skip-dbt-above", type=int, metavar="N",
                    help="time dbt Core only for project sizes up to N models")
    ap.add_argument("--dbt-rust", metavar="VENV",
                    help="virtualenv holding dbt's Rust engine (pip install dbt==2.0.0rc196); parse commands only")
    ap.add_argument("--modern-yaml", action="store_true",
                    help="generate the dbt >= 1.10 source syntax (the only one the Rust engine reads)")
    ap.add_argument("--parse-only-above", type=int, metavar="N",
                    help="above N models, time only the parse commands (compile and run at the smaller sizes)")
    ap.add_argument("--fusion", metavar="EXE", default=str(REPO / ".venv" / "bin" / "fusion"),
                    help="Fusion CLI (default: .venv/bin/fusion)")
    ap.add_argument("--workdir", default=str(HERE / "work"), help="scratch folder (default: bench/work, gitignored)")
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"), help="markdown report (default: bench/RESULTS.md)")
    ap.add_argument("--generator", default=str(DEFAULT_GENERATOR), help="project generator script")
    ap.add_argument("--seed", type=int, default=42, help="generator random seed (default: 42)")
    ap.add_argument("--threads", type=int, default=4, help="threads in the generated profiles.yml (default: 4)")
    ap.add_argument("--commands", default=DEFAULT_COMMANDS,
                    help=f"comma-separated subset of {DEFAULT_COMMANDS} (default: all)")
    ap.add_argument("--fail-fast", action="store_true",
                    help="stop at the first failing command (default: record it, go on, exit 1 at the end)")
    a = ap.parse_args(argv)

    sizes = a.models or [1000]
    commands = [c.strip() for c in a.commands.split(",") if c.strip()]
    for c in commands:
        if c not in COMMANDS:
            ap.error(f"unknown command {c!r} (choose from {DEFAULT_COMMANDS})")
    if a.repeat < 1:
        ap.error("--repeat must be >= 1")

    fusion = Path(a.fusion).absolute()
    if not fusion.exists():
        sys.exit(f"Fusion CLI not found: {fusion}")
    tools = [Tool("fusion", (str(fusion),), fusion.parent / "python")]
    if a.dbt:
        dbt = Path(a.dbt).absolute() / "bin" / "dbt"
        if not dbt.exists():
            sys.exit(f"dbt not found: {dbt}")
        tools.append(Tool("dbt", (str(dbt),), dbt.parent / "python"))
    if a.dbt_rust:
        rust = Path(a.dbt_rust).absolute() / "bin" / "dbt"
        unshare = shutil.which("unshare")
        if not rust.exists() or unshare is None:
            sys.exit(f"dbt's Rust engine needs {rust} and unshare(1) (util-linux)")
        tools.append(Tool("dbt-rust", (unshare, "-n", str(rust))))
    generator = Path(a.generator)
    if not generator.exists():
        sys.exit(f"generator not found: {generator}")
    duckdb = duckdb_module()
    static_analysis = "compile" in commands and fusion_has_static_analysis(fusion)

    workdir = Path(a.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    output = Path(a.output).resolve()
    unset = [name for name in UNSET_FOR_TOOLS if name in os.environ]

    facts = [
        ("date", _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("machine", f"{platform.system()} {platform.release()} {platform.machine()}, "
                    f"{os.cpu_count()} CPUs" + (f" ({len(os.sched_getaffinity(0))} usable)"
                                                if hasattr(os, "sched_getaffinity") else "")),
        ("python (harness)", platform.python_version()),
        ("fusion", fusion_version(fusion)),
    ]
    if "compile" in commands:
        facts.append(("fusion `compile --static-analysis`",
                      "offered: " + " and ".join(STATIC_ANALYSIS_MODES) + " measured as extra rows" if static_analysis
                      else "not offered by this build"))
    if a.dbt:
        facts.append(("dbt Core", dbt_versions(tools[1].argv[0])))
    if a.dbt_rust:
        facts.append(("dbt's Rust engine", capture([str(rust), "--version"]).strip().splitlines()[0]
                      + f" ({rust}, run as `unshare -n dbt parse`)"))
    facts += [("duckdb (python module, used for setup)", duckdb.__version__),
              ("profile threads", str(a.threads)),
              ("repetitions", str(a.repeat)),
              ("generator", f"{generator} N --seed {a.seed}" + (" --modern-yaml" if a.modern_yaml else "")),
              ("environment of the timed tools", (", ".join(unset) + " unset (it was set in the harness's "
                                                  "environment)" if unset else "as the harness's")
               + "; bytecode compiled beforehand (untimed compileall of each Python tool's virtualenv)"),
              ("load average at start (1/5/15 min)", load_average())]

    results: list[Measurement] = []
    edit_files: dict[int, str] = {}
    view_s: dict[int, float] = {}
    any_failed = False
    for tool in tools:
        warm_bytecode(tool)
    try:
        for n in sizes:
            base = workdir / (f"n{n}-modern" if a.modern_yaml else f"n{n}")
            project = base / "project"
            logs = base / "logs"
            shutil.rmtree(logs, ignore_errors=True)
            logs.mkdir(parents=True, exist_ok=True)
            generate_project(generator, n, project, a.seed, a.modern_yaml)
            db_path = base / "db" / DB_FILE_NAME
            write_profiles(project, db_path, a.threads)
            s = Setup(n, base, project, db_path, logs, a.threads, pick_edit_file(project))
            these = [c for c in commands if a.parse_only_above is None or n <= a.parse_only_above
                     or c in PARSE_COMMANDS]
            if "parse-edit" in these:
                edit_files[n] = str(s.edit_file.relative_to(project))
            if "run" in these:
                view_s[n] = view_seconds(db_path.parent, n)
            for tool in tools:
                if tool.name == "dbt" and a.skip_dbt_above is not None and n > a.skip_dbt_above:
                    log(f"N={n}: dbt Core skipped (--skip-dbt-above {a.skip_dbt_above})")
                    continue
                for command in these:
                    for m in rows_for(tool.name, command, n, static_analysis):
                        results.append(m)
                        try:
                            measure(m, tool, s, a.repeat)
                        except CommandFailed:
                            any_failed = True
                            if a.fail_fast:
                                raise
    except CommandFailed:
        pass
    finally:
        facts.append(("load average at end (1/5/15 min)", load_average()))
        report = render(results, facts, edit_files, a.skip_dbt_above, view_s)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report)
        print(report)
        log(f"wrote {output}")
    if any_failed:
        log("at least one command failed (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
