"""Markdown → safe HTML, and the plain text the 字数 rule counts.

One configured converter per process (Python-Markdown instances are reusable
after reset() and cheap to keep); raw HTML goes through nh3 (ammonia), a real
sanitiser: no script, no event handlers, no javascript:/data: URLs. Bodies of plain
paragraphs and headings skip both (_plain_html), byte for byte the same result.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass

import markdown as md_lib
import nh3
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sup", "sub", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre", "a", "img",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div", "span", "figure",
    "figcaption", "abbr", "mark", "small", "ruby", "rt", "rp",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_LINKS = re.compile(r'<a class="footnote-backref"[^>]*>.*?</a>|<sup id="fnref[^"]*">.*?</sup>', re.DOTALL)
_IMG_SRC = re.compile(r'<img[^>]*\ssrc="([^"]*)"')
_HEADING_TEXT = re.compile(r"<h([2-6])[^>]*>(.*?)</h\1>", re.DOTALL)


# Python-Markdown has quadratic (and recursive) worst cases: every "[" scans to its "]" or the
# paragraph's end, every "<tag" to the next ">" (html.parser), every footnote reference searches
# a list, every list or quote level recurses. These budgets keep a hostile body to ~0.2 s and
# are two orders of magnitude above any real article; check_markdown() enforces them in O(n).
MAX_NESTING = 24  # list / block-quote levels on one line
MAX_FOOTNOTES = 500  # footnote definitions, and references, in one body
MAX_BRACKET_SCAN = 400_000  # Σ characters from each "[" to its "]" or to the paragraph's end
MAX_TAG_SCAN = 4_000_000  # Σ characters from each "<tag" to the next ">"

_BRACKET_EVENTS = re.compile(r"[\[\]]|\n[ \t]*\n")
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
_DEEP_PREFIX = re.compile(rf"^[ \t>*+\-\d.)]{{{MAX_NESTING},}}", re.MULTILINE)
_PREFIX_TOKEN = re.compile(r">[ ]?|[-*+][ \t]|\d{1,9}[.)][ \t]|\t|[ ]")
_RULE_LINE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FOOTNOTE_DEF = re.compile(r"^[ \t]{0,3}\[\^[^\]\n]+\]:", re.MULTILINE)


@dataclass(frozen=True)
class MarkdownProblem:
    """Why a body was not converted; ``line`` is 1-based within the Markdown text."""

    line: int
    message: str
    hint: str


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    images: tuple[str, ...]
    problems: tuple[MarkdownProblem, ...] = ()


def _line_at(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def check_markdown(source: str) -> list[MarkdownProblem]:
    """Refuse bodies that would make the converter hang or recurse; O(len(source))."""
    problems = []
    depth_line = _too_deep(source)
    if depth_line:
        problems.append(
            MarkdownProblem(
                depth_line,
                f"列表或引用嵌套超过 {MAX_NESTING} 层",
                "请减少行首的“-”“>”或缩进；正文一般不需要三层以上的嵌套",
            )
        )
    marks = source.count("[^")
    if marks > MAX_FOOTNOTES:
        definitions = len(_FOOTNOTE_DEF.findall(source))
        if max(definitions, marks - definitions) > MAX_FOOTNOTES:
            problems.append(
                MarkdownProblem(
                    _line_at(source, source.find("[^")),
                    f"脚注过多（{definitions} 条注释、{marks - definitions} 处引用），上限各 {MAX_FOOTNOTES}",
                    "请合并或删减脚注，或把参考文献写成正文末尾的普通列表",
                )
            )
    if "[" in source:
        where = _bracket_overrun(source)
        if where is not None:
            problems.append(
                MarkdownProblem(
                    _line_at(source, where),
                    "方括号“[ ]”过多或没有配对，无法排版",
                    "“[文字](网址)”才是链接；普通方括号请改用中文方括号“【】”或“〔〕”，并检查是否成对",
                )
            )
    if "<" in source:
        where = _tag_overrun(source)
        if where is not None:
            problems.append(
                MarkdownProblem(
                    _line_at(source, where),
                    "尖括号“<”过多或没有闭合，无法排版",
                    "正文里的小于号、书名号请用中文“《》”或写成“&lt;”；HTML 标签须以“>”结束",
                )
            )
    return problems


def _too_deep(source: str) -> int:
    """1-based line of the first line nested deeper than MAX_NESTING, 0 if none."""
    for match in _DEEP_PREFIX.finditer(source):
        line_end = source.find("\n", match.start())
        if _RULE_LINE.match(source, match.start(), line_end if line_end >= 0 else len(source)):
            continue  # "- - - - …" is a horizontal rule, not a list
        spaces = markers = 0
        for token in _PREFIX_TOKEN.findall(match.group()):
            if token == " ":
                spaces += 1
            elif token == "\t":
                spaces += 4
            else:
                markers += 1
        if markers + spaces // 4 > MAX_NESTING:
            return _line_at(source, match.start())
    return 0


def _bracket_overrun(source: str) -> int | None:
    """Index where the "[" scanning cost passes its budget, None when it stays within."""
    open_at: list[int] = []
    total = 0
    for match in _BRACKET_EVENTS.finditer(source):
        char, pos = match.group(), match.start()
        if char == "[":
            open_at.append(pos)
        elif char == "]":
            if open_at:
                total += pos - open_at.pop()
        else:  # a blank line ends the paragraph: unmatched "[" scanned to here
            total += sum(pos - start for start in open_at)
            if total > MAX_BRACKET_SCAN:
                return open_at[0]
            open_at.clear()
        if total > MAX_BRACKET_SCAN:
            return open_at[0] if open_at else pos
    total += sum(len(source) - start for start in open_at)
    return (open_at[0] if open_at else 0) if total > MAX_BRACKET_SCAN else None


def _tag_overrun(source: str) -> int | None:
    total, close = 0, -1
    for match in _TAG_OPEN.finditer(source):
        pos = match.start()
        if close < pos:
            close = source.find(">", pos)
            if close < 0:
                close = len(source)
        total += close - pos
        if total > MAX_TAG_SCAN:
            return pos
    return None


# Every inline pattern of the converter below needs one of these to match (backtick, escape,
# link, image or footnote bracket, autolink or raw HTML, entity, emphasis, hard line break).
_INLINE_TRIGGER = re.compile(r"[`\\\[<&*_]|  \n")
_INLINE_PATTERNS = frozenset(
    ("backtick", "escape", "footnote", "reference", "link", "image_link", "image_reference", "short_reference",
     "short_image_ref", "autolink", "automail", "linebreak", "html", "entity", "em_strong")
)  # fmt: skip


class _PlainTextSkippingInlineProcessor(InlineProcessor):
    """Python-Markdown tries each of its 16 inline patterns on every text node; most Chinese
    paragraphs contain none of the characters any pattern needs, so those are left as they are
    (same output, a third less time per article; test_fast_paths checks the equivalence)."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, AtomicString) and not _INLINE_TRIGGER.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[attr-defined]


