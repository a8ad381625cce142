"""PDF machinery shared by the anthology and the bulletin: fonts, reproducible rendering, progress.

Written against WeasyPrint 70 (``Document.metadata``, ``write_pdf(pdf_identifier=...)``,
the ``weasyprint.progress`` logger). WeasyPrint is imported lazily so that commands that
build no PDF (``check``, ``report``) do not pay for it.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import html as html_lib
import logging
import mimetypes
import os
import posixpath
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from xindelu.content.config import Fonts
from xindelu.content.records import is_local_src
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.forked import beside
from xindelu.print import weasy_patches
from xindelu.print.cjk_typeset import NO_LINE_START

# The generic CSS family each role falls back to, and the fontconfig pattern used to find a
# substitute CJK face for it.
ROLE_GENERIC = {
    "body": "serif",
    "heading": "sans-serif",
    "bulletin_title": "serif",
    "bulletin_body": "serif",
    "bulletin_heading": "sans-serif",
}
ROLE_ZH = {
    "body": "正文",
    "heading": "标题",
    "bulletin_title": "专报标题",
    "bulletin_body": "专报正文",
    "bulletin_heading": "专报小标题",
}
NO_CJK_FONT = ContentError(
    "site_config.yaml",
    0,
    "本机没有安装任何中文字体，排出的 PDF 会满是空方框，已停止生成 PDF",
    "请安装中文字体（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk），或用 python build.py --no-pdf 只生成网页",
)

Progress = Callable[[str], None]
# A last step on an edition's finished PDF: (bytes, pages) → (bytes, pages), e.g. made PDF/X-4.
Finish = Callable[[bytes, int], tuple[bytes, int]]


# ---------------------------------------------------------------- fonts


@dataclass(frozen=True)
class InstalledFonts:
    """What fontconfig reports: every family name (localised names too) and the CJK-capable ones."""

    families: frozenset[str]
    cjk: frozenset[str]
    cjk_by_generic: tuple[tuple[str, str], ...] = ()  # (generic, family fc-match picks for it)

    def cjk_for(self, generic: str) -> str:
        return dict(self.cjk_by_generic).get(generic, "") or min(self.cjk, default="")


@dataclass(frozen=True)
class FontChoice:
    role: str
    requested: tuple[str, ...]
    family: str  # the family actually used
    cjk_fallback: str  # a CJK face listed after ``family`` when ``family`` has no Chinese glyphs

    @property
    def substituted(self) -> bool:
        """True when the first requested family is not the one used (the office font is missing)."""
        return not self.requested or self.family != self.requested[0]

    @property
    def css(self) -> str:
        """A CSS font-family value: the chosen face, a CJK face if needed, the generic family."""
        names = [self.family] + ([self.cjk_fallback] if self.cjk_fallback else [])
        return ", ".join(f'"{name}"' for name in dict.fromkeys(names)) + f", {ROLE_GENERIC.get(self.role, 'serif')}"


def _fontconfig(commands: Sequence[Sequence[str]]) -> list[str]:
    """The output of each fontconfig command ("" when it cannot run), all started at once:
    each is a process that reads fontconfig's cache (a fifth of a small book's start, one by one)."""
    running = []
    for command in commands:
        try:
            running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        except OSError:
            running.append(None)
    outputs = []
    for proc in running:
        try:
            outputs.append(proc.communicate(timeout=30)[0] if proc is not None else "")
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            outputs.append("")
    return outputs


def _families(lines: list[str]) -> frozenset[str]:
    # fc-list prints "Family,Localised family" per face; every alias names the same face.
    return frozenset(name.strip().replace("\\-", "-") for line in lines for name in line.split(",") if name.strip())


GENERICS = ("serif", "sans-serif")


def installed_fonts() -> InstalledFonts:
    """Ask fontconfig (``fc-list``/``fc-match``) which families exist and which cover Chinese."""
    every, chinese, *matches = _fontconfig(
        [
            ["fc-list", ":", "family"],
            ["fc-list", ":lang=zh-cn", "family"],
            *(["fc-match", "-f", "%{family[0]}", f"{generic}:lang=zh-cn"] for generic in GENERICS),
        ]
    )
    families, cjk = _families(every.splitlines()), _families(chinese.splitlines())
    by_generic = [(generic, match.strip()) for generic, match in zip(GENERICS, matches, strict=True)]
    return InstalledFonts(families, cjk, tuple((g, m) for g, m in by_generic if m in cjk))


def resolve_font(role: str, requested: Sequence[str], installed: InstalledFonts) -> FontChoice:
    """The first requested family that is installed, else a CJK substitute; ContentErrors if no CJK font."""
    if not installed.cjk:
        raise ContentErrors([NO_CJK_FONT])
    generic = ROLE_GENERIC.get(role, "serif")
    family = next((name for name in requested if name in installed.families), "") or installed.cjk_for(generic)
    fallback = "" if family in installed.cjk else installed.cjk_for(generic)
    return FontChoice(role, tuple(requested), family, fallback)


def resolve_fonts(fonts: Fonts, installed: InstalledFonts | None = None) -> dict[str, FontChoice]:
    """Every role of ``config.fonts`` → FontChoice. Raises ContentErrors when no CJK font is installed."""
    installed = installed if installed is not None else installed_fonts()
    return {role: resolve_font(role, getattr(fonts, role), installed) for role in ROLE_GENERIC}


def substitution_warnings(choices: Mapping[str, FontChoice], roles: Sequence[str] | None = None) -> list[ContentError]:
    """One warning per role whose configured first choice is not installed (callers show them)."""
    warnings = []
    for role, choice in choices.items():
        if (roles is not None and role not in roles) or not choice.substituted:
            continue
        wanted = choice.requested[0] if choice.requested else "（未配置）"
        warnings.append(
            ContentError(
                "site_config.yaml",
                0,
                f"{ROLE_ZH.get(role, role)}字体“{wanted}”未安装，改用“{choice.family}”",
                f"如需原字体，请在本机安装它，或修改 fonts.{role}",
                warning=True,
            )
        )
    return warnings


# ---------------------------------------------------------------- metadata and dates


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    authors: tuple[str, ...] = ()
    language: str = "zh-CN"
    subject: str = ""
    keywords: tuple[str, ...] = ()
    created: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def fixed_date(year: int | None, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """The date stamped into a PDF: SOURCE_DATE_EPOCH when set, else 1 January of ``year``.

    Never the wall clock, so that two builds of the same input are byte-identical.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime(year or 2000, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------- progress


def stderr_progress(label: str, steps: bool = True) -> Progress:
    """Progress lines for the terminal: rewritten in place on a terminal, one per step otherwise.
    ``steps=False``: the finished line only (for a process that reports beside another's line)."""
    stream = sys.stderr
    tty = stream.isatty()
    last = [""]

    def report(message: str) -> None:
        if message == last[0] or not (steps or message.startswith("完成")):
            return
        last[0] = message
        if tty:
            # One write per line: the book and the bulletins report from two processes at once,
            # and a line ended by a second write could be rewritten by the other before its end.
            stream.write(f"\r\033[K{label}：{message}" + ("\n" if message.startswith("完成") else ""))
        elif not message.startswith("排版") or message.endswith("0 页"):
            # Off a terminal, print every tenth page only, to keep logs short.
            stream.write(f"{label}：{message}\n")
        stream.flush()

    return report


_STEP_ZH = {
    "Step 1": "读取 HTML",
    "Step 2": "读取样式",
    "Step 3": "套用样式",
    "Step 4": "生成版面结构",
    "Step 5": "排版",
    "Step 6": "写出 PDF",
    "Step 7": "写入元数据",
}


class _ProgressHandler(logging.Handler):
    """Turns WeasyPrint's English progress log into short Chinese progress lines."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        step = _STEP_ZH.get(message[:6])
        if step is None:
            return
        if message.startswith("Step 5") and "Page" in message:
            page = message.rsplit(" ", 1)[-1]
            if page.isdigit():
                self.progress(f"排版 第 {page} 页")
                return
        self.progress(step + "…")


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _weasyprint_logs(progress: Progress | None) -> Iterator[list[str]]:
    """While rendering: progress to ``progress``; WeasyPrint's (English) warnings collected, not printed."""
    progress_logger = logging.getLogger("weasyprint.progress")
    main_logger = logging.getLogger("weasyprint")
    collector = _WarningCollector()
    handler = _ProgressHandler(progress) if progress else None
    saved = (progress_logger.level, progress_logger.propagate, main_logger.propagate)
    if handler:
        progress_logger.addHandler(handler)
        progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    main_logger.addHandler(collector)
    main_logger.propagate = False
    try:
        yield collector.messages
    finally:
        if handler:
            progress_logger.removeHandler(handler)
        main_logger.removeHandler(collector)
        progress_logger.setLevel(saved[0])
        progress_logger.propagate, main_logger.propagate = saved[1], saved[2]


# ---------------------------------------------------------------- the site's own images

# An article's pictures are set far from its folder (a book's HTML is resolved against the
# layouts), so their src names them by their path in the site instead: "xdl-site:content/…".
# Not a file:// URI: the HTML (and with it the PDF's /ID) must be the same in any checkout.
SITE_SCHEME = "xdl-site:"
_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")')
_SITE_URL = re.compile(r'"(' + re.escape(SITE_SCHEME) + r'[^"]*)"')


def site_images(body_html: str, source: str) -> str:
    """Relative image paths in the body of ``source`` (a path from the site root) → xdl-site: URLs."""
    if "<img" not in body_html:
        return body_html
    folder = posixpath.dirname(source)

    def fix(match: re.Match[str]) -> str:
        src = html_lib.unescape(match.group(2))
        if not is_local_src(src) or src.startswith("/"):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(folder, src))
        return match.group(1) + html_lib.escape(SITE_SCHEME + quote(path)) + match.group(3)

    return _IMG_SRC.sub(fix, body_html)


