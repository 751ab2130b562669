#!/usr/bin/env python3
"""Benchmark harness: Fusion vs dbt Core on a synthetic dbt project.

This is a measurement tool, not a test. For every requested project size N it

1. generates an N-model project with /work/shared/bench/gen_project.py,
2. writes a duckdb profiles.yml into the project (the generator does not write one),
3. times, for Fusion (and for dbt Core when --dbt is given):
     parse  -- cold: target/ is deleted first (dbt: ``dbt parse --no-partial-parse``)
     run    -- ``run --vars '{synthetic_all_views: true}'`` against a freshly created
               database (new db file + sources_ddl.sql + seed tables), target/ deleted,
4. reports the median wall time and the maximum peak RSS over --repeat repetitions,
   as a markdown table on stdout and in --output.

Every command runs as a child process with cwd = the project and
``--profiles-dir <project>``. Wall time is measured around the child; peak RSS is the
``ru_maxrss`` that os.wait4() returns for that child (it covers the child and any
descendants it waited for).

Seeds: the generated models ref the seed ``status_mapping``, so ``run`` fails on an
empty database. Seeds are therefore loaded by this harness (with duckdb's CSV reader,
into ``<schema>_seeds``, the schema the project's generate_schema_name produces) as part
of the untimed database reset, identically for both tools.

usage: .venv/bin/python bench/run_bench.py --models 1000 --dbt /tmp/dbtcore
"""
from __future__ import annotations

import argparse
import datetime as _dt
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
DEFAULT_GENERATOR = Path("/work/shared/bench/gen_project.py")
RUN_VARS = "{synthetic_all_views: true}"
PROFILE_NAME = "synthetic"  # `profile:` in the generated dbt_project.yml
TARGET_SCHEMA = "main"
SEED_SCHEMA = f"{TARGET_SCHEMA}_seeds"  # generate_schema_name: <target.schema>_<custom schema 'seeds'>
DB_FILE_NAME = "bench.duckdb"

# Keep dbt from phoning home / colouring output; harmless for Fusion.
CHILD_ENV_OVERRIDES = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_USE_COLORS": "false",
    "NO_COLOR": "1",
}


# --------------------------------------------------------------------------- data


@dataclass
class Sample:
    wall_s: float
    maxrss_kb: int


@dataclass
class Measurement:
    n_models: int
    tool: str  # "fusion" | "dbt"
    command: str  # "parse" | "run"
    samples: list[Sample] = field(default_factory=list)
    failed: bool = False
    error: str = ""
    nodes: int | None = None  # len(manifest["nodes"]) after parse, as a sanity check
    error_lines: list[str] = field(default_factory=list)
    log_prefix: str = ""
    failed_attempt: str = ""

    @property
    def median_s(self) -> float | None:
        return statistics.median(s.wall_s for s in self.samples) if self.samples else None

    @property
    def peak_mb(self) -> float | None:
        return max(s.maxrss_kb for s in self.samples) / 1024.0 if self.samples else None


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


