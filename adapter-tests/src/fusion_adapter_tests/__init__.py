"""The adapter author kit: the conformance suite every Fusion adapter must pass, and the
``fusion adapter new`` scaffold.

Run the suite against a target of your own::

    pytest --pyargs fusion_adapter_tests --fusion-profiles-dir DIR --fusion-target NAME

or from a test module with ``run_conformance``. What the adapter does not declare (an
incremental strategy, materialized views...) is skipped with the reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_conformance(profiles_dir: str | Path, target: str | None = None, *pytest_args: str,
                    cwd: str | Path | None = None, env: dict[str, str] | None = None,
                    timeout: float = 1200) -> subprocess.CompletedProcess:
    """Run the conformance suite in a child pytest against ``target`` of ``profiles_dir/profiles.yml``."""
    args = [sys.executable, "-m", "pytest", "-q", "-rsx", "-p", "no:cacheprovider", "--pyargs", __name__,
            "--fusion-profiles-dir", str(profiles_dir)]
    if target:
        args += ["--fusion-target", target]
    return subprocess.run([*args, *pytest_args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
