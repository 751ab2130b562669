"""The ``fusion`` command line run in this process as ``python -m fusion`` runs it in a child:
in the project folder, output captured, with its exit code. A child process would import Fusion,
pyarrow and the driver again for every command; here each is loaded once."""

from __future__ import annotations

import contextlib
import contextvars
import io
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(cwd: str | Path, args: list[str]) -> CliRun:
    """Run ``fusion ARGS`` in ``cwd``; what it printed and its exit code. Each run has a context
    of its own (as ``fusion.api.FusionRunner`` gives it), so nothing it sets outlives it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = contextvars.copy_context().run(_main, list(args))
    return CliRun(code, out.getvalue(), err.getvalue())


def _main(args: list[str]) -> int:
    """The exit code of the command line (1 and a traceback for an exception nothing caught, as
    from the interpreter)."""
    from fusion.cli import root

    try:
        root().main(args, prog_name="python -m fusion")
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            return exit_.code or 0
        print(exit_.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - what the interpreter does with it
        traceback.print_exc()
        return 1
    return 0
