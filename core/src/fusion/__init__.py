"""Fusion: a dbt-compatible transformation engine."""

__version__ = "0.1.0"
