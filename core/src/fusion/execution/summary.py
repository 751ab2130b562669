"""The end of a run, as dbt reports it: what ran, a recap of each error and warning (the node, its
file, its compiled code, a stored test's failures), then ``Done. PASS=.. WARN=.. ERROR=..``."""

from __future__ import annotations

import os
from collections import Counter

from fusion import events
from fusion.execution.results import NodeResult
from fusion.invocation import Invocation
from fusion.sql_files import compiled_file_path

_TALLY = {"success": "pass", "pass": "pass", "warn": "warn", "skipped": "skip", "no-op": "noop"}


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}{'es' if word.endswith('s') else 's'}"


def _stat_line(inv: Invocation, results: list[NodeResult]) -> str:
    """``3 seeds, 2 table models, 20 data tests``: what ran, by kind, in dbt's order (the kinds' keys sorted)."""
    nodes = {**inv.manifest.nodes, **inv.manifest.unit_tests}
    kinds: Counter[str] = Counter()
    for result in results:
        node = nodes.get(result.unique_id)
        if node is None or node.resource_type == "operation":
            continue
        kinds[f"{node.materialized} model" if node.resource_type == "model" else node.resource_type] += 1
    labels = {"test": "data test", "unit_test": "unit test"}
    return ", ".join(_plural(n, labels.get(kind, kind)) for kind, n in sorted(kinds.items()))


def _elapsed(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f" in {int(hours)} hours {int(minutes)} minutes and {secs:0.2f} seconds"


def _blank() -> None:
    events.emit("Formatting", "", msg="")


def _recap(inv: Invocation, result: NodeResult, warning: bool) -> None:
    """One result that needs attention: where it is, what went wrong, what to look at."""
    manifest = inv.manifest
    node = manifest.nodes.get(result.unique_id) or manifest.unit_tests.get(result.unique_id)
    if node is None:
        return
    kind = node.resource_type.replace("_", " ")
    where = dict(node_name=node.name, path=node.original_file_path, resource_type=node.resource_type)
    message = result.message or ""
    _blank()
    if warning:
        events.emit("RunResultWarning", f"[WARNING]: in {kind} {node.name} ({node.original_file_path})",
                    level="warn", **where)
        events.emit("RunResultWarningMessage", f"[WARNING]: {message}", level="warn", msg=message)
    else:
        events.emit("RunResultFailure", f"[ERROR]: in {kind} {node.name} ({node.original_file_path})",
                    level="error", **where)
        events.emit("RunResultError", "  " + message.replace("\n", "\n  "), level="error", msg=message)
    if result.compiled_code:
        relative = os.path.relpath(inv.target_path / compiled_file_path(node, "compiled"), inv.project_dir)
        _blank()
        events.emit("SQLCompiledPath", f"  compiled code at {relative}", path=relative)
    if node.resource_type == "test" and result.relation_name and result.status in ("fail", "warn"):
        rule = "  " + "-" * (len(result.relation_name) + 16)
        _blank()
        events.emit("CheckNodeTestFailure", f"  See test failures:\n{rule}\n  select * from {result.relation_name}\n"
                    f"{rule}", relation_name=result.relation_name)


def report(inv: Invocation, results: list[NodeResult], elapsed: float) -> None:
    tally = Counter(_TALLY.get(r.status, "error") for r in results)
    errors = [r for r in results if r.status in ("error", "fail", "runtime error")]
    warnings = [r for r in results if r.status == "warn"]
    partial = sum(r.status == "partial success" for r in results)
    _blank()
    stat_line, execution = _stat_line(inv, results), _elapsed(elapsed)
    events.emit("FinishedRunningStats", f"Finished running {stat_line}{execution} ({elapsed:.2f}s).",
                stat_line=stat_line, execution=execution, execution_time=elapsed)
    _blank()
    if errors or warnings or partial:
        parts = [_plural(len(errors), "error")] if errors or partial else []
        parts += [_plural(partial, "partial success")] if errors or partial else []
        parts.append(_plural(len(warnings), "warning"))
        text = f"Completed with {', '.join(parts[:-1])}, and {parts[-1]}:" if len(parts) > 1 else \
            f"Completed with {parts[0]}:"
    else:
        text = "Completed successfully"
    events.emit("EndOfRunSummary", text, num_errors=len(errors), num_warnings=len(warnings),
                num_partial_success=partial, keyboard_interrupt=inv.interrupt.signum is not None)
    for result in errors:
        _recap(inv, result, warning=False)
    for result in warnings:
        _recap(inv, result, warning=True)
    _blank()
    stats = {"error": tally["error"], "noop": tally["noop"], "pass": tally["pass"], "reused": 0,
             "skip": tally["skip"], "total": len(results), "warn": tally["warn"]}
    events.emit("StatsLine", f"Done. PASS={stats['pass']} WARN={stats['warn']} ERROR={stats['error']} "
                f"SKIP={stats['skip']} NO-OP={stats['noop']} REUSED=0 TOTAL={stats['total']}", stats=stats)
