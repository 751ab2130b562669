"""BigQuery adapter for Fusion: dbt-bigquery profiles, BigQuery SQL, the signed ADBC driver."""

from __future__ import annotations

from pathlib import Path

from fusion.adapter import AdapterSpec
from fusion.drivers import DriverRequirement
from fusion.hookspecs import hookimpl

from fusion_bigquery.adapter import BigQueryAdapter

MACROS = Path(__file__).parent / "macros"

__all__ = ["BigQueryAdapter"]


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="bigquery",
        dialect="bigquery",
        adapter_class=BigQueryAdapter,
        driver=DriverRequirement("bigquery", ">=1.11"),
        macro_paths=(MACROS,),
    ))