def timed_child(argv: list[str], cwd: Path, log_prefix: Path) -> tuple[int, float, int]:
    """Run argv as a child; return (exit code, wall seconds, ru_maxrss in KiB).

    stdout/stderr go to files (no pipes, so nothing can block and the harness adds no
    reading overhead to the child's wall time).
    """
    env = dict(os.environ)
    env.update(CHILD_ENV_OVERRIDES)
    out_path = log_prefix.with_suffix(".stdout")
    err_path = log_prefix.with_suffix(".stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=str(cwd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped; keep Popen consistent
    return proc.returncode, wall, int(usage.ru_maxrss)  # Linux: KiB


def capture(argv: list[str]) -> str:
    env = dict(os.environ)
    env.update(CHILD_ENV_OVERRIDES)
    try:
        res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (res.stdout or "") + (res.stderr or "")


def fusion_version(fusion: Path) -> str:
    out = capture([str(fusion), "--version"]).strip()
    return out.splitlines()[0] if out else "unknown"


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


def duckdb_module():
    try:
        import duckdb  # noqa: PLC0415
    except ImportError:
        sys.exit("the `duckdb` Python module is required: run this with /work/main/.venv/bin/python")
    return duckdb


# --------------------------------------------------------------------------- project setup


def generate_project(generator: Path, n: int, project: Path, seed: int) -> None:
    log(f"generating {n}-model project in {project}")
    res = subprocess.run([sys.executable, str(generator), str(n), str(project), "--seed", str(seed)],
                         capture_output=True, text=True)
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


def clear_target(project: Path) -> None:
    shutil.rmtree(project / "target", ignore_errors=True)


def count_manifest_nodes(project: Path) -> int | None:
    manifest = project / "target" / "manifest.json"
    try:
        with open(manifest) as f:
            return len(json.load(f).get("nodes", {}))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- commands


def tool_argv(tool: str, exe: Path, command: str, project: Path) -> list[str]:
    common = ["--profiles-dir", str(project)]
    if command == "parse":
        extra = ["--no-partial-parse"] if tool == "dbt" else []
        return [str(exe), "parse", *common, *extra]
    if command == "run":
        return [str(exe), "run", *common, "--vars", RUN_VARS]
    raise ValueError(command)


def measure(m: Measurement, exe: Path, project: Path, db_path: Path, repeat: int, logs: Path) -> None:
    for rep in range(1, repeat + 1):
        clear_target(project)  # every repetition starts cold: no target/, no partial-parse state
        if m.command == "run":
            reset_database(project, db_path)
        argv = tool_argv(m.tool, exe, m.command, project)
        prefix = logs / f"n{m.n_models}_{m.tool}_{m.command}_{rep}"
        log(f"N={m.n_models} {m.tool} {m.command} [{rep}/{repeat}]: {' '.join(argv)}")
        rc, wall, rss = timed_child(argv, project, prefix)
        if rc != 0:
            m.failed = True
            err_tail = tail(prefix.with_suffix(".stderr"))
            out_tail = tail(prefix.with_suffix(".stdout"))
            m.error = f"exit {rc}"
            m.failed_attempt = f"repetition {rep} exited {rc} after {wall:.2f} s, peak {rss / 1024:.0f} MB"
            m.log_prefix = str(prefix)
            m.error_lines = first_errors([prefix.with_suffix(".stderr"), prefix.with_suffix(".stdout")])
            msg = [f"!! {m.tool} {m.command} (N={m.n_models}) exited {rc} after {wall:.1f}s",
                   f"   command: {' '.join(argv)}  (cwd {project})",
                   f"   logs: {prefix}.stdout / .stderr"]
            if err_tail:
                msg += ["   --- stderr (tail) ---", err_tail]
            if out_tail:
                msg += ["   --- stdout (tail) ---", out_tail]
            print("\n".join(msg), file=sys.stderr, flush=True)
            raise CommandFailed(m.error)
        m.samples.append(Sample(wall, rss))
        log(f"   {wall:.2f} s, {rss / 1024:.0f} MB")
        if m.command == "parse" and m.nodes is None:
            m.nodes = count_manifest_nodes(project)


# --------------------------------------------------------------------------- report


def fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def render(results: list[Measurement], facts: list[tuple[str, str]]) -> str:
    by_key = {(m.n_models, m.tool, m.command): m for m in results}
    lines = ["# Fusion vs dbt Core benchmark", ""]
    lines += [f"- **{k}:** {v}" for k, v in facts]
    lines += ["",
              "Median wall time and maximum peak RSS over the repetitions. `parse` is cold (no `target/`; dbt with "
              "`--no-partial-parse`). `run` is `run --vars '{synthetic_all_views: true}'` on a fresh database "
              "(sources and seeds loaded, untimed) with no `target/`, so dbt re-parses in full. "
              "Ratios are dbt / Fusion (> 1 means Fusion is faster / smaller).",
              "",
              "| N models | tool | command | nodes | median s | peak MB | dbt/fusion time | dbt/fusion RSS | reps |",
              "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        ratio_t = ratio_m = "—"
        if m.tool == "dbt":
            f = by_key.get((m.n_models, "fusion", m.command))
            if f and f.median_s and m.median_s and not f.failed and not m.failed:
                ratio_t = f"{m.median_s / f.median_s:.1f}×"
                ratio_m = f"{m.peak_mb / f.peak_mb:.1f}×"
        median = "FAILED (" + m.error + ")" if m.failed else fmt(m.median_s, ".2f")
        peak = "—" if m.failed else fmt(m.peak_mb, ".0f")
        nodes = "—" if m.nodes is None else str(m.nodes)
        lines.append(f"| {m.n_models:,} | {m.tool} | {m.command} | {nodes} | {median} | {peak} | "
                     f"{ratio_t} | {ratio_m} | {len(m.samples)} |")
    failed = [m for m in results if m.failed]
    if failed:
        lines += ["", "## Failures", ""]
        for m in failed:
            lines += [f"### N={m.n_models:,} {m.tool} {m.command}: {m.error}", "",
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
    ap.add_argument("--fusion", metavar="EXE", default=str(REPO / ".venv" / "bin" / "fusion"),
                    help="Fusion CLI (default: .venv/bin/fusion)")
    ap.add_argument("--workdir", default=str(HERE / "work"), help="scratch folder (default: bench/work, gitignored)")
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"), help="markdown report (default: bench/RESULTS.md)")
    ap.add_argument("--generator", default=str(DEFAULT_GENERATOR), help="project generator script")
    ap.add_argument("--seed", type=int, default=42, help="generator random seed (default: 42)")
    ap.add_argument("--threads", type=int, default=4, help="threads in the generated profiles.yml (default: 4)")
    ap.add_argument("--commands", default="parse,run", help="comma-separated subset of parse,run")
    ap.add_argument("--fail-fast", action="store_true",
                    help="stop at the first failing command (default: record it, go on, exit 1 at the end)")
    a = ap.parse_args(argv)

    sizes = a.models or [1000]
    commands = [c.strip() for c in a.commands.split(",") if c.strip()]
    for c in commands:
        if c not in ("parse", "run"):
            ap.error(f"unknown command {c!r}")
    if a.repeat < 1:
        ap.error("--repeat must be >= 1")

    fusion = Path(a.fusion)
    if not fusion.exists():
        sys.exit(f"Fusion CLI not found: {fusion}")
    tools: list[tuple[str, Path]] = [("fusion", fusion)]
    if a.dbt:
        dbt = Path(a.dbt) / "bin" / "dbt"
        if not dbt.exists():
            sys.exit(f"dbt not found: {dbt}")
        tools.append(("dbt", dbt))
    generator = Path(a.generator)
    if not generator.exists():
        sys.exit(f"generator not found: {generator}")
    duckdb = duckdb_module()

    workdir = Path(a.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    output = Path(a.output).resolve()

    facts = [
        ("date", _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("machine", f"{platform.system()} {platform.release()} {platform.machine()}, "
                    f"{os.cpu_count()} CPUs" + (f" ({len(os.sched_getaffinity(0))} usable)"
                                                if hasattr(os, "sched_getaffinity") else "")),
        ("python (harness)", platform.python_version()),
        ("fusion", fusion_version(fusion)),
    ]
    if a.dbt:
        facts.append(("dbt", dbt_versions(tools[1][1])))
    facts += [("duckdb (python module, used for setup)", duckdb.__version__),
              ("profile threads", str(a.threads)),
              ("repetitions", str(a.repeat)),
              ("generator", f"{generator} N --seed {a.seed}")]

    results: list[Measurement] = []
    any_failed = False
    try:
        for n in sizes:
            base = workdir / f"n{n}"
            project = base / "project"
            db_path = base / "db" / DB_FILE_NAME
            logs = base / "logs"
            shutil.rmtree(logs, ignore_errors=True)
            logs.mkdir(parents=True, exist_ok=True)
            generate_project(generator, n, project, a.seed)
            write_profiles(project, db_path, a.threads)
            for tool, exe in tools:
                for command in commands:
                    m = Measurement(n, tool, command)
                    results.append(m)
                    try:
                        measure(m, exe, project, db_path, a.repeat, logs)
                    except CommandFailed:
                        any_failed = True
                        if a.fail_fast:
                            raise
    except CommandFailed:
        pass
    finally:
        report = render(results, facts)
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
