"""JSON loading that refuses what a signed document must never contain."""

from __future__ import annotations

import json
from typing import Any

from fusion.trust.errors import TrustError

#: no legitimate root or index comes near this; an endless stream stops here
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise TrustError(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str):
    raise TrustError(f"JSON constant {name} is not allowed")


def loads_strict(data: bytes, what: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse UTF-8 JSON bytes; duplicate keys, NaN/Infinity, bad UTF-8 and oversize are errors."""
    if not isinstance(data, (bytes, bytearray)):
        raise TrustError(f"{what}: expected bytes")
    if len(data) > max_bytes:
        raise TrustError(f"{what} is {len(data)} bytes, more than the {max_bytes} allowed")
    try:
        text = bytes(data).decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise TrustError(f"{what} is not valid UTF-8") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except TrustError as exc:
        raise TrustError(f"{what}: {exc.message}") from exc
    except (ValueError, RecursionError) as exc:
        raise TrustError(f"{what} is not valid JSON: {exc}") from exc
