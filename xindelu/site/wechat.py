"""公众号版: a bulletin issue or an article as one block that survives the WeChat editor.

The WeChat Official Account editor drops <style>, <script>, classes and ids and keeps only
inline ``style`` attributes in a small subset of CSS. So the block is rendered with classes
(layouts/site/_wechat.html), its theme stylesheet (layouts/site/wechat.css, values from
site_config.yaml ``wechat``) is inlined by css-inline, and then every class and id is
dropped and every declaration outside ALLOWED_PROPERTIES removed: what is left is exactly
what the editor keeps. Links and pictures point at the site (absolute under base_url);
footnotes become numbered end notes, since in-page anchors need the ids WeChat removes.

Markup handled here is always serializer output (nh3 for bodies, css-inline for the block,
both html5ever): attributes are double-quoted with '"' escaped, and text has '<' escaped,
so a tag can be matched by a regular expression without parsing the document again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from markupsafe import Markup

from xindelu.content.records import Article
from xindelu.site.model import BulletinView, Entry, Site

# What the WeChat editor keeps of a style attribute (the "-*" long hands of margin, padding
# and border included). Everything else is dropped from the block.
ALLOWED_PROPERTIES = frozenset(
    ("font-size", "color", "line-height", "margin", "padding", "text-align", "text-indent", "font-weight",
     "border", "background-color", "letter-spacing")
)  # fmt: skip
_ALLOWED_PREFIXES = ("margin-", "padding-", "border-")

_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*(/?)>')
_ATTR = re.compile(r'([^\s=/>]+)(?:="([^"]*)")?')
_FOOTNOTES = re.compile(r'<div class="footnote">(.*?)</div>\s*$', re.DOTALL)
_NOTE = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>', re.DOTALL)
_BACKREF = re.compile(r'(?:&nbsp;|\u00a0)?<a class="footnote-backref"[^>]*>.*?</a>', re.DOTALL)
_REF = re.compile(r'<sup id="fnref\d*:([^"]+)"><a class="footnote-ref" href="#fn:[^"]+">[^<]*</a></sup>')
_FIGURE = re.compile(r"<p>(\s*<img\b[^>]*>\s*)</p>")
_PARAGRAPH = re.compile(r"^\s*<p>(.*?)</p>\s*$", re.DOTALL)


def allowed_property(name: str) -> bool:
    name = name.strip().lower()
    return name in ALLOWED_PROPERTIES or name.startswith(_ALLOWED_PREFIXES)


@dataclass(frozen=True)
class Note:
    number: int
    html: str  # the note's text as HTML (paragraphs joined by <br>)


@dataclass(frozen=True)
class Piece:
    """One article as the block shows it; ``body_html`` has absolute URLs and [n] note marks."""

    title: str
    byline: str  # 作者（职务）
    source: str  # 长沙市 刘晓岚: the bulletin's source line
    date_zh: str
    url: str  # the piece's page on the site
    body_html: str
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Section:
    name: str
    intro: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Issue:
    """A bulletin issue's block: masthead, contents by section, pieces, end notes."""

    series_title: str
    title: str  # 第 N 期
    issuer: str
    date_zh: str
    sections: tuple[Section, ...]
    notes: tuple[Note, ...]


def wechat_path(path: str) -> str:
    """The 公众号版 of the page at ``path`` (an article's or an issue's)."""
    return path + "wechat/"


def article_piece(site: Site, entry: Entry, first_note: int = 1) -> Piece:
    """An article prepared for the block; its notes are numbered from ``first_note``."""
    a: Article = entry.article
    url = site.absolute(entry.path)
    body, notes = _end_notes(a.body_html, first_note)  # before the URLs: it finds notes by their "#fn:" links
    body = _absolute_urls(body, url)
    notes = tuple(Note(n.number, _absolute_urls(n.html, url)) for n in notes)
    if "<img" in body:  # a picture on its own is centred, not indented like text
        body = _FIGURE.sub(r'<p class="wx-figure">\1</p>', body)
    byline = a.author_line + (f"（{a.position}）" if a.position else "")
    return Piece(a.title, byline, f"{a.unit.name} {a.author_line}".strip(), entry.date_zh, url, body, notes)


