"""``env_var()``: reads the environment and remembers what was read (for cache keys)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fusion.errors import CompilationError


@dataclass
class EnvReader:
    reads: dict[str, str | None] = field(default_factory=dict)

    def env_var(self, name: str, default: str | None = None) -> str:
        value = os.environ.get(name)
        self.reads[name] = value
        if value is not None:
            return value
        if default is not None:
            return str(default)
        raise CompilationError(f"Env var required but not provided: '{name}'",
                               hint=f"export {name}=... or give env_var() a default")
