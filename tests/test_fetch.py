"""Downloads: only https or loopback http, decided on the parsed URL, redirects included."""

from __future__ import annotations

import pytest
from driver_repo import serve
from fusion.drivers.fetch import NotFound, http_get
from fusion.trust.errors import TrustError


@pytest.fixture
def site(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    server = serve(tmp_path)
    yield server
    server.httpd.shutdown()


@pytest.mark.parametrize("url", ["http://127.0.0.1.attacker.example/a.txt", "http://localhost@attacker.example/a.txt",
                                 "http://localhost.attacker.example/a.txt", "http://[::2]/a.txt",
                                 "ftp://127.0.0.1/a.txt", "file:///etc/passwd", "https:///a.txt"])
def test_non_loopback_plain_http_and_other_schemes_are_refused(url):
    with pytest.raises(TrustError, match="only https"):
        http_get(url, 100)


def test_loopback_http_and_same_host_redirects_work(site):
    assert http_get(f"{site.url}/a.txt", 100) == b"hello"
    site.handler.redirects["old.txt"] = "/a.txt"
    assert http_get(f"{site.url}/old.txt", 100) == b"hello"


@pytest.mark.parametrize("target", ["http://127.0.0.1.attacker.example/a.txt", "https://127.0.0.1:{port}/a.txt",
                                    "http://localhost:{port}/a.txt"])
def test_redirects_changing_scheme_or_host_are_refused(site, target):
    site.handler.redirects["go"] = target.format(port=site.httpd.server_address[1])
    with pytest.raises(TrustError, match="refusing"):
        http_get(f"{site.url}/go", 100)


def test_cross_host_redirects_when_allowed_still_check_the_target(site):
    port = site.httpd.server_address[1]
    site.handler.redirects["go"] = f"http://localhost:{port}/a.txt"
    assert http_get(f"{site.url}/go", 100, cross_host_redirects=True) == b"hello"
    site.handler.redirects["evil"] = "http://127.0.0.1.attacker.example/a.txt"
    with pytest.raises(TrustError, match="only https"):
        http_get(f"{site.url}/evil", 100, cross_host_redirects=True)


def test_missing_file_is_a_clear_error(site):
    with pytest.raises(NotFound, match=r"/nothing\.json was not found \(HTTP 404\)"):
        http_get(f"{site.url}/nothing.json", 100)
