"""End to end: the example site built into a temp dir, each kind of page checked for its content."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs
from xindelu.commands.cli import main
from xindelu.content.config import load_config
from xindelu.content.load import load_content


@pytest.fixture
def example(make_site: Callable[..., Path]) -> tuple[Path, Path]:
    root = make_site(example=True)
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    return root, root / "output" / "site"


def read(site: Path, path: str) -> str:
    return (site / path).read_text("utf-8")


def test_every_index_exists(example: tuple[Path, Path]) -> None:
    root, site = example
    config = load_config(root)
    content = load_content(root, config)
    published = content.published(TODAY)
    for c in config.categories:
        assert c.name in read(site, f"category/{c.slug}/index.html")
        assert (site / f"category/{c.slug}/feed.xml").is_file()
    for f in config.forms:
        assert f.name in read(site, f"form/{f.slug}/index.html")
    for u in config.units:
        assert u.name in read(site, f"unit/{u.slug}/index.html")
    for dim in config.dimensions:
        for v in dim.values:
            assert v.name in read(site, f"{dim.slug}/{v.slug}/index.html")
    months = {(a.date.year, a.date.month) for a in published}
    archive = read(site, "archive/index.html")
    for y, m in months:
        page = read(site, f"archive/{y:04d}/{m:02d}/index.html")
        assert f"{y}年{m}月" in page and f"{y}年{m}月" in archive
    for a in published:
        assert (site / f"articles/{a.slug}/index.html").is_file()


def test_article_page(example: tuple[Path, Path]) -> None:
    _, site = example
    page = read(site, "articles/diao-yan-yao-zou-dao-tian-geng-tou/index.html")
    assert '<html lang="zh-CN">' in page
    assert "<h1" in page and "调研要走到田埂头" in page
    assert "曹立新" in page and "南县农业农村局局长" in page and "益阳市" in page
    assert "学而用" in page and "微心得" in page
    assert "2026年4月22日" in page
    assert re.search(r'<span class="zi">\d+字</span>', page)
    assert "湖南日报</a>（2026年5月18日）" in page
    assert '<a href="/bulletins/1/">' in page  # the bulletin issue that carried it
    assert 'aria-label="当前位置"' in page and 'href="/category/xue-er-yong/"' in page  # breadcrumbs
    assert "上一篇" in page and "下一篇" in page
    related = re.search(r'<section class="related".*?</section>', page, re.DOTALL)
    assert related and 1 <= related.group(0).count('<li class="entry">') <= 5
    # Sharing: canonical, description, Open Graph.
    assert (
        '<link rel="canonical" href="https://xindelu.example.org/articles/diao-yan-yao-zou-dao-tian-geng-tou/">' in page
    )
    assert '<meta name="description" content="坐在办公室里看报表' in page
    assert '<meta property="og:title" content="调研要走到田埂头">' in page
    assert 'class="skip" href="#main"' in page and '<main id="main"' in page
    assert len(page.encode()) < 50 * 1024


def test_article_sizes_stay_small(example: tuple[Path, Path]) -> None:
    _, site = example
    sizes = [p.stat().st_size for p in (site / "articles").glob("*/index.html")]
    css = (site / "static/site.css").stat().st_size
    assert max(sizes) + css < 50 * 1024, (max(sizes), css)


def test_home_page(example: tuple[Path, Path]) -> None:
    _, site = example
    home = read(site, "index.html")
    assert "最新心得" in home and "优秀作品" in home
    assert 'class="badge"' in home  # award badges
    for name in ("学而思", "学而信", "学而用", "学而行", "长沙市", "省直机关工委"):
        assert name in home
    assert 'href="/bulletins/2/"' in home  # the latest issue
    assert 'href="/anthology/"' in home


def test_units_overview_in_official_order(example: tuple[Path, Path]) -> None:
    root, site = example
    page = read(site, "units/index.html")
    config = load_config(root)
    positions = [page.index(f">{u.name}</a>") for u in config.units]
    assert positions == sorted(positions)
    assert page.index("市州") < page.index("省直单位")
    assert re.search(r'href="/unit/yiyang/">益阳市</a><span class="count">\d+篇</span>', page)


def test_bulletins_anthology_report_about_search_404(example: tuple[Path, Path]) -> None:
    _, site = example
    bulletins = read(site, "bulletins/index.html")
    assert "第1期" in bulletins and "第2期" in bulletins
    issue = read(site, "bulletins/1/index.html")
    for text in ("上情下达", "经验交流", "学习动态", "调研要走到田埂头", "报：", "送：", "发：", "贺立新"):
        assert text in issue
    book = read(site, "anthology/index.html")
    assert "目录" in book and "学而思" in book and "在思想理论上的收获" in book
    report = read(site, "report/index.html")
    for text in ("报送和采用情况", "市州小计", "合计", "湖南日报", "入选专报"):
        assert text in report
    assert read(site, "about/index.html").count("<h1") == 1
    search = read(site, "search/index.html")
    assert "static/search.js" in search and 'id="search"' in search and "<noscript>" in search
    assert "页面不存在" in read(site, "404.html")
    robots = read(site, "robots.txt")
    assert "Sitemap: https://xindelu.example.org/sitemap.xml" in robots


def test_feeds_and_sitemap_are_valid_xml(example: tuple[Path, Path]) -> None:
    _, site = example
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert 0 < len(entries) <= 20
    assert entries[0].find("a:link", ns).get("href").startswith("https://xindelu.example.org/articles/")
    category = ET.parse(site / "category/xue-er-yong/feed.xml").getroot()
    assert {e.find("a:category", ns).get("term") for e in category.findall("a:entry", ns)} == {"学而用"}
    urls = ET.parse(site / "sitemap.xml").getroot()
    locs = [u[0].text for u in urls]
    assert "https://xindelu.example.org/" in locs and not any("search" in loc for loc in locs)


def test_pagination(make_site: Callable[..., Path]) -> None:
    root = make_site(example=True)
    config = (root / "site_config.yaml").read_text("utf-8").replace("page_size: 12", "page_size: 3")
    (root / "site_config.yaml").write_text(config, "utf-8")
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    pages = sorted(k for k in result.outputs if k.startswith("site/category/xue-er-si/"))
    assert "site/category/xue-er-si/index.html" in pages
    assert "site/category/xue-er-si/page/2/index.html" in pages
    assert "site/category/xue-er-si/page/1/index.html" not in pages
    second = result.outputs["site/category/xue-er-si/page/2/index.html"].decode()
    assert "第2页" in second and 'rel="prev" href="/category/xue-er-si/"' in second
    assert second.count('<li class="entry">') == 3


def test_cli_build_writes_output_and_reports_in_chinese(
    make_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(example=True)
    assert main(["build", "--root", str(root), "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert "网站：" in out and "完成：" in out and "用时" in out
    page = root / "output/site/articles/diao-yan-yao-zou-dao-tian-geng-tou/index.html"
    before = page.stat().st_mtime_ns
    assert main(["build", "--root", str(root), "--no-pdf"]) == 0
    assert "未变" in capsys.readouterr().out
    assert page.stat().st_mtime_ns == before  # unchanged pages are not rewritten
