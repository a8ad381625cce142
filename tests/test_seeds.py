"""What the audit (issue 22) and the seed documents ask of the content: summaries, related pieces,
刊用情况, one rule for spaces around numbers, feeds, outlet links (seed 000), award quotas, the
results page and private fields (seed 002)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTEST_SITE, REPO, TODAY, article, only, problems

from xindelu.build import pipeline
from xindelu.core.markdown import paragraph_text, plain_summary, render_markdown


def _build(root: Path, pdf: bool = False) -> dict[str, bytes]:
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=pdf))
    assert not result.errors, [e.format() for e in result.errors]
    return result.outputs


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example site's pages, feeds and sitemap as text."""
    root = tmp_path_factory.mktemp("seeds-example")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    outputs = _build(root)
    return {name: data.decode() for name, data in outputs.items() if name.endswith((".html", ".xml"))}


# ---------------------------------------------------------------- summaries


def test_summary_is_made_of_paragraphs_and_cut_at_a_punctuation_mark() -> None:
    body = "宣讲员先要学懂弄通，才能讲得明白。\n\n## 一、自己先要学懂弄通\n\n" + "宣讲员是理论的传播者，" * 20
    summary = plain_summary(paragraph_text(render_markdown(body).html))
    assert "一、自己先要学懂弄通" not in summary
    assert summary.startswith("宣讲员先要学懂弄通，才能讲得明白。宣讲员是理论的传播者")
    assert summary.endswith("传播者……") and len(summary) <= 122
    assert plain_summary("短短一段。") == "短短一段。"  # a short text is whole, with no ellipsis


def test_no_listing_summary_runs_a_heading_into_the_text(example: dict[str, str]) -> None:
    summaries = re.findall(r'<p class="entry-summary">(.*?)</p>', example["site/index.html"])
    assert summaries
    for summary in summaries:
        assert "……" in summary or summary.endswith(("。", "！", "？", "”")), summary
    # The headings of the example's articles never appear in a summary.
    headings = {h for page in example.values() for h in re.findall(r"<h2>(一、[^<]+)</h2>", page)}
    assert headings
    listings = "".join(
        page for name, page in example.items() if name.endswith(".html") and not name.startswith("site/articles/")
    )
    assert not [h for h in headings if h in listings]


# ---------------------------------------------------------------- article page


def _section(page: str, heading: str) -> str:
    start = page.index(f">{heading}<")
    return page[start : page.index("</section>", start)]


def test_related_pieces_exclude_previous_and_next(example: dict[str, str]) -> None:
    pages = [page for name, page in example.items() if name.startswith("site/articles/")]
    checked = 0
    for page in pages:
        neighbours = set(re.findall(r'rel="(?:prev|next)" href="([^"]+)"', page))
        if "相关阅读" not in page:
            continue
        related = set(re.findall(r'<li class="entry"><a href="([^"]+)"', _section(page, "相关阅读")))
        assert related and not related & neighbours
        assert len(related) == 5
        checked += 1
    assert checked > 30


def test_a_bulletin_issue_is_listed_once_under_where_it_was_carried(example: dict[str, str]) -> None:
    page = example["site/articles/du-yuan-zhu-wu-yuan-li/index.html"]
    carried = _section(page, "刊用情况")
    assert "第1期" in carried
    assert carried.count("微心得专报") == 1, carried


def test_an_outlet_entry_links_the_carried_piece(example: dict[str, str]) -> None:
    carried = _section(example["site/articles/diao-yan-yao-zou-dao-tian-geng-tou/index.html"], "刊用情况")
    assert '<a href="https://hnrb.example.org/2026/05/18/diao-yan.html">湖南日报</a>' in carried


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/a", "hnrb.example.org/a", "https://exa mple.org/", 'https://x/"><b>'],
)
def test_an_outlet_url_must_be_http(make_site, url: str) -> None:
    outlets = f"\n  - {{name: 湖南日报, date: 2026-04-10, url: '{url}'}}"
    root = make_site({"content/articles/a.md": article(outlets=outlets)})
    message = only(root)
    assert message.startswith("content/articles/a.md:") and "刊用网址" in message and "http" in message


def test_one_rule_for_spaces_around_numbers(example: dict[str, str]) -> None:
    """No space between a Chinese character and a figure, in every page's text and every feed."""
    bad = re.compile(r"[\u4e00-\u9fff] \d|\d [\u4e00-\u9fff]")
    found = {}
    for name, text in example.items():
        visible = re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.DOTALL))
        hits = bad.findall(visible)
        if hits:
            found[name] = hits[:3]
    assert not found, found
    assert "第1期" in example["site/bulletins/1/index.html"]