def bulletin_issue(site: Site, view: BulletinView) -> Issue:
    """An issue prepared for the block: notes numbered through the issue, collected at its end."""
    sections, notes = [], []
    for section in view.sections:
        pieces = []
        for entry in section.entries:
            piece = article_piece(site, entry, len(notes) + 1)
            notes.extend(piece.notes)
            pieces.append(piece)
        sections.append(Section(section.name, section.intro, tuple(pieces)))
    b = view.bulletin
    return Issue(b.series_title, view.title, b.issuer, view.date_zh, tuple(sections), tuple(notes))


def _end_notes(body: str, first: int) -> tuple[str, tuple[Note, ...]]:
    """The body without its footnote list, each reference replaced by a plain [n] mark."""
    found = _FOOTNOTES.search(body)
    if found is None:
        return body, ()
    numbers: dict[str, int] = {}
    notes = []
    for key, inner in _NOTE.findall(found.group(1)):
        numbers[key] = number = first + len(notes)
        paragraphs = [_PARAGRAPH.sub(r"\1", p) for p in re.split(r"(?<=</p>)\s*(?=<p>)", _BACKREF.sub("", inner))]
        notes.append(Note(number, "<br>".join(p.strip() for p in paragraphs)))
    body = body[: found.start()].rstrip() + "\n"

    def mark(match: re.Match[str]) -> str:
        number = numbers.get(match.group(1))
        return f"<sup>[{number}]</sup>" if number is not None else ""

    return _REF.sub(mark, body), tuple(notes)


def _absolute_urls(markup: str, base: str) -> str:
    """Every href and src made absolute against ``base`` (the page the markup came from)."""
    if "href=" not in markup and "src=" not in markup:
        return markup

    def tag(match: re.Match[str]) -> str:
        def attr(found: re.Match[str]) -> str:
            name, value = found.group(1), found.group(2)
            if value is None or name.lower() not in ("href", "src"):
                return found.group(0)
            return f'{name}="{html.escape(urljoin(base, html.unescape(value)))}"'

        return f"<{match.group(1)}{_ATTR.sub(attr, match.group(2))}{match.group(3)}>"

    return _TAG.sub(tag, markup)


def wechat_inliner() -> Callable[[str, str], Markup]:
    """``inline(block_html, css)``: the block with the stylesheet inlined, then cleaned for
    WeChat (see the module doc). One per Jinja environment, each stylesheet compiled once."""
    import css_inline  # only the pages that show a 公众号版 need it

    inliners: dict[str, css_inline.CSSInliner] = {}

    def inline(block: str, css: str) -> Markup:
        inliner = inliners.get(css)
        if inliner is None:
            inliner = inliners[css] = css_inline.CSSInliner(
                extra_css=css, load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False
            )
        return Markup(clean_block(inliner.inline_fragment(str(block), "")))

    return inline


def clean_block(markup: str) -> str:
    """No class or id, no style declaration WeChat drops, no <style>, <script> or comment."""
    markup = re.sub(r"<(style|script)\b.*?</\1>|<!--.*?-->", "", markup, flags=re.DOTALL | re.IGNORECASE)

    def tag(match: re.Match[str]) -> str:
        def attr(found: re.Match[str]) -> str:
            name, value = found.group(1).lower(), found.group(2)
            if name in ("class", "id") or name.startswith("on"):
                return ""
            if name == "style":
                kept = _allowed_style(html.unescape(value or ""))
                return f'style="{html.escape(kept)}"' if kept else ""
            return found.group(0)

        attrs = " ".join(part for part in (attr(m) for m in _ATTR.finditer(match.group(2))) if part)
        return f"<{match.group(1)}{' ' + attrs if attrs else ''}{match.group(3)}>"

    return _TAG.sub(tag, markup)


def _allowed_style(style: str) -> str:
    kept = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and value.strip() and allowed_property(name):
            kept.append(f"{name.strip().lower()}: {value.strip()}")
    return "; ".join(kept) + (";" if kept else "")
