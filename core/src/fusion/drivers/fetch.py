"""Bounded HTTP(S) downloads: never more bytes than the signed length allows.

Only https is fetched, or plain http to a loopback host (a test or local mirror). The URL is
parsed, never prefix-matched, so ``http://127.0.0.1.evil.example/`` and
``http://localhost@evil.example/`` are refused; every redirect target is checked the same way
and may not change the scheme (and, unless ``cross_host_redirects``, not the host either).
"""

from __future__ import annotations

import ipaddress
import ssl
import urllib.error
import urllib.parse
import urllib.request

from fusion.trust.errors import TrustError

TIMEOUT_SECONDS = 30


class NotFound(TrustError):  # noqa: N818 - callers treat it as a normal outcome (no newer root)
    def __init__(self, url: str):
        super().__init__(f"{url} was not found (HTTP 404)", hint="check the URL; is the server the right one?")


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_url(url: str) -> urllib.parse.SplitResult:
    """The parsed URL if it may be fetched: https, or http to a loopback host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname or parts.scheme == "http" and is_loopback(parts.hostname):
        return parts
    raise TrustError(f"refusing to fetch {url}: only https (or plain http to a loopback address) is allowed",
                     hint="use an https:// URL")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, cross_host: bool):
        self.cross_host = cross_host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), check_url(newurl)
        if new.scheme != old.scheme or not self.cross_host and (new.hostname, new.port) != (old.hostname, old.port):
            raise TrustError(f"refusing the redirect from {req.full_url} to {newurl}: it changes the "
                             f"{'scheme' if new.scheme != old.scheme else 'host'}",
                             hint="use the final URL directly if you trust it")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def http_get(url: str, max_bytes: int, *, ca_bundle: str | None = None, proxy: str | None = None,
             progress=None, cross_host_redirects: bool = False) -> bytes:
    """GET ``url``; more than ``max_bytes`` is an attack (endless data) and fails closed."""
    check_url(url)
    handlers: list = [_CheckedRedirects(cross_host_redirects)]
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
            raise NotFound(exc.filename or url) from exc
        raise TrustError(f"fetching {url} failed: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TrustError(f"fetching {url} failed: {getattr(exc, 'reason', exc)}",
                         hint="check the network, or use `fusion drivers import` with a bundle") from exc
    return b"".join(chunks)
