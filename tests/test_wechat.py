"""公众号版 (issue 21): every bulletin issue and article as a block the WeChat editor keeps.

The block inside each 公众号版 page is checked as the WeChat editor would treat it: every element
that shows text carries its style inline; no <style>, <script>, class or id; only properties
the editor keeps; every link and picture absolute under base_url; the whole text of the piece.
The copy button itself is tested in headless Chromium in test_wechat_browser.py.
"""

from __future__ import annotations

import html
import html.parser
import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, TODAY, article, only

from xindelu.build import pipeline
from xindelu.build.memo import Memo
from xindelu.build.publish import build_and_write
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.site.wechat import allowed_property, clean_block

BASE = "https://xindelu.example.org/"
FORBIDDEN = ("position", "float", "display", "flex", "grid", "font-family", "width", "transform")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # the element's own text (not its children's)


@dataclass
class Block:
    elements: list[Element] = field(default_factory=list)
    text: str = ""


class _BlockParser(html.parser.HTMLParser):
    VOID = frozenset(("img", "br", "hr", "meta", "input", "wbr", "col", "source"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.block = Block()
        self.stack: list[Element] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.block.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack:
            self.stack[-1].text += data
        self.texts.append(data)


def parse_block(markup: str) -> Block:
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    parser.block.text = "".join(parser.texts)
    return parser.block


def block_of(page: str) -> str:
    """The block inside a 公众号版 page: what the button copies."""
    found = re.search(r'<div class="wechat-phone" id="wx-block">(.*?)</div>\s*</main>', page, re.DOTALL)
    assert found, "no block on the page"
    return found.group(1).strip()


def declarations(style: str) -> list[tuple[str, str]]:
    pairs = [part.partition(":") for part in style.split(";") if part.strip()]
    return [(name.strip().lower(), value.strip()) for name, _, value in pairs]


def assert_survives_wechat(markup: str, base: str = BASE) -> Block:
    """The WeChat editor's rules, as the issue lists them."""
    assert not re.search(r"<(style|script|link)\b", markup, re.IGNORECASE), "style/script/link inside the block"
    assert "<!--" not in markup
    block = parse_block(markup)
    assert block.elements and block.elements[0].tag == "section"
    for element in block.elements:
        assert "class" not in element.attrs and "id" not in element.attrs, element
        assert not any(name.startswith("on") for name in element.attrs), element
        if element.text.strip():
            assert element.attrs.get("style"), f"<{element.tag}> shows “{element.text[:20]}” without an inline style"
        for name, value in declarations(element.attrs.get("style", "")):
            assert allowed_property(name), (name, element)
            assert not name.startswith(FORBIDDEN) or name.startswith(("border", "padding", "margin")), name
            assert "url(" not in value and "var(" not in value, value
        for attr in ("href", "src"):
            if attr in element.attrs:
                assert element.attrs[attr].startswith((base, "https://", "http://", "mailto:")), element
    return block


def squeeze(text: str) -> str:
    return "".join(text.split())


def body_text(body_html: str) -> str:
    """An article body's visible text without its footnote list and reference marks."""
    body = re.sub(r'<div class="footnote">.*</div>\s*$', "", body_html, flags=re.DOTALL)
    body = re.sub(r'<sup id="fnref[^"]*">.*?</sup>', "", body)
    return squeeze(html.unescape(re.sub(r"<[^>]+>", "", body)))


def png(width: int = 40, height: int = 20) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


NOTED = article(
    "注释和图片的一篇",
    "开头一段，引用原文[^1]。\n\n![田间调研](photo.png)\n\n"
    "> 引用的一段话。\n\n- 第一条\n- 第二条\n\n看[原文](../other/)和[外部](https://example.com/x)。\n\n"
    "第二处注释[^2]，**加粗**和*强调*。\n\n[^1]: 第一条注释。\n[^2]: 第二条注释。\n",
    slug="zhu-shi-he-tu-pian",
    position="某县委办副主任",
    date="2026-05-01",
)
ISSUE_3 = """\
number: 3
date: 2026-07-01
issuer: 中共湖南省委讲师团
sections:
  - name: 经验交流
    articles: [diao-yan-yao-zou-dao-tian-geng-tou, zhu-shi-he-tu-pian]
"""


def build(root: Path) -> dict[str, str]:
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    return {name: data.decode("utf-8") for name, data in result.outputs.items() if name.endswith((".html", ".xml"))}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("wechat-site")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    (root / "content/articles/2026/zhu-shi-he-tu-pian.md").write_text(NOTED, "utf-8")
    (root / "content/articles/2026/photo.png").write_bytes(png())
    (root / "content/bulletins/2026-003.yaml").write_text(ISSUE_3, "utf-8")
    return root, build(root)


def test_every_article_and_issue_has_its_wechat_page_linked_and_kept_out_of_the_sitemap(
    example: tuple[Path, dict[str, str]],
) -> None:
    _, pages = example
    articles = sorted(n for n in pages if re.fullmatch(r"site/articles/[^/]+/index.html", n))
    issues = sorted(n for n in pages if re.fullmatch(r"site/bulletins/\d+/index.html", n))
    assert len(articles) == 41 and len(issues) == 3
    sitemap = pages["site/sitemap.xml"]
    for name in articles + issues:
        folder = name.removesuffix("index.html").removeprefix("site/")
        wechat = pages[f"site/{folder}wechat/index.html"]
        assert f'href="/{folder}wechat/"' in pages[name], name  # the page links to its 公众号版
        assert ">复制到公众号</button>" in wechat and '<button type="button"' in wechat
        assert '<meta name="robots" content="noindex">' in wechat
        assert '<html lang="zh-CN">' in wechat
        assert 'src="/static/wechat.js"' in wechat
        assert f"{BASE}{folder}wechat/" not in sitemap
        assert_survives_wechat(block_of(wechat))


def test_issue_block_has_masthead_contents_pieces_sources_and_full_text(
    example: tuple[Path, dict[str, str]],
) -> None:
    root, pages = example
    markup = block_of(pages["site/bulletins/1/wechat/index.html"])
    block = assert_survives_wechat(markup)
    text = squeeze(block.text)
    # Masthead: series title, 第 N 期, issuer and date.
    assert text.startswith(squeeze("党员干部“学讲话用讲话”微心得专报 第 1 期 中共湖南省委讲师团 2026年5月12日"))
    contents = text.index("本期目录")
    for head in ("【上情下达】", "【经验交流】", "【学习动态】"):
        assert text.count(head) == 2, head  # in the contents and over its pieces
    records = {a.slug: a for a in load_content(root, load_config(root)).articles}
    position = contents
    for slug in ("du-yuan-zhu-wu-yuan-li", "xue-li-lun-yao-xia-ben-gong-fu", "diao-yan-yao-zou-dao-tian-geng-tou"):
        a = records[slug]
        found = text.index(squeeze(a.title), text.index(squeeze(a.title)) + 1)  # the piece, after the contents
        assert found > position
        body = body_text(a.body_html)
        start = text.index(body, found)
        position = text.index(f"（{a.unit.name}{squeeze(a.author_line)}）", start + len(body))
    assert "（长沙市刘晓岚）" in text
    # Section heads in the accent colour, piece titles at the configured size.
    heads = [e for e in block.elements if e.text == "【经验交流】" and e.tag == "h2"]
    assert heads and "color: #c00000" in heads[0].attrs["style"]
    titles = [e for e in block.elements if e.tag == "h3"]
    assert titles and all("font-size: 20px" in e.attrs["style"] for e in titles)


def test_notes_become_end_notes_and_urls_are_absolute(example: tuple[Path, dict[str, str]]) -> None:
    _, pages = example
    markup = block_of(pages["site/articles/zhu-shi-he-tu-pian/wechat/index.html"])
    block = assert_survives_wechat(markup)
    text = squeeze(block.text)
    assert text.startswith(squeeze("注释和图片的一篇 张三（某县委办副主任）"))
    assert "引用原文[1]。" in text and "第二处注释[2]" in text
    assert text.endswith(squeeze("注释 [1] 第一条注释。 [2] 第二条注释。"))
    assert "↩" not in text and "#fn" not in markup
    images = [e for e in block.elements if e.tag == "img"]
    assert [e.attrs["src"] for e in images] == [f"{BASE}articles/zhu-shi-he-tu-pian/photo.png"]
    assert images[0].attrs["alt"] == "田间调研"
    links = [e.attrs["href"] for e in block.elements if e.tag == "a"]
    assert links == [f"{BASE}articles/other/", "https://example.com/x"]
    quote = next(e for e in block.elements if e.tag == "blockquote")
    assert "border-left: 3px solid #c00000" in quote.attrs["style"]
    # In an issue, notes are numbered through the issue and collected at its end.
    issue = parse_block(block_of(pages["site/bulletins/3/wechat/index.html"]))
    issue_text = squeeze(issue.text)
    assert issue_text.endswith(squeeze("注释 [1] 第一条注释。 [2] 第二条注释。"))
    assert f"{BASE}articles/zhu-shi-he-tu-pian/photo.png" in [e.attrs.get("src") for e in issue.elements]
    assert "（长沙市张三）" in issue_text


def test_sub_path_base_url_and_theme_from_config(make_site: Callable[..., Path]) -> None:
    config = (REPO / "site_config.yaml").read_text("utf-8")
    config = config.replace("base_url: https://xindelu.example.org/", "base_url: https://example.gov.cn/xdl/")
    config = config.replace('accent: "#c00000"', 'accent: "#1a4f9c"').replace("title_size_px: 20", "title_size_px: 24")
    root = make_site({"content/articles/2026/zhu-shi-he-tu-pian.md": NOTED}, config=config)
    (root / "content/articles/2026/photo.png").write_bytes(png())
    pages = build(root)
    page = pages["site/articles/zhu-shi-he-tu-pian/wechat/index.html"]
    assert 'src="/xdl/static/wechat.js"' in page
    assert 'href="/xdl/articles/zhu-shi-he-tu-pian/wechat/"' in pages["site/articles/zhu-shi-he-tu-pian/index.html"]
    block = assert_survives_wechat(block_of(page), "https://example.gov.cn/xdl/")
    assert "https://example.gov.cn/xdl/articles/zhu-shi-he-tu-pian/photo.png" in block_of(page)
    title = next(e for e in block.elements if e.tag == "h2")
    assert "font-size: 24px" in title.attrs["style"]
    assert "#1a4f9c" in block_of(page) and "#c00000" not in block_of(page)


@pytest.mark.parametrize(
    ("replaced", "setting", "message"),
    [
        ("accent", "accent: red", "wechat.accent“red”不是颜色值"),
        ("accent", 'accent: "#f0c0c0"', "在白底上太浅"),
        ("title_size_px", "title_size_px: 60", "超出 14～32 的范围"),
        ("title_size_px", "title_size_px: 大", "应是整数"),
        ("accent", "accentt: '#c00000'", "未知的配置项“wechat.accentt”"),
    ],
)
def test_theme_settings_are_checked(make_site: Callable[..., Path], replaced: str, setting: str, message: str) -> None:
    config = (REPO / "site_config.yaml").read_text("utf-8")
    old = next(line for line in config.splitlines() if line.startswith(f"  {replaced}:"))
    root = make_site({"content/articles/a.md": article()}, config=config.replace(old, f"  {setting}"))
    error = only(root)
    assert error.startswith("site_config.yaml:") and message in error, error


def test_clean_block_keeps_only_what_wechat_keeps() -> None:
    dirty = (
        '<section class="wx" id="top" style="position: absolute; color: #333; display: flex; float: left">'
        "<style>p{color:red}</style><script>alert(1)</script><!-- note -->"
        '<p class="x" style="font-family: Noto; font-size: 16px; border-left: 2px solid #c00; grid-area: a; '
        'text-indent: 2em" onclick="x()" title="a &quot;b&quot; > c">文字 a &lt; b</p></section>'
    )
    clean = clean_block(dirty)
    assert clean == (
        '<section style="color: #333;"><p style="font-size: 16px; border-left: 2px solid #c00; text-indent: 2em;"'
        ' title="a &quot;b&quot; > c">文字 a &lt; b</p></section>'
    )
    assert_survives_wechat(clean)


def test_body_edit_re_renders_the_article_and_issue_wechat_pages(make_site: Callable[..., Path]) -> None:
    """Serve's quick path (a body-only edit) reaches both 公众号版 pages that carry the body."""
    root = make_site(example=True)
    options = pipeline.BuildOptions(root, TODAY, pdf=False, quick=True)
    published = build_and_write(options, Memo.open(root), None)
    name = "content/articles/2026/diao-yan-yao-zou-dao-tian-geng-tou.md"
    path = root / name  # past the summary: a body-only edit
    path.write_text(path.read_text("utf-8").replace("新建2座产地冷库", "新建3座产地冷库"), "utf-8")
    published = build_and_write(options, published.memo, frozenset({name}))
    assert not published.result.errors
    rendered = set(published.memo.rendered)
    assert rendered == {  # the fast path: its page and the two 公众号版 pages that carry its body
        "site/articles/diao-yan-yao-zou-dao-tian-geng-tou/index.html",
        "site/articles/diao-yan-yao-zou-dao-tian-geng-tou/wechat/index.html",
        "site/bulletins/1/wechat/index.html",
    }
    clean = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))  # the reference
    pages = {n: data for n, data in clean.outputs.items() if n.endswith(".html")}
    assert pages and all((root / "output" / n).read_bytes() == data for n, data in pages.items())
    issue = (root / "output/site/bulletins/1/wechat/index.html").read_text("utf-8")
    assert "新建3座产地冷库" in issue
    own = (root / "output/site/articles/diao-yan-yao-zou-dao-tian-geng-tou/wechat/index.html").read_text("utf-8")
    assert "新建3座产地冷库" in own
