"""Results of executed nodes, in run_results.json's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fusion.adapter import AdapterResponse
from fusion.secret_env import scrub

FAILED = frozenset({"error", "fail", "partial success"})


@dataclass
class NodeResult:
    unique_id: str
    status: str
    message: str | None
    thread_id: str = "main"
    execution_time: float = 0.0
    timing: list[dict[str, str]] = field(default_factory=list)
    adapter_response: AdapterResponse = field(default_factory=AdapterResponse)
    failures: int | None = None
    compiled_code: str | None = None
    relation_name: str | None = None
    batch_results: dict[str, list[list[str]]] | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "timing": self.timing, "thread_id": self.thread_id,
            "execution_time": round(self.execution_time, 6),
            "adapter_response": self.adapter_response.to_dict() if self.status not in ("skipped", "no-op") else {},
            "message": scrub(self.message) if self.message else self.message, "failures": self.failures,
            "unique_id": self.unique_id,
            "compiled": self.compiled_code is not None, "compiled_code": self.compiled_code,
            "relation_name": self.relation_name, "batch_results": self.batch_results,
        }


class ResultView:
    """An item of on-run-end's ``results``: the result's fields and ``node``, the resource it is
    for as templates see it (dbt's RunResult)."""

    def __init__(self, result: NodeResult, node):
        self._result = result
        self.node = node

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._result, name)


def node_info(node: Any, status: str, started_at: str, finished_at: str = "") -> dict[str, Any]:
    """A node's ``node_info`` as dbt's structured log events carry it, without ``node_relation``:
    a relation's database can come from a secret (a DuckDB file's name) and logs must not show it."""
    config = getattr(node, "config", {}) or {}
    return {
        "node_path": node.path, "node_name": node.name, "unique_id": node.unique_id,
        "resource_type": node.resource_type, "materialized": config.get("materialized", ""),
        "node_status": status, "node_started_at": started_at, "node_finished_at": finished_at,
        "meta": config.get("meta", {}), "node_checksum": getattr(node, "checksum", "") or "",
    }


def run_result_info(result: NodeResult) -> dict[str, Any]:
    """``NodeFinished``'s ``run_result``: run_results.json's entry without the relation and the SQL."""
    entry = result.to_dict()
    return {key: entry[key] for key in ("status", "message", "failures", "execution_time", "thread_id",
                                        "timing", "adapter_response")}
