"""Bounded HTTP(S) downloads: never more bytes than the signed length allows."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

from fusion.trust.errors import TrustError

TIMEOUT_SECONDS = 30


class NotFound(Exception):  # noqa: N818 - a normal outcome (no newer root), not an error
    pass


def http_get(url: str, max_bytes: int, *, ca_bundle: str | None = None, proxy: str | None = None,
             progress=None) -> bytes:
    """GET ``url``; more than ``max_bytes`` is an attack (endless data) and fails closed."""
    if not url.startswith(("https://", "http://127.", "http://localhost", "http://[::1]")):
        raise TrustError(f"refusing to fetch {url}: only https (or loopback http) is allowed")
    handlers: list = []
    if proxy:
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
    opener = urllib.request.build_opener(*handlers, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            chunks, total = [], 0
            while chunk := response.read(1 << 20):
                total += len(chunk)
                if total > max_bytes:
                    raise TrustError(f"{url} sent more than the {max_bytes} bytes it may have",
                                     hint="the server is misbehaving or hostile; nothing was kept")
                chunks.append(chunk)
                if progress:
                    progress(total)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotFound(url) from exc
        raise TrustError(f"fetching {url} failed: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TrustError(f"fetching {url} failed: {getattr(exc, 'reason', exc)}",
                         hint="check the network, or use `fusion drivers import` with a bundle") from exc
    return b"".join(chunks)
