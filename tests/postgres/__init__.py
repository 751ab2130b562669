"""Tests against a real PostgreSQL server (a package, so its conftest does not shadow tests/conftest.py)."""
