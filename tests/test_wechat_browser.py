"""The 公众号版 copy button in headless Chromium, on a site served under a sub-path.

Clicking “复制到公众号” with clipboard permissions granted must put the block on the clipboard
as text/html (read back here and checked against the WeChat editor's rules and the full text
of the issue) and as text/plain, and say so in Chinese. Without ClipboardItem the button falls
back to selecting the block and execCommand('copy'). Nothing is fetched from outside the local server. Screenshots go to /tmp/shots/.
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
from test_browser import ARGS, CHROMIUM, SHOTS, _QuietHandler
from test_wechat import assert_survives_wechat, body_text, squeeze

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs
from xindelu.content.config import load_config
from xindelu.content.load import load_content

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（apt-get install chromium）")

BASE = "http://xindelu.example.org/xdl/"
ISSUE_1 = ("du-yuan-zhu-wu-yuan-li", "xue-li-lun-yao-xia-ben-gong-fu", "diao-yan-yao-zou-dao-tian-geng-tou",
           "chu-xin-zai-tian-jian", "chong-wen-ban-tiao-bei-zi")  # fmt: skip
TOAST = "已复制，可直接粘贴到公众号编辑器"
READ_HTML = """async () => {
  const items = await navigator.clipboard.read();
  const out = {};
  for (const item of items) for (const type of item.types) out[type] = await (await item.getType(type)).text();
  return out;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example site built for base URL …/xdl/ and served at /xdl/ on a local port."""
    root = tmp_path_factory.mktemp("wechat-browser")
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "site_config.yaml").read_text("utf-8")
    (root / "site_config.yaml").write_text(config.replace("https://xindelu.example.org/", BASE), "utf-8")
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    www = root / "www"
    www.mkdir()
    (www / "xdl").symlink_to(root / "output" / "site")
    handler = functools.partial(_QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/xdl/", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: object, url: str, origin: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # type: ignore[attr-defined]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    # Offline: any request that leaves the local server fails the test (no CDN, no web font).
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(origin)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    return page, errors, outside


def test_copy_button_puts_the_issue_on_the_clipboard_as_html(site: tuple[str, Path], browser: object) -> None:
    url, root = site
    origin = url.removesuffix("xdl/").rstrip("/")
    page, errors, outside = _page(browser, url + "bulletins/1/", origin)
    page.get_by_role("link", name="公众号版").click()
    page.wait_for_url("**/xdl/bulletins/1/wechat/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # phone width, nothing sticks out
    page.screenshot(path=str(SHOTS / "wechat-bulletin-390.png"), full_page=True)

    button = page.get_by_role("button", name="复制到公众号")
    assert button.is_visible()
    button.click()
    page.wait_for_function("document.querySelector('.wechat-toast').textContent.length > 0")
    assert page.locator(".wechat-toast").inner_text() == TOAST
    page.screenshot(path=str(SHOTS / "wechat-bulletin-390-copied.png"))
    copied = page.evaluate(READ_HTML)
    assert set(copied) >= {"text/html", "text/plain"}

    markup = copied["text/html"]
    start = markup.index("<section")  # Chromium may put a <meta charset> in front
    block = assert_survives_wechat(markup[start : markup.rindex("</section>") + len("</section>")], BASE)
    text = squeeze(block.text)
    records = {a.slug: a for a in load_content(root, load_config(root)).articles}
    assert text.startswith(squeeze("党员干部“学讲话用讲话”微心得专报 第 1 期 中共湖南省委讲师团 2026年5月12日"))
    for slug in ISSUE_1:  # every piece whole: title, body, source line
        a = records[slug]
        assert squeeze(a.title) in text
        assert body_text(a.body_html) in text, slug
        assert f"（{a.unit.name}{squeeze(a.author_line)}）" in text
    assert squeeze(copied["text/plain"]) == text
    assert errors == [] and outside == []


def test_copy_falls_back_to_selection_without_clipboard_item(site: tuple[str, Path], browser: object) -> None:
    url, root = site
    origin = url.removesuffix("xdl/").rstrip("/")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # type: ignore[attr-defined]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    context.add_init_script("delete window.ClipboardItem;")
    page = context.new_page()
    page.goto(url + "articles/diao-yan-yao-zou-dao-tian-geng-tou/wechat/")
    page.get_by_role("button", name="复制到公众号").click()
    page.wait_for_function("document.querySelector('.wechat-toast').textContent.length > 0")
    assert page.locator(".wechat-toast").inner_text() == TOAST
    copied = page.evaluate(READ_HTML)
    record = next(a for a in load_content(root, load_config(root)).articles if a.slug.startswith("diao-yan"))
    assert body_text(record.body_html) in squeeze(copied["text/plain"])
    assert "南县是稻虾种养大县" in copied["text/html"]
