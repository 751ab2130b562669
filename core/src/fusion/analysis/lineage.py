"""Column-level lineage: ``target/lineage.json`` and what ``fusion lineage`` prints.

lineage.json::

    {"metadata": {"generated_at": "...", "invocation_id": "...", "dialect": "duckdb"},
     "nodes": {"model.shop.orders": {
         "name": "orders",
         "columns": {"amount": {
             "data_type": "DECIMAL(10, 2)",
             "depends_on": [{"node": "model.shop.stg_orders", "relation": "stg_orders",
                             "column": "amount_cents", "direct": false}]}}}}}

Each output column of each analysed node lists the columns of relations (models, seeds,
sources, ephemeral models; never CTEs or subqueries) it is computed from. ``node`` is null for a
table Fusion does not manage; ``direct`` is true when the value is passed on unchanged. Column
names are spelled as the dialect resolves them (upper case for Snowflake's unquoted names).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fusion.errors import SelectionError
from fusion.fileio import write_json_atomic
from fusion.timestamps import now_iso

if TYPE_CHECKING:
    from fusion.analysis.engine import NodeResult
    from fusion.manifest.manifest import Manifest

FILE = "lineage.json"


def lineage_document(manifest: Manifest, invocation_id: str, dialect: str, results: dict[str, NodeResult]) -> dict:
    nodes = {}
    for uid, result in results.items():
        node = manifest.nodes.get(uid)
        nodes[uid] = {"name": node.name if node else uid, "columns": {
            name: {"data_type": data_type, "depends_on": result.lineage.get(name, [])}
            for name, data_type in result.schema.columns.items()}}
    return {"metadata": {"generated_at": now_iso(), "invocation_id": invocation_id, "dialect": dialect},
            "nodes": nodes}


def write_lineage(target_path: Path, document: dict) -> None:
    write_json_atomic(target_path / FILE, document)


class ColumnGraph:
    """Upstream and downstream edges between (node, column) pairs."""

    def __init__(self, document: dict, manifest):
        self.names: dict[str, str] = {uid: n["name"] for uid, n in document["nodes"].items()}
        self.names.update({uid: f"{s.source_name}.{s.name}" for uid, s in manifest.sources.items()})
        self.columns: dict[str, list[str]] = {uid: list(n["columns"]) for uid, n in document["nodes"].items()}
        self.up: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
        self.down: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
        for uid, node in document["nodes"].items():
            for column, info in node["columns"].items():
                for dep in info["depends_on"]:
                    if dep["node"] is None:
                        continue
                    self.up.setdefault((uid, column), []).append((dep["node"], dep["column"], dep["direct"]))
                    self.down.setdefault((dep["node"], dep["column"]), []).append((uid, column, dep["direct"]))

    def find(self, text: str) -> tuple[str, str]:
        """``model.column`` (or ``source_name.table.column``) -> (unique_id, column as analysed)."""
        relation, _, column = text.rpartition(".")
        matches = [uid for uid, name in self.names.items() if name.lower() == relation.lower()]
        if not relation or not matches:
            raise SelectionError(f"no analysed model, seed or source named {relation or text!r}",
                                 hint="give MODEL.COLUMN, e.g. orders.amount")
        uid = sorted(matches)[0]
        known = self.columns.get(uid) or sorted({c for (u, c) in self.down if u == uid})
        for name in known:
            if name.lower() == column.lower():
                return uid, name
        raise SelectionError(f"{relation} has no column {column!r} that analysis knows of",
                             hint="known columns: " + (", ".join(known) or "none (its schema is unknown)"))

    def walk(self, start: tuple[str, str], direction: str) -> list[tuple[int, str, str, bool]]:
        """(depth, node, column, direct) in depth-first order, each pair expanded once."""
        edges = self.up if direction == "upstream" else self.down
        out, seen = [], {start}

        def visit(key, depth):
            for uid, column, direct in edges.get(key, ()):
                out.append((depth, uid, column, direct))
                if (uid, column) not in seen:
                    seen.add((uid, column))
                    visit((uid, column), depth + 1)

        visit(start, 1)
        return out

    def describe(self, text: str, directions: list[str]) -> list[str]:
        start = self.find(text)
        lines = [f"{self.names[start[0]]}.{start[1]}"]
        for direction in directions:
            arrow = "<-" if direction == "upstream" else "->"
            found = self.walk(start, direction)
            lines.append(f"  {direction}:" + ("" if found else " (none known)"))
            lines += [f"  {'  ' * depth}{arrow} {self.names.get(uid, uid)}.{column}"
                      + ("" if direct else "  (transformed)") for depth, uid, column, direct in found]
        return lines

    def impacted(self, starts: list[tuple[str, str]]) -> set[str]:
        """Nodes with a column computed, directly or not, from any of ``starts``."""
        return {uid for start in starts for _, uid, _, _ in self.walk(start, "downstream")}
