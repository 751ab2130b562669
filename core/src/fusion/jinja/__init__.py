"""dbt's Jinja runtime: environment and block tags, macro resolution, render contexts."""
