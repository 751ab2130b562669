"""``env_var()``: reads the environment and remembers what was read (for cache keys)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fusion.errors import CompilationError
from fusion.secret_env import SECRET_PREFIX


@dataclass
class EnvReader:
    reads: dict[str, str | None] = field(default_factory=dict)
    allow_secrets: bool = True  # only profiles.yml and packages.yml may read DBT_ENV_SECRET_*
    tracker: dict[str, str | None] | None = None  # also records reads here while set (one render's)

    def env_var(self, name: str, default: str | None = None) -> str:
        if name.startswith(SECRET_PREFIX) and not self.allow_secrets:
            raise CompilationError(f"secret env var {name} may only be used in profiles.yml or packages.yml",
                                   hint="models, macros and dbt_project.yml must not read secrets")
        value = os.environ.get(name)
        self.reads[name] = value
        if self.tracker is not None:
            self.tracker[name] = value
        if value is not None:
            return value
        if default is not None:
            return str(default)
        raise CompilationError(f"Env var required but not provided: '{name}'",
                               hint=f"export {name}=... or give env_var() a default")