# ---------------------------------------------------------------- feeds


def test_category_feed_points_to_its_category_and_sitemap_has_lastmod(example: dict[str, str]) -> None:
    feed = example["site/category/xue-er-si/feed.xml"]
    assert 'rel="alternate" type="text/html" href="https://xindelu.example.org/category/xue-er-si/"' in feed
    sitemap = example["site/sitemap.xml"]
    urls = re.findall(r"<url>(.*?)</url>", sitemap)
    assert urls and all(re.search(r"<lastmod>\d{4}-\d{2}-\d{2}</lastmod>", u) for u in urls)
    assert (
        "<loc>https://xindelu.example.org/articles/du-yuan-zhu-wu-yuan-li/</loc><lastmod>2026-03-18</lastmod>"
        in sitemap
    )


# ---------------------------------------------------------------- seed 002: the contest


def _contest(tmp_path: Path) -> Path:
    root = tmp_path / "contest"
    shutil.copytree(CONTEST_SITE, root, ignore=shutil.ignore_patterns("output", ".cache"))
    return root


def test_an_award_given_beyond_its_quota_is_reported_with_the_files(tmp_path: Path) -> None:
    root = _contest(tmp_path)
    articles = root / "content" / "articles"
    for name in ("b", "c"):
        (articles / f"{name}.md").write_text(
            "---\ntitle: 标题\nauthor: 张三\nunit: 财政局\ncategory: 政治理论宣讲\nform: 宣讲稿\n"
            "date: 2026-09-01\nstatus: approved\naward: 一等奖\n---\n正文。\n",
            encoding="utf-8",
        )
    found = problems(root)
    assert len(found) == 3, found
    assert all("一等奖" in f and "超过名额 2 篇" in f for f in found)
    assert any(f.startswith("content/articles/b.md:9:") and "content/articles/c.md" in f for f in found)
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1 and "超过名额" in result.stderr and "Traceback" not in result.stderr


def test_the_results_page_lists_winners_in_award_order(tmp_path: Path) -> None:
    outputs = _build(_contest(tmp_path))
    page = outputs["site/award/index.html"].decode()
    assert "<h1>获奖名单</h1>" in page
    first, second = page.index(">一等奖<"), page.index(">二等奖<")
    assert first < page.index("把党课讲到党员心坎上") < second < page.index("山村讲台上的三十年")
    assert page.index(">三等奖<") < page.index(">优秀奖<")
    assert "刘晓红" in page and "市财政局" in page and "周明、陈静" in page and "市教育局" in page
    assert '<a href="/weixuanjiang/award/">获奖名单</a>' in outputs["site/index.html"].decode()


def test_a_private_field_is_checked(tmp_path: Path) -> None:
    root = _contest(tmp_path)
    path = root / "content" / "articles" / "zhibu-shuji-jiang-dangke.md"
    path.write_text(path.read_text("utf-8").replace("phone: 13807310001", "phone: 138-0731"), encoding="utf-8")
    message = only(root)
    assert message.startswith("content/articles/zhibu-shuji-jiang-dangke.md:12:") and "联系电话" in message


def _texts(name: str, data: bytes) -> list[str]:
    """Every way a file can hold text: as it is, gunzipped (search fragments), a PDF's text."""
    texts = [data.decode("utf-8", "replace")]
    if data[:2] == b"\x1f\x8b":
        texts.append(gzip.decompress(data).decode("utf-8", "replace"))
    if name.endswith(".pdf"):
        result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
        texts.append(result.stdout.decode())
    return texts


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext）")
def test_private_fields_never_reach_any_output(tmp_path: Path) -> None:
    """A phone number and an ID number planted in an article that is in a bulletin and the
    anthology: not in any page, feed, sitemap, search file or PDF."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    path = root / "content" / "articles" / "2026" / "du-yuan-zhu-wu-yuan-li.md"
    text = path.read_text("utf-8").replace("status: approved\n", "status: approved\nphone: 13907319876\n", 1)
    path.write_text(text.replace("tags:", "id_card: 43010219800101123X\ntags:", 1), encoding="utf-8")
    outputs = _build(root, pdf=True)
    assert any(name.endswith(".pdf") for name in outputs)
    assert "在读原著中悟原理" in outputs["site/articles/du-yuan-zhu-wu-yuan-li/index.html"].decode()
    for name, data in outputs.items():
        for text in _texts(name, data):
            assert "13907319876" not in text and "43010219800101123X" not in text, name
            assert "1390731" not in text.replace(" ", ""), name