def make_converter(skip_plain_text: bool = True) -> md_lib.Markdown:
    converter = md_lib.Markdown(
        extensions=["tables", "footnotes", "sane_lists", "attr_list", "md_in_html"],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "footnotes": {"BACKLINK_TITLE": "返回正文", "SUPERSCRIPT_TEXT": "{}"},
        },
        output_format="html",
    )
    # Only for the patterns the trigger was written for: a Markdown release that adds one keeps the slow path.
    if skip_plain_text and {name for name in converter.inlinePatterns._data} == _INLINE_PATTERNS:
        converter.treeprocessors.register(_PlainTextSkippingInlineProcessor(converter), "inline", 20)
    return converter


# One converter per thread: serve's background pass parses while a save is being rebuilt,
# and a Python-Markdown instance keeps its state while it converts.
_per_thread = threading.local()


def _converter() -> md_lib.Markdown:
    converter = getattr(_per_thread, "converter", None)
    if converter is None:
        converter = _per_thread.converter = make_converter()
    return converter


# Plain bodies, only paragraphs and "## " headings, are most articles. Python-Markdown spends
# ~0.3 ms on one, a third of a cold build; _plain_html() writes the same bytes in a tenth of
# that and hands anything else back. A line is plain when no block processor can claim it:
# it starts with no ASCII space, "#", ">", list marker, rule or setext character, or
# "1." / "1)", and it holds no character an inline pattern, attr_list, a table or the HTML
# serialiser or the sanitiser reacts to (so nh3 would return it unchanged and is skipped).
# test_fast_paths proves both on generated bodies.
_NOT_PLAIN = re.compile(r"[`\\\[\]<>&*_{}|\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xa0]|^[ >+\-=]|^\d+[.)]| $", re.MULTILINE)
_HEADING = re.compile(r"(#{2,6}) ([^#]*)")


