"""``fusion docs serve`` in a real headless Chromium (Debian's, driven by Playwright): the tree,
a model's columns, tests, code and lineage (model and column level), and no HTML injection from
the project's descriptions."""

from __future__ import annotations

import shutil
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import run_fusion, start_fusion, wait_until, write_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENS = Path("/work/screens")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ATTACK = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'

FILES = {
    "seeds/raw_orders.csv": "id,amount_cents,status\n1,1050,placed\n2,2000,shipped\n",
    "models/stg_orders.sql": "select id as order_id, amount_cents from {{ ref('raw_orders') }}\n",
    "models/orders.sql": ("{{ config(materialized='table') }}\n"
                          "select order_id, amount_cents / 100.0 as amount from {{ ref('stg_orders') }}\n"),
    "models/schema.yml": ("version: 2\nmodels:\n  - name: orders\n"
                          f"    description: 'One row per **order**. {ATTACK} [x](javascript:alert(1))'\n"
                          "    columns:\n      - name: order_id\n        description: The order's key\n"
                          "        data_tests: [unique, not_null]\n"
                          "      - name: amount\n        description: Paid, in dollars\n"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def served(tmp_path):
    """A built project's docs, served by `fusion docs serve` in a child process; its URL."""
    project = write_project(tmp_path / "proj", FILES)
    assert run_fusion(project, "build").code == 0
    generated = run_fusion(project, "docs", "generate")
    assert generated.code == 0, generated.output
    port = _free_port()
    server = start_fusion(project, "docs", "serve", "--no-browser", "--port", str(port))
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_until(lambda: _answers(url) or server.poll() is not None), "the server did not answer"
        assert server.poll() is None, server.communicate()
        yield url, project
    finally:
        server.terminate()
        server.communicate(timeout=20)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_served_site_headers_and_files(served, tmp_path):
    url, project = served
    with urllib.request.urlopen(url + "catalog.json") as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert _status(url + "compiled/") == 404  # no folder listings
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the docs")
    (project / "target" / "leak.txt").symlink_to(secret)
    assert _status(url + "leak.txt") == 404  # nothing outside target/, even through a link
    assert _status(url + "..%2fproj%2fprofiles.yml") == 404


@pytest.fixture
def page(tmp_path):
    """A page of a real headless Chromium (Debian's, a fresh profile); its script errors are
    collected in ``page.problems``."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed and could not be installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        try:
            tab = browser.new_page()
            tab.problems = []
            tab.on("pageerror", lambda error: tab.problems.append(str(error)))
            yield tab
        finally:
            browser.close()


def test_model_page_in_chromium(served, page, tmp_path):
    page.goto(served[0])
    page.wait_for_selector("body[data-ready=true]")
    page.click("nav a[data-uid='model.proj.orders']")
    assert page.text_content("[data-testid=title]") == "orders"

    rows = page.locator("table[data-testid=columns] tbody tr")
    assert rows.count() == 2
    cells = [[c.strip() for c in row.split("\t")] for row in rows.all_inner_texts()]
    assert cells[0][:4] == ["order_id", "INTEGER", "The order's key", "not_null, unique"]
    assert cells[1][0] == "amount" and cells[1][2] == "Paid, in dollars"

    description = page.locator("[data-testid=description]")
    assert description.locator("strong").inner_text() == "order"
    assert ATTACK in description.inner_text()  # shown as text, never run
    assert description.locator("img, script").count() == 0
    assert description.locator("a").count() == 0  # a javascript: link stays text
    assert page.evaluate("window.pwned") is None

    graph = page.locator("svg[data-testid=model-lineage]")
    assert graph.locator("g.box text").all_text_contents() == ["stg_orders", "orders"]
    assert '"materialized": "table"' in page.text_content("[data-testid=config]")
    assert "ref('stg_orders')" in page.text_content("[data-testid=code]")
    page.click("button[data-tab=Compiled]")
    assert "ref(" not in page.text_content("[data-testid=code]")
    tests = page.locator("[data-testid=tests] li").all_inner_texts()
    assert [t.split(" (")[0] for t in tests] == ["not_null on order_id", "unique on order_id"]

    page.click("tr[data-column=amount] a")
    columns = page.locator("svg[data-testid=column-lineage] g.box text")
    columns.first.wait_for()
    assert sorted(columns.all_text_contents()) == ["orders.amount", "raw_orders.amount_cents",
                                                   "stg_orders.amount_cents"]
    assert page.problems == []

    shot = tmp_path / "docs-site.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / "docs-site.png")


def test_static_page_opens_as_a_file(tmp_path, page):
    project = write_project(tmp_path / "proj", FILES)
    assert run_fusion(project, "build").code == 0
    assert run_fusion(project, "docs", "generate", "--static").code == 0
    page.goto((project / "target" / "static_index.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    page.click("nav a[data-uid='model.proj.orders']")
    assert ATTACK in page.locator("[data-testid=description]").inner_text()
    assert page.evaluate("window.pwned") is None and page.problems == []
    assert page.locator("svg[data-testid=column-lineage]").count() == 0
    page.click("tr[data-column=amount] a")
    assert page.locator("svg[data-testid=column-lineage] g.box").count() == 3


def test_serve_errors_are_clear(tmp_path):
    project = write_project(tmp_path / "proj", FILES)
    missing = run_fusion(project, "docs", "serve", "--no-browser", "--port", str(_free_port()))
    assert missing.code == 2 and "Error: no documentation site in" in missing.output
    assert "fusion docs generate" in missing.output
    assert run_fusion(project, "docs", "generate", "--empty-catalog").code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run_fusion(project, "docs", "serve", "--no-browser", "--port", str(taken.getsockname()[1]))
    assert busy.code == 2 and "Error: cannot serve the docs on 127.0.0.1:" in busy.output
    assert "Traceback" not in busy.output
