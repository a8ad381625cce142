"""Search is exact: the hits are the published articles whose title or text contains the query.

- property tests: random corpora and queries, the index queried by the page's own script
  (layouts/site/static/search.js, run by node) against brute-force substring search, counts
  and order included; an index made from any earlier memo equals one made from scratch;
- the real search page in chromium, on the example site under a sub-path, against brute force
  for a seeded set of random 2–4 character queries and absent words.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import random
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from conftest import REPO, TODAY, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.core.hashing import digest
from xindelu.site import search
from xindelu.site.model import build_site
from xindelu.site.search import (
    indexed_text,
    normalize,
    plain_title,
    query_parts,
    search_files,
    search_outputs,
    text_blocks,
)

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("search_query.js")
needs_node = pytest.mark.skipif(NODE is None, reason="需要 node（apt-get install nodejs）")


# ---- brute force ----------------------------------------------------------------------------


def occurrences(text: str, part: str) -> int:
    return len(re.findall(f"(?={re.escape(part)})", text))


def brute_force(docs: Sequence[tuple[str, str]], query: str) -> list[list[int]]:
    """[rank, occurrences, parts in the title] of every doc (title, body_html) containing every part,
    ranked as the page ranks: parts in the title, then occurrences, then rank (newest first)."""
    parts = query_parts(query)
    hits = []
    for rank, (title, body) in enumerate(docs):
        text = normalize(indexed_text(title, text_blocks(body)))
        if parts and all(part in text for part in parts):
            in_title = sum(part in normalize(plain_title(title)) for part in parts)
            hits.append((-in_title, -sum(occurrences(text, p) for p in parts), rank))
    return [[rank, -count, -in_title] for in_title, count, rank in sorted(hits)]


def run_queries(folder: Path, queries: Sequence[str]) -> list[list[list[int]]]:
    """The page's script over the index files in ``folder`` (node)."""
    done = subprocess.run(
        [NODE, str(RUNNER), str(folder)], input=json.dumps(list(queries)), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def fake_site(docs: Sequence[tuple[str, str]]) -> SimpleNamespace:
    """The part of a site model the index reads: articles newest first, and the facets."""
    config = load_config(REPO)
    views = []
    for n, (title, body) in enumerate(docs):
        a = SimpleNamespace(
            slug=f"a{n}",
            title=title,
            body_html=body,
            unit=config.units[n % len(config.units)],
            category=config.categories[n % len(config.categories)],
            form=config.forms[n % len(config.forms)],
            extra=(("award", "优秀心得"),) if n % 3 == 0 else (),
        )
        views.append(SimpleNamespace(entry=SimpleNamespace(article=a, path=f"articles/a{n}/", date_zh="2026年4月8日")))
    return SimpleNamespace(articles=tuple(views), config=config)


def write_index(outputs: dict[str, bytes], folder: Path) -> Path:
    for name, data in outputs.items():
        path = folder / name.removeprefix(search.PREFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


# ---- random corpora -------------------------------------------------------------------------

# Few distinct characters, so that pairs repeat and overlap; full-width, capital and astral ones
# to exercise the folding; punctuation of both widths; white space of several kinds.
CHINESE = "调研学习群众党员的一二"
OTHER = "aAbＡｂ1２，,。𠀀"
LETTERS = CHINESE + OTHER
text_st = st.text(alphabet=LETTERS + " \u3000", min_size=0, max_size=40)
block_st = st.tuples(st.sampled_from(["p", "h2", "li"]), text_st)
doc_st = st.tuples(
    st.text(alphabet=LETTERS + " ", min_size=1, max_size=12),
    st.lists(block_st, max_size=5).map(
        lambda blocks: "\n".join(f"<{tag}>{html.escape(text)}</{tag}>" for tag, text in blocks)
    ),
)
corpus_st = st.lists(doc_st, min_size=1, max_size=12)


@st.composite
def corpus_and_queries(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[str]]:
    docs = draw(corpus_st)
    texts = [indexed_text(t, text_blocks(b)) for t, b in docs]
    queries = []
    for _ in range(draw(st.integers(4, 10))):
        kind = draw(st.sampled_from(["inside", "inside", "random", "spaces", "absent"]))
        if kind == "inside":  # a run taken from an article, as readers type what they saw
            text = draw(st.sampled_from(texts))
            start = draw(st.integers(0, max(0, len(text) - 1)))
            queries.append(text[start : start + draw(st.integers(1, 5))])
        elif kind == "random":
            queries.append(draw(st.text(alphabet=LETTERS, min_size=1, max_size=4)))
        elif kind == "spaces":
            queries.append(draw(st.text(alphabet=LETTERS + " ", min_size=1, max_size=8)))
        else:
            queries.append(draw(st.sampled_from(["量子纠缠", "xyz", "９９", "调研学习群众党员的一二调"])))
    return docs, queries


@needs_node
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=corpus_and_queries(), groups=st.sampled_from([1, 2, 4]), shards=st.sampled_from([1, 3, 8]))
def test_index_answers_equal_brute_force(
    tmp_path_factory: pytest.TempPathFactory, data: tuple[list[tuple[str, str]], list[str]], groups: int, shards: int
) -> None:
    docs, queries = data
    with mock.patch.object(search, "layout", lambda count: (groups, shards)):
        outputs, _ = search_outputs(fake_site(docs), None)  # type: ignore[arg-type]
    folder = write_index(outputs, tmp_path_factory.mktemp("index"))
    for query, got in zip(queries, run_queries(folder, queries), strict=True):
        assert got == brute_force(docs, query), query


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(before=corpus_st, after=corpus_st, keep=st.integers(0, 12), groups=st.sampled_from([1, 2, 4]))
def test_an_index_made_from_any_memo_equals_one_made_from_scratch(
    before: list[tuple[str, str]], after: list[tuple[str, str]], keep: int, groups: int
) -> None:
    edited = before[:keep] + after  # some articles kept, others changed, added or gone
    with mock.patch.object(search, "layout", lambda count: (groups, 8)):
        _, memo = search_outputs(fake_site(before), None)  # type: ignore[arg-type]
        again, _ = search_outputs(fake_site(edited), memo)  # type: ignore[arg-type]
        clean, _ = search_outputs(fake_site(edited), None)  # type: ignore[arg-type]
    assert again == clean


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    before=corpus_st,
    after=corpus_st,
    keep=st.integers(0, 12),
    groups=st.sampled_from([1, 2, 4]),
    lost=st.sets(st.integers(0, 40), max_size=4),
)
def test_index_files_left_on_disk_are_exactly_those_whose_bytes_are_there(
    before: list[tuple[str, str]], after: list[tuple[str, str]], keep: int, groups: int, lost: set[int]
) -> None:
    """With the last build's files on disk (less a few, as if deleted), an index made from its
    memo hands back the bytes of every file not there as they must be, keeps the others, and
    gives every file the digest of its bytes: what a build from scratch would write."""
    edited = before[:keep] + after
    with mock.patch.object(search, "layout", lambda count: (groups, 8)):
        first, memo = search_files(fake_site(before), None)  # type: ignore[arg-type]
        names = sorted(first.outputs)
        gone = {names[i % len(names)] for i in lost}
        disk = {name: digest(data) for name, data in first.outputs.items() if name not in gone}
        files, _ = search_files(fake_site(edited), memo, lambda name, sha: disk.get(name) == sha)  # type: ignore[arg-type]
        clean, _ = search_outputs(fake_site(edited), None)  # type: ignore[arg-type]
    assert set(files.outputs) | files.kept == set(clean) and not set(files.outputs) & files.kept
    assert files.digests == {name: digest(data) for name, data in clean.items()}
    assert all(files.outputs[name] == clean[name] for name in files.outputs)
    assert all(disk.get(name) == digest(clean[name]) for name in files.kept)
    assert not gone & files.kept


