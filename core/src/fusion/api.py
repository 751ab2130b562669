"""Run Fusion commands in-process, as dbt's ``dbtRunner`` does::

    from fusion.api import FusionRunner

    parsed = FusionRunner().invoke(["parse"])
    runner = FusionRunner(callbacks=[print], manifest=parsed.result)  # no second parse
    res = runner.invoke(["build", "-s", "orders"])
    res.success, res.exception, res.result  # result: the node results (the manifest for parse)

Each ``invoke`` runs in a ``contextvars`` context of its own: its events go to its callbacks
(and the output plugins), and nothing it sets outlives it, so runners can follow each other
in one process.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from fusion.events import Listener
from fusion.invocation import Session, current_session

if TYPE_CHECKING:
    from fusion.manifest.manifest import Manifest


@dataclass(frozen=True)
class FusionResult:
    success: bool
    exception: BaseException | None = None
    result: Any = None  # list[NodeResult] for run/build/seed/test/snapshot; the Manifest for parse


class FusionRunner:
    def __init__(self, callbacks: Sequence[Listener] | None = None, manifest: Manifest | None = None):
        self.callbacks = tuple(callbacks or ())
        self.manifest = manifest

    def invoke(self, args: Sequence[str]) -> FusionResult:
        """Run one command line (without the leading ``fusion``) and return how it went."""
        session = Session(self.callbacks, self.manifest)
        return contextvars.copy_context().run(self._invoke, session, list(args))

    @staticmethod
    def _invoke(session: Session, args: list[str]) -> FusionResult:
        from fusion.cli import root

        current_session.set(session)
        try:
            root().main(args, prog_name="fusion", standalone_mode=False)
            code = 0  # a command that is not a task (--help, plugins list) returns
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except click.ClickException as exc:  # unknown command or option, bad value
            return FusionResult(False, exc)
        except Exception as exc:  # noqa: BLE001 - the caller gets it, as from dbtRunner
            return FusionResult(False, exc)
        invocation = session.invocation
        if invocation is None:
            return FusionResult(code == 0)
        return FusionResult(code == 0, invocation.error, invocation.result)
