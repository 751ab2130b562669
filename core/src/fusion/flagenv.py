"""The environment variables the command line reads, in one table: each flag reads
``FUSION_<NAME>`` first, then dbt's ``DBT_<NAME>``; the flag itself, when given, wins over both."""

from __future__ import annotations

#: flag (its Python name) -> the variables' shared suffix
ENV_NAMES = {
    "project_dir": "PROJECT_DIR",
    "profiles_dir": "PROFILES_DIR",
    "target": "TARGET",
    "target_path": "TARGET_PATH",
    "threads": "THREADS",
    "state": "STATE",
    "defer": "DEFER",
    "defer_state": "DEFER_STATE",
    "favor_state": "FAVOR_STATE",
    "full_refresh": "FULL_REFRESH",
    "store_failures": "STORE_FAILURES",
    "empty": "EMPTY",
    "indirect_selection": "INDIRECT_SELECTION",
    "partial_parse": "PARTIAL_PARSE",
    "fail_fast": "FAIL_FAST",
    "log_path": "LOG_PATH",
    "log_format": "LOG_FORMAT",
    "log_format_file": "LOG_FORMAT_FILE",
    "log_level": "LOG_LEVEL",
    "log_level_file": "LOG_LEVEL_FILE",
    "quiet": "QUIET",
    "debug": "DEBUG",
    "print": "PRINT",
    "use_colors": "USE_COLORS",
    "use_colors_file": "USE_COLORS_FILE",
    "warn_error": "WARN_ERROR",
    "warn_error_options": "WARN_ERROR_OPTIONS",
}


def envvars(name: str) -> list[str]:
    """The variables a flag reads, the first set one winning."""
    suffix = ENV_NAMES[name]
    return [f"FUSION_{suffix}", f"DBT_{suffix}"]
