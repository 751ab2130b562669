"""The semantic layer's resources (semantic models, metrics, saved queries) as dbt writes them to
manifest.json and semantic_manifest.json. Fusion does not query them; it keeps them whole."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fusion.manifest.nodes import RefCall

KINDS = {"semantic_models": "semantic_model", "metrics": "metric", "saved_queries": "saved_query"}
#: config values each kind repeats at its top level in manifest.json
_TOP_LEVEL = {"semantic_model": set(), "metric": {"group", "meta", "tags"}, "saved_query": {"group", "tags"}}


@dataclass(eq=False)
class SemanticResource:
    """One ``semantic_models:``/``metrics:``/``saved_queries:`` entry; ``body`` holds its own fields."""

    resource_type: str
    package_name: str
    name: str
    path: str
    original_file_path: str
    fqn: list[str]
    body: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    refs: list[RefCall] = field(default_factory=list)
    depends_on_nodes: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)

    @property
    def unique_id(self) -> str:
        return f"{self.resource_type}.{self.package_name}.{self.name}"

    @property
    def tags(self) -> list[str]:
        return list(self.config.get("tags") or [])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "resource_type": self.resource_type, "package_name": self.package_name,
                "path": self.path, "original_file_path": self.original_file_path, "unique_id": self.unique_id,
                "fqn": self.fqn, **self.body, "config": self.config, "unrendered_config": {},
                "depends_on": {"macros": [], "nodes": self.depends_on_nodes},
                "refs": [r.to_dict() for r in self.refs], "created_at": self.created_at,
                **{k: v for k, v in self._top_level().items() if k in _TOP_LEVEL[self.resource_type]}}

    def _top_level(self) -> dict[str, Any]:
        return {"group": self.config.get("group"), "meta": self.config.get("meta", {}), "tags": self.tags}


def _meta(item: dict[str, Any]) -> dict[str, Any]:
    return {"meta": (item.get("config") or {}).get("meta") or item.get("meta") or {}}


def _entity(e: dict[str, Any]) -> dict[str, Any]:
    return {"name": e["name"], "type": e.get("type"), "description": e.get("description"), "label": e.get("label"),
            "role": e.get("role"), "expr": e.get("expr"), "config": _meta(e)}


def _dimension(d: dict[str, Any]) -> dict[str, Any]:
    params = d.get("type_params")
    return {"name": d["name"], "type": d.get("type"), "description": d.get("description"), "label": d.get("label"),
            "is_partition": bool(d.get("is_partition", False)),
            "type_params": None if params is None else {"time_granularity": params.get("time_granularity"),
                                                         "validity_params": params.get("validity_params")},
            "expr": d.get("expr"), "metadata": None, "config": _meta(d)}


def _measure(m: dict[str, Any]) -> dict[str, Any]:
    expr = m.get("expr")
    return {"name": m["name"], "agg": m.get("agg"), "description": m.get("description"), "label": m.get("label"),
            "create_metric": bool(m.get("create_metric", False)), "expr": None if expr is None else str(expr),
            "agg_params": m.get("agg_params"), "non_additive_dimension": m.get("non_additive_dimension"),
            "agg_time_dimension": m.get("agg_time_dimension"), "config": _meta(m)}


def semantic_model_body(entry: dict[str, Any]) -> dict[str, Any]:
    return {"model": entry.get("model"), "node_relation": None, "description": entry.get("description"),
            "label": entry.get("label"), "defaults": entry.get("defaults"),
            "entities": [_entity(e) for e in entry.get("entities") or []],
            "measures": [_measure(m) for m in entry.get("measures") or []],
            "dimensions": [_dimension(d) for d in entry.get("dimensions") or []],
            "metadata": None, "primary_entity": entry.get("primary_entity")}


def _measure_input(value) -> dict[str, Any] | None:
    if value is None:
        return None
    item = {"name": value} if isinstance(value, str) else dict(value)
    return {"name": item["name"], "filter": item.get("filter"), "alias": item.get("alias"),
            "join_to_timespine": bool(item.get("join_to_timespine", False)),
            "fill_nulls_with": item.get("fill_nulls_with")}


def _metric_input(value) -> dict[str, Any] | None:
    if value is None:
        return None
    item = {"name": value} if isinstance(value, str) else dict(value)
    window = item.get("offset_window")
    if isinstance(window, str) and len(window.split()) == 2:  # "1 month"
        count, granularity = window.split()
        window = {"count": int(count) if count.isdigit() else count, "granularity": granularity.rstrip("s")}
    return {"name": item["name"], "filter": where_filters(item.get("filter")), "alias": item.get("alias"),
            "offset_window": window, "offset_to_grain": item.get("offset_to_grain")}


def where_filters(value) -> dict[str, Any] | None:
    """A MetricFlow filter (one template or a list) as dbt stores it."""
    if value is None:
        return None
    templates = value if isinstance(value, list) else [value]
    return {"where_filters": [{"where_sql_template": str(t)} for t in templates]}


def _cumulative(params: dict[str, Any], metric_type) -> dict[str, Any] | None:
    given = params.get("cumulative_type_params")
    if given is None and metric_type != "cumulative":
        return None
    given = given or {}
    return {"window": given.get("window", params.get("window")),
            "grain_to_date": given.get("grain_to_date", params.get("grain_to_date")),
            "period_agg": given.get("period_agg", "first"), "metric": given.get("metric")}


def metric_body(entry: dict[str, Any]) -> dict[str, Any]:
    params = dict(entry.get("type_params") or {})
    measure = _measure_input(params.get("measure"))
    conversion = params.get("conversion_type_params") or {}
    inputs = [m for m in (measure, *(_measure_input(conversion.get(k)) for k in ("base_measure", "conversion_measure")))
              if m is not None]
    return {"description": entry.get("description") or "", "label": entry.get("label"), "type": entry.get("type"),
            "type_params": {
                "measure": measure, "input_measures": inputs,
                "numerator": _metric_input(params.get("numerator")),
                "denominator": _metric_input(params.get("denominator")),
                "expr": None if params.get("expr") is None else str(params["expr"]),
                "window": params.get("window"), "grain_to_date": params.get("grain_to_date"),
                "metrics": [_metric_input(m) for m in params.get("metrics") or []],
                "conversion_type_params": params.get("conversion_type_params"),
                "cumulative_type_params": _cumulative(params, entry.get("type")),
                "metric_aggregation_params": None, "fill_nulls_with": params.get("fill_nulls_with"),
                "join_to_timespine": bool(params.get("join_to_timespine", False)), "is_private": None},
            "filter": where_filters(entry.get("filter")), "metadata": None,
            "time_granularity": entry.get("time_granularity"),
            "sources": [], "metrics": []}


def saved_query_body(entry: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """``target`` gives exports their default database and schema."""
    query = dict(entry.get("query_params") or {})
    return {"query_params": {"metrics": list(query.get("metrics") or []),
                             "group_by": list(query.get("group_by") or []), "where": query.get("where"),
                             "order_by": list(query.get("order_by") or []), "limit": query.get("limit")},
            "exports": [_export(e, target) for e in entry.get("exports") or []],
            "description": entry.get("description"), "label": entry.get("label"), "metadata": None}


def _metric_inputs(metric: SemanticResource) -> list[str]:
    params = metric.body["type_params"]
    return [m["name"] for m in (params["numerator"], params["denominator"], *params["metrics"]) if m is not None]


def link_metrics(metrics: dict[str, SemanticResource], measures: dict[str, str]) -> None:
    """Each metric's parents (the semantic models holding its own measures, the metrics it is
    computed from) and its input measures (its own, then those of its input metrics)."""
    by_name = {m.name: m for m in metrics.values()}

    def input_measures(metric: SemanticResource, seen: tuple[str, ...]) -> list[dict[str, Any]]:
        own = list(metric.body["type_params"]["input_measures"])
        for name in _metric_inputs(metric):
            if name in by_name and name not in seen:
                own += [m for m in input_measures(by_name[name], (*seen, name)) if m not in own]
        return own

    for metric in metrics.values():
        own = [m["name"] for m in metric.body["type_params"]["input_measures"]]
        metric.depends_on_nodes = list(dict.fromkeys(
            [measures[n] for n in own if n in measures]
            + [by_name[n].unique_id for n in _metric_inputs(metric) if n in by_name]))
    for metric in metrics.values():
        metric.body["type_params"]["input_measures"] = input_measures(metric, (metric.name,))


def _export(export: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    given = dict(export.get("config") or {})
    return {"name": export["name"],
            "config": {"export_as": given.get("export_as"), "schema_name": given.get("schema", target.get("schema")),
                       "alias": given.get("alias", export["name"]), "database": target.get("database")},
            "unrendered_config": given}


def node_relation(node) -> dict[str, Any]:
    return {"alias": node.alias, "schema_name": node.schema, "database": node.database,
            "relation_name": node.relation_name}


def semantic_manifest(semantic: dict[str, dict[str, SemanticResource]], time_spines: list[dict],
                      legacy_spines: list[dict]) -> dict:
    """semantic_manifest.json: what MetricFlow reads; ``legacy_spines``: the
    ``metricflow_time_spine`` model's table, as ``time_spine_table_configurations``."""
    drop = {"model", "refs", "depends_on", "fqn", "path", "original_file_path", "unique_id", "package_name",
            "resource_type", "created_at", "unrendered_config", "group", "meta", "sources", "metrics", "config"}

    def entry(resource: SemanticResource) -> dict[str, Any]:
        out = {k: v for k, v in resource.to_dict().items() if k not in drop}
        if resource.resource_type == "saved_query":
            out.update(config=None, exports=[{"name": e["name"], "config": {k: v for k, v in e["config"].items()
                                                                            if k != "database"}}
                                             for e in out["exports"]])
        else:
            out.update(config={"meta": resource.config.get("meta", {})})
            if resource.resource_type == "semantic_model":  # MetricFlow's own fields
                out.update(entities=[{**e, "metadata": None} for e in out["entities"]],
                           measures=[{**m, "metadata": None} for m in out["measures"]],
                           dimensions=[{"datatype": None, **d} for d in out["dimensions"]])
            if resource.resource_type == "metric":
                out["tags"] = None
        return out

    return {kind: [entry(r) for r in semantic.get(kind, {}).values()] for kind in KINDS} | {
        "project_configuration": {"time_spine_table_configurations": legacy_spines, "metadata": None,
                                  "dsi_package_version": {}, "time_spines": time_spines}}
