"""Static analysis of rendered SQL (sqlglot): diagnostics, inferred schemas, column lineage.

Only ``modes`` may be imported without analysis being on; every other module imports sqlglot,
so callers import them lazily (``fusion --help`` and ``--static-analysis off`` never load it).
"""
