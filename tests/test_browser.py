"""The built example site in a real browser (Debian's chromium via Playwright).

Home at phone and desktop widths, a unit index, an article, and a Chinese search through
the search page. Screenshots go to /tmp/shots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（apt-get install chromium）")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    handler = functools.partial(_QuietHandler, directory=str(root / "output" / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: object, width: int):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


@pytest.mark.parametrize("width", [390, 1280])
def test_home_unit_article(server: str, browser: object, width: int) -> None:
    page, errors = _page(browser, width)
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".site-title").inner_text() == "“学讲话用讲话”心得录"
    # Mobile first: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)

    page.locator(".home-units a", has_text="益阳市").first.click()
    page.wait_for_url("**/unit/yiyang/")
    assert page.locator("h1").inner_text() == "益阳市"
    titles = page.locator(".entry-title a").all_inner_texts()
    assert "调研要走到田埂头" in titles
    page.screenshot(path=str(SHOTS / f"unit-{width}.png"), full_page=True)

    page.locator(".entry-title a", has_text="调研要走到田埂头").click()
    page.wait_for_url("**/articles/diao-yan-yao-zou-dao-tian-geng-tou/")
    assert page.locator("h1").inner_text() == "调研要走到田埂头"
    assert "2026年4月22日" in page.locator(".article-meta").inner_text()
    indent = page.evaluate("getComputedStyle(document.querySelector('.prose p')).textIndent")
    font_size = page.evaluate("getComputedStyle(document.querySelector('.prose p')).fontSize")
    assert float(indent.removesuffix("px")) == pytest.approx(2 * float(font_size.removesuffix("px")))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"article-{width}.png"), full_page=True)
    assert errors == []


def test_skip_link_and_focus(server: str, browser: object) -> None:
    page, _ = _page(browser, 390)
    page.goto(server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0  # visible when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_chinese_search_in_ui(server: str, browser: object) -> None:
    page, errors = _page(browser, 1280)
    page.goto(server + "/search/?q=调研")
    page.wait_for_selector("#search[data-done]", timeout=15000)
    titles = page.locator(".hit-title a").all_inner_texts()
    assert "调研要走到田埂头" in titles
    assert page.locator(".search-status").inner_text().startswith("找到 ")
    assert page.input_value("#q-nav") == "调研"  # the header's box is this page's search box
    page.screenshot(path=str(SHOTS / "search-1280.png"), full_page=True)

    # The header form of any page leads there.
    page, _ = _page(browser, 390)
    page.goto(server + "/")
    page.fill("#q-nav", "田埂")
    page.press("#q-nav", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector("#search[data-done]", timeout=15000)
    assert "调研要走到田埂头" in page.locator(".hit-title a").all_inner_texts()
    page.screenshot(path=str(SHOTS / "search-390.png"), full_page=True)
    assert errors == []