def _plain_html(source: str) -> str | None:
    """Python-Markdown's output for a plain body, None when the body is not plain."""
    if _NOT_PLAIN.search(source):
        return None
    blocks: list[str] = []
    paragraph: list[str] = []

    def close_paragraph() -> None:
        text = "\n".join(paragraph).lstrip()
        if text.strip():
            blocks.append(f"<p>{text}</p>")
        paragraph.clear()

    for line in source.split("\n"):
        if line.startswith("#"):
            heading = _HEADING.fullmatch(line)
            text = heading[2].strip() if heading else ""
            if not text:
                return None
            close_paragraph()
            blocks.append(f"<h{len(heading[1])}>{text}</h{len(heading[1])}>")
        elif line:
            paragraph.append(line)
        else:
            close_paragraph()
    close_paragraph()
    return "\n".join(blocks)


def render_markdown(source: str) -> RenderedBody:
    """Convert and sanitise; ``text`` is the visible body text for counting and summaries.

    A body that fails check_markdown() (or still recurses too deep) is not converted: the
    result is empty and ``problems`` says why, so no caller can hang on hostile input.
    """
    problems = check_markdown(source)
    if problems:
        return RenderedBody("", "", (), tuple(problems))
    plain = _plain_html(source)
    if plain is not None:
        return RenderedBody(plain, _TAG.sub(" ", plain), ())
    converter = _converter()
    converter.reset()
    try:
        raw = converter.convert(source)
    except RecursionError:
        converter.reset()
        return RenderedBody("", "", (), (_TOO_DEEP,))
    safe = nh3.clean(
        raw,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    text = html.unescape(_TAG.sub(" ", _FOOTNOTE_LINKS.sub("", safe)))
    images = tuple(html.unescape(src) for src in _IMG_SRC.findall(safe))
    return RenderedBody(safe, text, images)


_TOO_DEEP = MarkdownProblem(1, "正文结构嵌套过深，无法排版", "请减少列表、引用或 HTML 标签的嵌套层数")


def plain_summary(text: str, limit: int = 120) -> str:
    """The whole text when it is short; else the text up to its last punctuation mark inside
    ``limit`` characters, followed by “……” (the mark itself gives way to the ellipsis)."""
    flat = re.sub(r"\s+", "", text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(mark) for mark in "。！？；，、：")
    # No mark in the second half: cut at the limit rather than leave a stub.
    return (cut[:end] if end >= limit // 2 else cut) + "……"


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_FOOTNOTES = re.compile(r'<div class="footnote">.*</div>', re.DOTALL)


def paragraph_text(body_html: str) -> str:
    """The visible text of a rendered body's paragraphs only: headings, tables, figures and
    footnotes are left out, so a summary never runs a heading into the text."""
    body = _FOOTNOTES.sub("", _FOOTNOTE_LINKS.sub("", body_html))
    return "".join(html.unescape(_TAG.sub("", p)) for p in _PARAGRAPH.findall(body))
