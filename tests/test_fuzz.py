"""Fuzzing the input side (issue 8): the front-matter loader and the Markdown pipeline only ever
return a record or ContentErrors; every reported line lies inside the file; sanitised HTML never
carries script.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xindelu.content.config import load_config
from xindelu.content.records import validate_article
from xindelu.core.errors import ContentError
from xindelu.core.markdown import render_markdown
from xindelu.core.source import decode_text, read_source, split_front_matter

CONFIG = load_config(REPO)
PATH = "content/articles/a.md"
FUZZ = settings(
    max_examples=int(os.environ.get("XINDELU_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# ---------------------------------------------------------------- strategies

YAML_PIECES = [
    "title", "author", "unit", "category", "form", "date", "status", "slug", "tags", "outlets", "summary",
    "featured", "award", "video", "position", ":", ": ", "- ", "  ", "\t", "\n", "'", '"', "[", "]", "{", "}",
    ",", "&a ", "*a", "!!python/object/apply:os.system ['true']", "!!binary ", "!!set ", "!x ", "<<: ", "? ",
    "|", ">", "#", "%YAML 1.1\n", "---", "...", "null", "~", "true", "yes", "2026-04-08", "2026-02-30",
    "1" * 30, "0x1F", ".inf", "长沙市", "学而思", "微心得", "approved", "<script>alert(1)</script>", "../", "con",
    "\x00", "\x07", "\ufeff", "\u2028", "\\", "\\u0000", "%", "@", "`", "中文标题",
]  # fmt: skip

VALID_FRONT = {
    "title": "在读原著中悟原理",
    "author": "张三",
    "unit": "长沙市",
    "category": "学而思",
    "form": "体会文章",
    "date": "2026-04-08",
    "status": "approved",
}

MD_PIECES = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil>", "<img src=x onerror=alert(1)>", "<a href='javascript:x'>",
    "jav&#x61;script:", "jav&#97;script:alert(1)", "java\nscript:", "&#106;avascript:", "data:text/html,",
    "<iframe src=x>", "<svg onload=alert(1)>", "<style>", "</style>", "<math><mi xlink:href='javascript:1'>",
    '<div markdown="1">', "</div>", "{: onclick=x }", "[", "]", "(", ")", "![", "](", "](javascript:alert(1))",
    "](data:image/svg+xml,<svg onload=alert(1)>)", "<", ">", "<a ", "<!--", "-->", "<![CDATA[", "*", "**", "_",
    "`", "```", "~~~", "- ", "1. ", "> ", "    ", "\t", "\n", "\n\n", "[^1]", "[^1]: 注", "[x]: javascript:1",
    "[x]", "#", "## ", "|", "|-|", "---", "===", "\\", "&", "&lt;", "&amp;", "汉字", "。", "abc", " on", "=",
    "'", '"', "\x00", "\r", "\u202e",
]  # fmt: skip


def joined(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=4)), max_size=max_size).map("".join)


front_text = joined(YAML_PIECES, 40)
markdown_text = joined(MD_PIECES, 60)


def lines_in(text: str) -> int:
    return text.count("\n") + 1


def assert_lines_inside(errors: list[ContentError], total: int) -> None:
    for error in errors:
        assert isinstance(error, ContentError)
        assert 0 <= error.line <= total, (error, total)
        assert error.message and error.path == PATH
        error.format()  # never raises, whatever the message quotes


class _Markup(HTMLParser):
    """Collects every tag and attribute of a fragment the way a browser tokenises it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "svg",
    "math",
    "style",
    "object",
    "embed",
    "form",
    "input",
    "meta",
    "base",
    "link",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster"}


def assert_safe(html: str) -> None:
    """No script-bearing element, no event handler, no script or data URL: judged on the markup, not the text."""
    assert "<script" not in html.lower()
    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert not FORBIDDEN_TAGS & set(markup.tags), html
    for name, value in markup.attributes:
        assert not name.startswith("on") and name != "style", html
        if name in URL_ATTRIBUTES:
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not scheme.startswith(("javascript:", "data:", "vbscript:")), html


# ---------------------------------------------------------------- front-matter loader