@needs_node
def test_folding_is_the_same_in_python_and_in_the_page() -> None:
    sample = "".join(chr(c) for c in (*range(0x20, 0x250), *range(0x2000, 0x2070), *range(0x3000, 0x3010),
                                     *range(0xFF00, 0xFF70), 0xFEFF, 0x1680, 0x85))  # fmt: skip
    sample += "𠀀調研ＡＢＣａｂｃ"
    script = f"const s=require({json.dumps(str(REPO / 'layouts/site/static/search.js'))}); process.stdout.write(JSON.stringify(s.fold(require('fs').readFileSync(0,'utf8'))))"
    done = subprocess.run([NODE, "-e", script], input=sample, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == normalize(sample)
    assert normalize("ＡＢＣ調研") == "abc調研" and query_parts("  调研\u3000群众 ") == ["调研", "群众"]


def test_plain_text_keeps_blocks_apart_and_drops_footnote_marks() -> None:
    body = (
        '<h2>一、调研</h2>\n<p>要走到<em>田埂头</em>&amp;村口<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>。</p>'
        '<div class="footnote"><hr><ol><li id="fn:1"><p>注释正文。&nbsp;<a class="footnote-backref" href="#fnref:1">↩</a></p></li></ol></div>'
    )
    assert text_blocks(body) == ["一、调研", "要走到田埂头&村口。", "注释正文。"]
    assert indexed_text("标题", text_blocks(body)) == "标题 一、调研 要走到田埂头&村口。 注释正文。"


def test_only_published_articles_are_indexed(make_site) -> None:
    root = make_site(
        {
            "content/articles/now.md": article(title="今天发布", body="调研要深入。"),
            "content/articles/later.md": article(title="以后发布", body="调研要深入。", date="2099-01-01"),
            "content/articles/draft.md": article(title="报送稿", body="调研要深入。", status="submitted"),
            "content/articles/no.md": article(title="未采用稿", body="调研要深入。", status="rejected"),
        }
    )
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert result.errors == (), [e.format() for e in result.errors]
    files = {k: v for k, v in result.outputs.items() if k.startswith("site/search/d/")}
    assert len(files) == 1 and "今天发布" in next(iter(files.values())).decode()
    assert json.loads(result.outputs["site/search/meta.json"])["count"] == 1


def test_a_site_with_nothing_published_has_an_empty_index(make_site) -> None:
    root = make_site({"content/articles/later.md": article(date="2099-01-01")})
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert result.errors == (), [e.format() for e in result.errors]
    assert "site/search/index.html" in result.outputs
    assert json.loads(result.outputs["site/search/meta.json"])["count"] == 0


# ---- the real page, in chromium, under a sub-path -------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
BASE = "/xindelu/"
SHOTS = Path("/tmp/shots")


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
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("需要 Debian 的 chromium（apt-get install chromium）")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def published(root: Path) -> list[tuple[str, str, str]]:
    """(url, title, body_html) of every published article, newest first, as the site lists them."""
    config = load_config(root)
    model = build_site(config, load_content(root, config), TODAY)
    return [(BASE + v.entry.path, v.entry.article.title, v.entry.article.body_html) for v in model.articles]


def open_search(browser: object, server: str, query: str, width: int = 1280, height: int = 844):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{server}{BASE}search/?q={query}")
    page.wait_for_selector("#search[data-done]", timeout=15000)
    return page, errors


def all_results(page: object) -> list[str]:
    """Result links in order, pressing 更多 until every page of results is shown."""
    while page.locator(".search-more").is_visible():  # type: ignore[attr-defined]
        done = page.get_attribute("#search", "data-done")  # type: ignore[attr-defined]
        page.click(".search-more")  # type: ignore[attr-defined]
        page.wait_for_function(f"document.querySelector('#search').dataset.done !== '{done}'")  # type: ignore[attr-defined]
    return [a.get_attribute("href") for a in page.locator(".hit-title a").all()]  # type: ignore[attr-defined]


def test_the_page_finds_exactly_what_contains_the_query(site: tuple[str, Path], browser: object) -> None:
    server, root = site
    docs = published(root)
    pairs = [(title, body) for _, title, body in docs]
    rng = random.Random(18)
    queries = []
    for _ in range(40):  # random 2–4 character runs from the published texts, as the issue measured
        text = rng.choice([t for t, _ in pairs] + [indexed_text(t, text_blocks(b)) for t, b in pairs])
        start = rng.randrange(max(1, len(text) - 4))
        queries.append(text[start : start + rng.randint(2, 4)].strip() or "调研")
    queries += ["量子纠缠", "区块链", "火星基地", "学而思", "为群众", "调研 群众", "ＡＩ"]
    found = expected = true_positive = 0
    for query in queries:
        page, errors = open_search(browser, server, query)
        got = all_results(page)
        want = [docs[rank][0] for rank, _, _ in brute_force(pairs, query)]
        assert got == want, query  # the same articles, in the same order
        status = page.locator(".search-status").inner_text()
        assert status == (f"找到 {len(want)} 篇" if want else f"没有找到含“{query}”的文章。"), query
        assert errors == []
        found, expected, true_positive = (
            found + len(got),
            expected + len(want),
            true_positive + len(set(got) & set(want)),
        )
        page.close()
    assert true_positive == found == expected  # precision and recall of exactly 100%


def test_the_page_at_phone_width(site: tuple[str, Path], browser: object) -> None:
    server, _ = site
    SHOTS.mkdir(exist_ok=True)
    page, errors = open_search(browser, server, "调研", width=390)
    assert page.locator("input[type=search]").count() == 1  # one search box: the header's
    assert page.input_value("#q-nav") == "调研"
    assert page.locator("label[for=q-nav]").count() == 1
    first = page.locator(".hit").first.bounding_box()
    assert first is not None and first["y"] < 844 - 60, first  # the first result is on the first screen
    for selector in (".hit-excerpt", ".hit-meta", ".search-status"):
        assert float(page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
    excerpt = page.locator(".hit-excerpt").first.inner_html()
    assert "<mark>调研</mark>" in excerpt and ". " not in excerpt
    meta = page.locator(".hit-meta").first.inner_text()
    assert "年" in meta and "日期:" not in meta
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "search-调研-390.png"))
    assert errors == []
    page.close()
    page, errors = open_search(browser, server, "调研", width=1280, height=900)
    page.screenshot(path=str(SHOTS / "search-调研-1280.png"))
    assert errors == []
    page.close()


