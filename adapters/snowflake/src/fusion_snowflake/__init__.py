"""Snowflake adapter for Fusion: dbt-snowflake profiles, Snowflake SQL, the signed ADBC driver."""

from __future__ import annotations

from pathlib import Path

from fusion.adapter import AdapterSpec, ProfileField
from fusion.drivers import DriverRequirement
from fusion.hookspecs import hookimpl
from fusion.materializations import Materialization

from fusion_snowflake.adapter import SnowflakeAdapter
from fusion_snowflake.dynamic_table import run_dynamic_table

MACROS = Path(__file__).parent / "macros"

__all__ = ["SnowflakeAdapter"]


@hookimpl
def fusion_register_adapters(register):
    register(AdapterSpec(
        name="snowflake",
        dialect="snowflake",
        adapter_class=SnowflakeAdapter,
        driver=DriverRequirement("snowflake", ">=1.11"),
        macro_paths=(MACROS,),
        profile_fields=(ProfileField("account", "the account identifier, e.g. myorg-myaccount"),
                        ProfileField("user", "the user to log in as"),
                        ProfileField("password", "that user's password", secret=True),
                        ProfileField("role", "the role to use (blank: the user's default)", ""),
                        ProfileField("warehouse", "the virtual warehouse that runs queries"),
                        ProfileField("database", "the database models are built in"),
                        ProfileField("schema", "the schema models are built in"),
                        ProfileField("threads", "parallel connections", 1, int)),
    ))


@hookimpl
def fusion_register_materializations(register):
    register(Materialization("dynamic_table", run_dynamic_table, adapters=("snowflake",)))
