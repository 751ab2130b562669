"""``DBT_ENV_SECRET_*`` variables: their values never reach logs or artifacts."""

from __future__ import annotations

import os

SECRET_PREFIX = "DBT_ENV_SECRET_"


def secret_values() -> list[str]:
    """The values to hide now (read each time: the environment may change between commands)."""
    return [value for name in os.environ if name.startswith(SECRET_PREFIX) and (value := os.environ[name])]


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """Hide the values of ``DBT_ENV_SECRET_*`` variables (``secrets``, when already read) from logs
    and artifacts."""
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, "*****")
    return text