def test_filters_more_and_the_header_box(site: tuple[str, Path], browser: object) -> None:
    server, root = site
    docs = published(root)
    page, errors = open_search(browser, server, "的")
    everything = all_results(page)
    assert len(everything) == len(docs) > 10  # 的 is in every article: pages of ten, then 更多
    unit = page.locator(".search-filters select").first
    options = unit.locator("option").all_inner_texts()
    assert options[0] == "全部" and len(options) > 2
    value = unit.locator("option").nth(1).get_attribute("value")
    done = page.get_attribute("#search", "data-done")
    unit.select_option(value)
    page.wait_for_function(f"document.querySelector('#search').dataset.done !== '{done}'")
    _, count = re.fullmatch(r"(.+)（(\d+)）", options[1]).groups()  # type: ignore[union-attr]
    filtered = all_results(page)
    assert len(filtered) == int(count) and set(filtered) < set(everything)
    assert page.locator(".search-status").inner_text().startswith(f"找到 {count} 篇")
    # The header box searches again on this page, without leaving it.
    page.fill("#q-nav", "田埂")
    done = page.get_attribute("#search", "data-done")
    page.press("#q-nav", "Enter")
    page.wait_for_function(f"document.querySelector('#search').dataset.done !== '{done}'")
    assert page.url.endswith("?q=%E7%94%B0%E5%9F%82")
    assert all_results(page) == [docs[rank][0] for rank, _, _ in brute_force([(t, b) for _, t, b in docs], "田埂")]
    assert errors == []
    page.close()


def test_without_javascript_the_page_says_so(site: tuple[str, Path]) -> None:
    page = (site[1] / "output/site/search/index.html").read_text("utf-8")
    assert "<noscript>" in page and "JavaScript" in page
    assert 'data-index="/xindelu/search/"' in page and 'src="/xindelu/static/search.js"' in page


def test_the_example_index_is_small(site: tuple[str, Path]) -> None:
    folder = site[1] / "output/site/search"
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and f.name != "index.html")
    assert size <= 400 * 1024, size