@FUZZ
@given(front_text, st.text(max_size=40))
def test_front_matter_loader_returns_a_source_or_errors(front, body):
    text = f"---\n{front}\n---\n{body}"
    source, errors = split_front_matter(PATH, text)
    assert (source is None) == bool(errors)
    assert_lines_inside(errors, lines_in(text))
    if source is not None:
        assert isinstance(source.front_matter, dict)
        assert 1 <= source.body_line <= lines_in(text)
        assert all(2 <= line < source.body_line for line in source.key_lines.values())


@FUZZ
@given(st.text(max_size=200))
def test_front_matter_loader_on_any_text(text):
    source, errors = split_front_matter(PATH, text)
    assert (source is None) == bool(errors)
    assert_lines_inside(errors, lines_in(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_read_source_on_any_bytes(tmp_path_factory, data, with_header):
    root = tmp_path_factory.mktemp("site")
    file = root / PATH
    file.parent.mkdir(parents=True)
    file.write_bytes((b"---\ntitle: x\n" if with_header else b"") + data)
    source, errors = read_source(root, file)
    assert (source is None) == bool(errors)
    text, _ = decode_text(PATH, file.read_bytes())
    assert_lines_inside(errors, lines_in(text) if text is not None else file.read_bytes().count(b"\n") + 1)


# ---------------------------------------------------------------- the Markdown pipeline


@FUZZ
@given(markdown_text)
def test_render_markdown_never_raises_and_is_sanitised(body):
    rendered = render_markdown(body)
    assert_safe(rendered.html)
    for problem in rendered.problems:
        assert 1 <= problem.line <= lines_in(body)
        assert rendered.html == ""


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from([*VALID_FRONT, "slug", "tags", "outlets", "summary", "award", "featured", "unknown"]),
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["长沙市", "湘西州", "学而思", "微心得", "approved", "2026-02-30", "con", "../x", "a-b"]),
            st.integers(),
            st.booleans(),
            st.none(),
            st.lists(st.text(max_size=5), max_size=3),
            st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
        ),
        max_size=6,
    ),
    markdown_text,
)
def test_validate_article_returns_a_record_or_errors(overrides, body):
    fields = {**VALID_FRONT, **overrides}
    front = "\n".join(
        f"{key}: {value!r}" if isinstance(value, str) else f"{key}: {value}" for key, value in fields.items()
    )
    text = f"---\n{front}\n---\n{body}"
    source, errors = split_front_matter(PATH, text)
    if source is None:
        assert_lines_inside(errors, lines_in(text))
        return
    article, errors = validate_article(source, CONFIG, "a")
    assert (article is None) == bool(errors)
    assert_lines_inside(errors, lines_in(text))
    if article is not None:
        assert_safe(article.body_html)
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", article.slug)
        assert article.slug not in ("con", "nul", "aux", "prn")


@FUZZ
@given(markdown_text)
def test_hostile_body_in_a_valid_article(body):
    front = "\n".join(f"{key}: {value}" for key, value in VALID_FRONT.items())
    text = f"---\n{front}\n---\n{body}"
    source, errors = split_front_matter(PATH, text)
    assert source is not None, errors
    article, errors = validate_article(source, CONFIG, "a")
    assert (article is None) == bool(errors)
    assert_lines_inside(errors, lines_in(text))
    if article is not None:
        assert_safe(article.body_html)


def test_fuzz_module_uses_the_real_config():
    assert Path(REPO / "site_config.yaml").is_file() and CONFIG.forms


def test_unicode_line_separators_do_not_shift_reported_lines():
    # Found by the fuzzer: YAML also breaks lines at \r, \x85, U+2028 and U+2029 (pasted from Word or the
    # web), so its own line numbers ran past the file's; lines are now counted by "\n" only.
    text = "---\ntitle: 标题\u2028\u2029\u2028\nx: &a 1\n---\n正文"
    _source, errors = split_front_matter(PATH, text)
    assert [(e.line, e.message) for e in errors] == [(3, "不支持 YAML 锚点或别名（以 & 或 * 开头的值）")]
    _source, errors = split_front_matter(PATH, "---\ntitle:\r\r0\n---\n")
    assert [e.line for e in errors] == [2]
