"""``DBT_ENV_SECRET_*`` variables: their values never reach logs or artifacts."""

from __future__ import annotations

import os

SECRET_PREFIX = "DBT_ENV_SECRET_"


def scrub(text: str) -> str:
    """Hide the values of ``DBT_ENV_SECRET_*`` variables from logs and artifacts."""
    for name, value in os.environ.items():
        if name.startswith(SECRET_PREFIX) and value:
            text = text.replace(value, "*****")
    return text
