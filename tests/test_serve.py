"""`serve` as an editor uses it: edit an article, the open page reloads by itself; a broken
file shows an overlay while the last good site stays; nothing outside output/site/ is served."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, article

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
sync_api = pytest.importorskip("playwright.sync_api")

ARTICLE = "content/articles/2026/du-shu.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(make_site) -> Iterator[tuple[Path, str]]:
    root = make_site({ARTICLE: article(title="读书的第一种体会", body="原来的正文。")})
    (root / "site_config.yaml").write_text(
        (root / "site_config.yaml")
        .read_text("utf-8")
        .replace("https://xindelu.example.org/", "https://example.org/sub/"),
        "utf-8",
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), "--no-pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.2)
    try:
        yield root, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(base: str, path: str) -> tuple[int, str]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_serves_under_the_base_path_with_the_reload_snippet_only_when_serving(served):
    root, base = served
    status, body = get(base, "/sub/articles/du-shu/")
    assert status == 200 and "读书的第一种体会" in body
    assert "/__xindelu/events" in body
    written = (root / "output" / "site" / "articles" / "du-shu" / "index.html").read_text("utf-8")
    assert "__xindelu" not in written


@pytest.mark.parametrize(
    "path",
    [
        "/sub/../site_config.yaml",
        "/sub/%2e%2e/%2e%2e/site_config.yaml",
        "/sub/..%2fsite_config.yaml",
        "/%2e%2e/content/",
    ],
)
def test_nothing_outside_the_site_is_served(served, path):
    _, base = served
    status, body = get(base, path)
    assert status == 404
    assert "base_url" not in body


@pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium")
def test_edit_reloads_the_open_page_and_errors_show_an_overlay(served):
    root, base = served
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(base + "/sub/articles/du-shu/")
        assert page.locator("h1").first.inner_text() == "读书的第一种体会"
        page.wait_for_timeout(300)  # let the event stream connect

        started = time.monotonic()
        (root / ARTICLE).write_text(article(title="读书的第二种体会", body="改过的正文。"), "utf-8")
        page.wait_for_function("document.querySelector('h1').innerText === '读书的第二种体会'", timeout=15000)
        reload_seconds = time.monotonic() - started
        assert "改过的正文" in page.content()

        (root / ARTICLE).write_text(article(title="读书的第二种体会", unit="火星"), "utf-8")
        overlay = page.locator("#xindelu-error-overlay")
        overlay.wait_for(timeout=15000)
        assert re.search(r"content/articles/2026/du-shu\.md:4: 单位“火星”未登记", overlay.inner_text())
        assert page.locator("h1").first.inner_text() == "读书的第二种体会"  # last good build still served

        (root / ARTICLE).write_text(article(title="读书的第三种体会"), "utf-8")
        page.wait_for_function("document.querySelector('h1').innerText === '读书的第三种体会'", timeout=15000)
        assert page.locator("#xindelu-error-overlay").count() == 0
        browser.close()
    print(f"edit → reloaded page: {reload_seconds:.2f} s")
