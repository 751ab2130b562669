"""The static-analysis corpus: planted errors and correct models per dialect, and its score.

A project is tests/analysis/corpus/common + corpus/<dialect> + the seeds. Each planted error is
marked on its line with ``-- expect: <code>`` (``# expect:`` in YAML); every error-level
diagnostic elsewhere is a false error. ``python tests/analysis/corpus.py`` prints precision and
recall per dialect (it compiles only: no warehouse is needed, Snowflake included: compile never connects).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner
from fusion.cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus"
DIALECTS = ("duckdb", "postgres", "snowflake")
_EXPECT = re.compile(r"(?:--|#)\s*expect:\s*([\w-]+)")

PROFILES = {
    "duckdb": "type: duckdb\n      path: {root}/corpus.duckdb\n      schema: main",
    "postgres": "type: postgres\n      host: 127.0.0.1\n      port: 5432\n      user: corpus\n"
                "      password: corpus\n      dbname: corpus\n      schema: main",
    # fusion-snowflake itself: compile renders and analyses offline, it never connects
    "snowflake": "type: snowflake\n      account: offline\n      user: corpus\n      password: corpus\n"
                 "      database: analytics\n      warehouse: corpus\n      schema: main",
}


def make_project(root: Path, dialect: str, profile: str | None = None) -> Path:
    """The corpus project for ``dialect`` in ``root`` (``profile``: the target's YAML, else a default)."""
    project = root / f"corpus_{dialect}"
    shutil.copytree(CORPUS / "common", project)
    shutil.copytree(CORPUS / dialect, project, dirs_exist_ok=True)
    shutil.copytree(CORPUS / "seeds", project / "seeds")
    target = profile or PROFILES[dialect].format(root=root)
    (project / "profiles.yml").write_text(f"corpus:\n  target: dev\n  outputs:\n    dev:\n      {target}\n"
                                          "      threads: 1\n")
    return project


def expected(project: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted((project / "models").rglob("*")):
        if path.suffix in (".sql", ".yml"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                match = _EXPECT.search(line)
                if match:
                    out.add((path.relative_to(project).as_posix(), number, match.group(1)))
    return out


def diagnostics(project: Path, *args: str) -> tuple[int, list[dict]]:
    """Exit code and the StaticAnalysis events of ``fusion compile --static-analysis strict`` (in-process)."""
    result = CliRunner().invoke(cli, ["compile", "--project-dir", str(project), "--profiles-dir", str(project),
                                      "--static-analysis", "strict", "--log-format", "json", *args])
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, [{**e["data"], "msg": e["info"]["msg"]} for e in events
                              if e["info"]["name"] == "StaticAnalysis"]


@dataclass
class Score:
    dialect: str
    planted: int
    caught: set = field(default_factory=set)
    false_errors: set = field(default_factory=set)
    missed: set = field(default_factory=set)
    warnings: int = 0

    @property
    def precision(self) -> float:
        found = len(self.caught) + len(self.false_errors)
        return len(self.caught) / found if found else 1.0

    @property
    def recall(self) -> float:
        return len(self.caught) / self.planted if self.planted else 1.0

    def line(self) -> str:
        return (f"{self.dialect:10} planted={self.planted:2} caught={len(self.caught):2} "
                f"false_errors={len(self.false_errors)} missed={len(self.missed)} warnings={self.warnings} "
                f"precision={self.precision:.2f} recall={self.recall:.2f}")


def score(project: Path, dialect: str) -> Score:
    want = expected(project)
    _, found = diagnostics(project)
    errors = {(e["path"], e["line"], e["code"]) for e in found if e["severity"] == "error"}
    return Score(dialect, len(want), errors & want, errors - want, want - errors,
                 sum(1 for e in found if e["severity"] != "error"))


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scores = [score(make_project(Path(tmp), d), d) for d in DIALECTS]
    for s in scores:
        print(s.line())
        for kind, items in (("false error", s.false_errors), ("missed", s.missed)):
            for item in sorted(items):
                print(f"  {kind}: {item[0]}:{item[1]} {item[2]}")
    return 0 if all(s.precision == 1.0 and s.recall == 1.0 for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
