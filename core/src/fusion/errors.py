"""User-facing errors.

Every error a user can cause is a ``FusionError``: the CLI prints its message as one
paragraph (file, line, what went wrong, what to do) and never a traceback.
"""

from __future__ import annotations


class FusionError(Exception):
    """An error caused by the user's project, profile, flags or data."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ProjectError(FusionError):
    """dbt_project.yml, profiles.yml, YAML properties or file layout are wrong."""


class CompilationError(FusionError):
    """A template failed to render, or a ref/source/macro could not be resolved."""


class SelectionError(FusionError):
    """A --select/--exclude expression is malformed."""


class DatabaseError(FusionError):
    """The warehouse rejected a statement."""


class Interrupted(FusionError):
    """SIGINT or SIGTERM stopped the run: a statement was refused because of it."""


class PluginError(FusionError):
    """A plugin is missing, broken or not allowed."""