_BACKREF = re.compile(r'(?:&nbsp;|\u00a0)?<a class="footnote-backref"[^>]*>.*?</a>')
_FIGURE = re.compile(r"<p>(\s*<img\b[^>]*>\s*)</p>")


_NOTES = re.compile(r'<div class="footnote">\s*(?:<hr\s*/?>)?\s*<ol>(.*?)</ol>\s*</div>', re.S)
_NOTE_ITEM = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>\s*(?=<li id="fn:|$)', re.S)
_NOTE_CALL = re.compile(r'<sup id="fnref\d*:([^"]+)"><a class="footnote-ref" href="#fn:[^"]*">([^<]*)</a></sup>')
_NOTE_REF = re.compile(r"([^<>\s])(<sup[^>]*>(?:(?!</sup>).)*</sup>)([，。、；：？！）」』》〉…”’]+)")
_PARAGRAPH_BREAK = re.compile(r"</p>\s*<p>")
_PARAGRAPH_TAG = re.compile(r"</?p>")


def glue_note_refs(html: str) -> str:
    """Keep a footnote mark with the character before it and the punctuation after it.

    Without this, WeasyPrint may break the line between the mark and ``。`` and start the
    next line with a full stop.
    """
    return _NOTE_REF.sub(r'<span class="nobr">\1\2\3</span>', html)


def page_footnotes(body_html: str) -> str:
    """Markdown's end notes → notes set at the foot of the page of their call.

    Each first call becomes ``<span class="fn" data-mark="①">the note</span>`` (the
    stylesheets float it to the page's footnote area, ``float: footnote``, and print the
    mark at the call and before the note); a later call of the same note, its mark as a
    plain superscript. Marks count per body (article) as Markdown numbers the notes, ① … ⑳
    then digits (WeasyPrint 70 applies an ``@counter-style`` only when the stylesheets are
    parsed with the document's counter styles). The notes' list at the end goes; paragraphs
    of one note are kept apart by line breaks.
    """
    block = _NOTES.search(body_html)
    if block is None:
        return body_html
    notes = {}
    for item in _NOTE_ITEM.finditer(block.group(1)):
        text = _BACKREF.sub("", item.group(2)).strip()
        notes[item.group(1)] = _PARAGRAPH_TAG.sub("", _PARAGRAPH_BREAK.sub("<br>", text)).strip()
    body_html = glue_note_refs(body_html[: block.start()] + body_html[block.end() :])
    placed: set[str] = set()

    def call(match: re.Match[str]) -> str:
        key, number = match.groups()
        mark = chr(0x245F + int(number)) if number.isdigit() and 1 <= int(number) <= 20 else number
        if key not in notes or key in placed:
            return f'<sup class="fn-again">{mark}</sup>'
        placed.add(key)
        return f'<span class="fn" data-mark="{mark}">{notes[key]}</span>'

    return _NOTE_CALL.sub(call, body_html)


_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CLOSING = "".join(sorted(NO_LINE_START - {"\\"}))
# The last two ideographs of a paragraph with the closing marks after them, when they are plain
# text (no tag in between): a paragraph never ends with one character alone on its last line.
_PARAGRAPH_END = re.compile(f"(?<=[^<>/])([{_IDEOGRAPH}]{{2}}[{re.escape(_CLOSING)}]*)(</p>)")


def keep_last_chars(html: str) -> str:
    """Glue the last two characters of every paragraph (孤字, a lone last character).

    ``<span class="nobr">`` (white-space: nowrap in the book stylesheets): where the last
    line would hold one character, the line before gives up one more and is justified with a
    little more space between its characters, as Chinese typesetters do.
    """
    return _PARAGRAPH_END.sub(r'<span class="nobr">\1</span>\2', html)


def print_body(body_html: str, source: str) -> str:
    """An article's body as the books set it (anthology and bulletin): pictures named by their place in the site (see
    site_images) in paragraphs of their own (``<p class="figure">``: centred, not indented,
    so that a full-width picture stays inside the text block), the footnotes at the foot
    of the page of their call (see page_footnotes), without the web page's ↩ links back,
    and no paragraph ending on one character alone (see keep_last_chars)."""
    if 'class="footnote"' in body_html:
        body_html = page_footnotes(body_html)
    body_html = keep_last_chars(body_html)
    if "footnote-backref" in body_html:
        body_html = _BACKREF.sub("", body_html)
    if "<img" in body_html:
        body_html = _FIGURE.sub(r'<p class="figure">\1</p>', site_images(body_html, source))
    return body_html


def _site_file(root: Path, url: str) -> Path | None:
    path = posixpath.normpath(unquote(url[len(SITE_SCHEME) :].split("#")[0].split("?")[0]))
    if path.startswith(("../", "/")) or path == "..":
        return None  # outside the site: refused
    file = root / path
    return file if file.is_file() else None


def site_files_digest(html: str, root: Path | None) -> str:
    """A digest of the bytes of every site image ``html`` refers to: a replaced picture
    changes the PDF's /ID and the key of a cached anthology chunk."""
    urls = sorted({html_lib.unescape(m.group(1)) for m in _SITE_URL.finditer(html)})
    if not urls:
        return ""
    digest = hashlib.md5(usedforsecurity=False)
    for url in urls:
        file = _site_file(root, url) if root is not None else None
        digest.update(url.encode("utf-8") + b"\0" + (hashlib.md5(file.read_bytes()).digest() if file else b"-"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ImageFilter:
    """Applied to every picture of the site before layout (the print edition makes them CMYK).

    ``key`` names what it does (a digest of the profile), for the PDF's /ID and chunk keys.
    """

    key: str
    convert: Callable[[bytes, str], bytes]  # (the picture's bytes, its path in the site) → JPEG bytes


def _url_fetcher(root: Path | None, images: ImageFilter | None = None):
    """WeasyPrint's fetcher, which also reads xdl-site: URLs from ``root`` (through ``images``)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(SITE_SCHEME):
                return super().fetch(url, headers)
            file = _site_file(root, url) if root is not None else None
            if file is None:
                raise ValueError(f"not a file in the site: {url}")
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            data = file.read_bytes()
            if images is not None and kind.startswith("image/") and kind != "image/svg+xml":
                data, kind = images.convert(data, file.relative_to(root).as_posix()), "image/jpeg"
            return URLFetcherResponse(url, data, {"Content-Type": kind})

    return SiteFetcher()


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    seconds: float
    warnings: tuple[str, ...] = ()  # WeasyPrint's own messages (English), for --debug style output
    rendered_chunks: tuple[str, ...] = ()  # chunked books: the pieces laid out anew ("front", "0", …)

    def summary(self, label: str) -> str:
        return f"{label}：{self.pages} 页，用时 {self.seconds:.1f} 秒"


def _pdf_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Redraw:
    """One more edition drawn from the layout of the first: the anthology's print edition is the
    screen edition's pages with other colours, a bleed, CMYK pictures and no links, none of
    which moves a line, so it is drawn again rather than laid out again (a third of the work).

    ``html`` and ``stylesheets`` are the edition's own sources: they name its PDF (the /ID),
    as they would if it were laid out from them. ``colors`` maps each CSS colour of the
    laid-out edition that this one draws otherwise (``#000000`` → ``device-cmyk(0 0 0 1)``);
    ``bleed_mm`` is its page bleed; ``images`` converts its site pictures.
    """

    html: str
    stylesheets: tuple[str, ...]
    colors: Mapping[str, str]
    bleed_mm: float = 0.0
    links: bool = True
    images: ImageFilter | None = None
    name: str = ""  # what the progress lines call it (印刷版)


def _pdf_identifier(html: str, stylesheets: Sequence[str], metadata: PdfMetadata, images, root: Path | None) -> bytes:
    # Not base_url: it is where the checkout happens to be, and the same input must give the
    # same bytes in any folder (the files it resolves are named relative to it in the HTML).
    digest = hashlib.md5(usedforsecurity=False)
    for text in (html, *stylesheets, repr(metadata), images.key if images else ""):
        digest.update(text.encode("utf-8") + b"\0")
    digest.update(site_files_digest(html, root).encode("ascii"))
    return digest.hexdigest().encode("ascii")


def _set_metadata(document, metadata: PdfMetadata) -> None:
    info = document.metadata
    if metadata.title:
        info.title = metadata.title
    if metadata.authors:
        info.authors = list(metadata.authors)
    if metadata.subject:
        info.description = metadata.subject
    if metadata.keywords:
        info.keywords = list(metadata.keywords)
    info.lang = metadata.language
    info.generator = "心得录 xindelu"
    info.created = info.modified = _pdf_date(metadata.created)


def _color_map(colors: Mapping[str, str]) -> dict[tuple, object]:
    from tinycss2.color5 import parse_color

    mapped = {}
    for old, new in colors.items():
        before = parse_color(old)
        mapped[(before.space, *before)] = parse_color(new)
    return mapped


def _redraw(document, redraw: Redraw, image_cache: Mapping[str, object], site_root: Path | None) -> None:
    """Make the laid-out ``document`` that of the edition ``redraw`` describes, in place: the
    page boxes' bleed (and with it the pages' background areas), the site pictures, the links.
    The colours are swapped as they are drawn (weasy_patches.Hooks.colors)."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.css.computed_values import length
    from weasyprint.css.properties import Dimension
    from weasyprint.images import RasterImage, get_image_from_uri
    from weasyprint.layout.background import layout_box_backgrounds

    def no_images(**_):  # our templates give no page a background picture (a site's own are laid out twice)
        raise ValueError("a page background picture cannot be redrawn")

    bleed = Dimension(redraw.bleed_mm, "mm")
    for page in document.pages:
        box = page._page_box
        for side in ("top", "right", "bottom", "left"):
            box.style[f"bleed_{side}"] = length(box.style, f"bleed_{side}", bleed)
        layout_box_backgrounds(box, box, no_images, layout_children=False)
    # The site's pictures, fetched as this edition's own layout would have fetched them.
    urls = {
        id(image): url
        for url, image in image_cache.items()
        if isinstance(image, RasterImage) and isinstance(url, str) and url.startswith(SITE_SCHEME)
    }
    if urls:
        fetcher, cache, swapped = _url_fetcher(site_root, redraw.images), {}, {}
        for page in document.pages:
            for box in page._page_box.descendants():
                image = getattr(box, "replacement", None)
                if image is not None and id(image) in urls:
                    if id(image) not in swapped:
                        url, orientation = urls[id(image)], box.style["image_orientation"]
                        swapped[id(image)] = get_image_from_uri(
                            cache, fetcher, DEFAULT_OPTIONS, url, None, None, orientation
                        )
                    box.replacement = swapped[id(image)]
    document.pages = [_page_again(page, redraw.links) for page in document.pages]


def _page_again(page, links: bool):
    """A laid-out page as Page(page_box) would make it again after _redraw, which changes only
    its bleed: the anchors, links and bookmarks gathered from its boxes are the same, and
    gathering them walked every box of the book once more."""
    again = copy.copy(page)
    again.bleed = page._page_box.bleed
    again.anchors, again.bookmarks = dict(page.anchors), list(page.bookmarks)
    again.forms = {form: list(fields) for form, fields in page.forms.items()}
    again.links = list(page.links) if links else []
    return again


def render_editions(
    html: str,
    base_url: str,
    stylesheets: Sequence[str] = (),
    metadata: PdfMetadata | None = None,
    *,
    redraws: Sequence[Redraw] = (),
    progress: Progress | None = None,
    before_write: Callable[[object], None] | None = None,
    parsed: Sequence[object] | None = None,
    site_root: Path | None = None,
    images: ImageFilter | None = None,
    font_config: object | None = None,
    apart: bool = False,
) -> tuple[RenderedPdf, ...]:
    """HTML + CSS texts → a reproducible PDF with embedded, subset fonts, and one more PDF for
    each of ``redraws``, drawn from the same layout (each on the last: see Redraw); with
    ``apart``, in a forked copy beside the first (for a document with a core to itself).

    Reproducible: the dates come from ``metadata.created`` (see fixed_date), the PDF /ID is a
    hash of the input, and nothing else in WeasyPrint 70's output depends on time or randomness.
    ``before_write(document)`` may inspect the laid-out pages (e.g. to check folios); it is
    called before each PDF is written.
    ``parsed``: ``weasyprint.CSS`` objects of ``stylesheets``, parsed once for several documents.
    ``site_root``: where the xdl-site: URLs of the site's images (see site_images) are read;
    ``images`` converts them (the print edition's CMYK pictures).
    """
    weasyprint = weasy_patches.weasyprint()  # lazy: a second's import, only when a PDF is made
    CSS, HTML = weasyprint.CSS, weasyprint.HTML
    started = time.monotonic()
    metadata = metadata or PdfMetadata(title="")
    image_cache: dict = {}
    results = []
    with _weasyprint_logs(progress) as warnings:
        document = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher(site_root, images)).render(
            stylesheets=list(parsed) if parsed is not None else [CSS(string=t, base_url=base_url) for t in stylesheets],
            cache=image_cache,
            font_config=font_config,
        )
        _set_metadata(document, metadata)
        if before_write:
            before_write(document)

        def redrawn(redraw: Redraw, tapes: str) -> RenderedPdf:
            began = time.monotonic()
            _redraw(document, redraw, image_cache, site_root)
            if before_write:
                before_write(document)
            identifier = _pdf_identifier(redraw.html, redraw.stylesheets, metadata, redraw.images, site_root)
            with weasy_patches.hooks_also(colors=_color_map(redraw.colors), tapes=tapes):
                data = document.write_pdf(pdf_identifier=identifier)
            return RenderedPdf(data, len(document.pages), time.monotonic() - began, tuple(warnings))

        # ``apart``: the redraws are drawn from scratch in a forked copy while this process
        # draws the first, instead of replayed after it; the same bytes either way.
        apart = apart and bool(redraws)
        with beside(lambda: [redrawn(redraw, "") for redraw in redraws], wanted=apart) as others:
            # Drawn here first, each text box keeps a tape of its drawing for the redraws (weasy_tapes).
            with weasy_patches.hooks_also(tapes="record" if redraws and not apart else ""):
                data = document.write_pdf(
                    pdf_identifier=_pdf_identifier(html, stylesheets, metadata, images, site_root)
                )
            results.append(RenderedPdf(data, len(document.pages), time.monotonic() - started, tuple(warnings)))
            if apart:
                results.extend(others())
            else:
                for redraw in redraws:
                    if progress:
                        progress(f"在同一版面上画{redraw.name or '另一版本'}…")
                    results.append(redrawn(redraw, "replay"))
    if progress:
        progress(f"完成，{results[0].pages} 页，用时 {time.monotonic() - started:.1f} 秒")
    return tuple(results)


def render_document(
    html: str,
    base_url: str,
    stylesheets: Sequence[str] = (),
    metadata: PdfMetadata | None = None,
    *,
    progress: Progress | None = None,
    before_write: Callable[[object], None] | None = None,
    parsed: Sequence[object] | None = None,
    site_root: Path | None = None,
    images: ImageFilter | None = None,
) -> RenderedPdf:
    """One PDF of ``html`` (see render_editions)."""
    options = {"progress": progress, "before_write": before_write, "parsed": parsed}
    return render_editions(html, base_url, stylesheets, metadata, site_root=site_root, images=images, **options)[0]


def render_pdf(
    html: str,
    base_url: str,
    stylesheets: Sequence[str] = (),
    metadata: PdfMetadata | None = None,
    *,
    progress: Progress | None = None,
) -> bytes:
    """Like render_document, the PDF bytes only."""
    return render_document(html, base_url, stylesheets, metadata, progress=progress).data
