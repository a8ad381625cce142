"""Markdown → safe HTML, and the plain text the 字数 rule counts.

One configured converter per process (Python-Markdown instances are reusable
after reset() and cheap to keep); raw HTML goes through nh3 (ammonia), a real
sanitiser: no script, no event handlers, no javascript:/data: URLs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import markdown as md_lib
import nh3

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


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    images: tuple[str, ...]


@lru_cache(maxsize=1)
def _converter() -> md_lib.Markdown:
    return md_lib.Markdown(
        extensions=["tables", "footnotes", "sane_lists", "attr_list", "md_in_html"],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "footnotes": {"BACKLINK_TITLE": "返回正文", "SUPERSCRIPT_TEXT": "{}"},
        },
        output_format="html",
    )


def render_markdown(source: str, id_prefix: str = "") -> RenderedBody:
    """Convert and sanitise; ``text`` is the visible body text for counting and summaries."""
    converter = _converter()
    converter.reset()
    raw = converter.convert(source)
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


def plain_summary(text: str, limit: int = 120) -> str:
    """The first ``limit`` visible characters of the body, cut at a sentence end when possible."""
    flat = re.sub(r"\s+", "", text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(mark) for mark in "。！？；")
    return cut[: end + 1] if end >= limit // 2 else cut + "……"
