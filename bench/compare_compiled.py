"""Compare the SQL two engines compiled for one project: every file under ``compiled/`` of two
target folders (e.g. ``dbt compile --target-path A`` and ``fusion compile --target-path B``),
whitespace aside. Prints one line (matching / compared, files only one side has) and, with
``-v``, a short diff of each file that differs. Exit 0 when every file matches.

    python bench/compare_compiled.py [-v] DBT_TARGET FUSION_TARGET
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path


def normalized(path: Path) -> str:
    """The file's SQL without whitespace (``a, b`` and ``a,b`` match)."""
    return re.sub(r"\s+", "", path.read_text(errors="replace"))


def sql_files(target: Path) -> dict[str, Path]:
    root = target / "compiled"
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*.sql"))}


def main(argv: list[str]) -> int:
    verbose = argv[:1] == ["-v"]
    expected_dir, got_dir = map(Path, argv[1:] if verbose else argv)
    expected, got = sql_files(expected_dir), sql_files(got_dir)
    common = [name for name in expected if name in got]
    differing = [name for name in common if normalized(expected[name]) != normalized(got[name])]
    print(f"{len(common) - len(differing)}/{len(common)} compiled files match; "
          f"only dbt: {len(set(expected) - set(got))}, only fusion: {len(set(got) - set(expected))}")
    if verbose:
        for name in sorted(set(expected) ^ set(got)):
            print(f"  only {'dbt' if name in expected else 'fusion'}: {name}")
        for name in differing:
            a, b = normalized(expected[name]), normalized(got[name])
            print(f"  differs: {name}")
            changes = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
            for _, i1, i2, j1, j2 in changes[:3]:
                print(f"    dbt ...{a[max(0, i1 - 40):i2 + 10]}\n    fusion ...{b[max(0, j1 - 40):j2 + 10]}")
    return 0 if not differing and set(expected) == set(got) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
