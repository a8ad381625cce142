"""PDF machinery shared by the anthology and the bulletin: fonts, reproducible rendering, progress.

Written against WeasyPrint 70 (``Document.metadata``, ``write_pdf(pdf_identifier=...)``,
the ``weasyprint.progress`` logger). WeasyPrint is imported lazily so that commands that
build no PDF (``check``, ``report``) do not pay for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import html as html_lib
import inspect
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


def _fc_lines(*args: str) -> list[str]:
    try:
        done = subprocess.run(["fc-list", *args], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return done.stdout.splitlines()


def _fc_match(pattern: str) -> str:
    try:
        done = subprocess.run(
            ["fc-match", "-f", "%{family[0]}", pattern], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def _families(lines: list[str]) -> frozenset[str]:
    # fc-list prints "Family,Localised family" per face; every alias names the same face.
    return frozenset(name.strip().replace("\\-", "-") for line in lines for name in line.split(",") if name.strip())


def installed_fonts() -> InstalledFonts:
    """Ask fontconfig (``fc-list``/``fc-match``) which families exist and which cover Chinese."""
    families = _families(_fc_lines(":", "family"))
    cjk = _families(_fc_lines(":lang=zh-cn", "family"))
    by_generic = []
    for generic in ("serif", "sans-serif"):
        match = _fc_match(f"{generic}:lang=zh-cn")
        if match in cjk:
            by_generic.append((generic, match))
    return InstalledFonts(families, cjk, tuple(by_generic))


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


def stderr_progress(label: str) -> Progress:
    """Progress lines for the terminal: rewritten in place on a terminal, one per step otherwise."""
    stream = sys.stderr
    tty = stream.isatty()
    last = [""]

    def report(message: str) -> None:
        if message == last[0]:
            return
        last[0] = message
        if tty:
            stream.write(f"\r\033[K{label}：{message}")
            if message.startswith("完成"):
                stream.write("\n")
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


# ---------------------------------------------------------------- crop marks

_MARKS_FLAG = "_xindelu_direct_marks"


def crop_mark_segments(
    painting_area: tuple[float, float, float, float], bleed: Mapping[str, float]
) -> tuple[tuple[float, float, float, float], ...]:
    """The eight crop-mark strokes (x0, y0, x1, y1) of a page, in CSS px, y downwards.

    The same lines WeasyPrint 70 draws for ``marks: crop`` (``draw_background``): at each
    corner one horizontal and one vertical stroke on the trim line, from the media edge
    half-way to the trim.
    """
    x, y, width, height = painting_area
    top, right, bottom, left = (bleed[side] for side in ("top", "right", "bottom", "left"))
    right_x, bottom_y = x + width, y + height
    return (
        (x, y + top, x + left / 2, y + top),
        (right_x, y + top, right_x - right / 2, y + top),
        (right_x, bottom_y - bottom, right_x - right / 2, bottom_y - bottom),
        (x, bottom_y - bottom, x + left / 2, bottom_y - bottom),
        (x + left, y, x + left, y + top / 2),
        (right_x - right, bottom_y, right_x - right, bottom_y - bottom / 2),
        (x + left, bottom_y, x + left, bottom_y - bottom / 2),
        (right_x - right, y, right_x - right, y + top / 2),
    )


def _make_draw_background(original):
    """WeasyPrint 70 draws crop marks by building, parsing and drawing an SVG image, in a new
    form XObject on every page (a tenth of the drawing time of a book page). The wrapper
    strokes the same eight lines (1 px, black, butt caps, as the SVG does) into one form
    XObject per page geometry, kept in the document's shared resources under a name derived
    from the geometry, and paints it on every page. A transparency group like WeasyPrint's,
    so that viewers rasterise the marks exactly as before. Crosses are left to WeasyPrint.
    """

    @functools.wraps(original)
    def draw_background(stream, background, clip_box=True, bleed=None, marks=()):
        if not (bleed and marks) or "cross" in marks:
            return original(stream, background, clip_box, bleed, marks)
        original(stream, background, clip_box, bleed, ())
        if background is None or not background.layers:
            return None  # WeasyPrint draws no marks either then
        segments = crop_mark_segments(background.layers[-1].painting_area, bleed)
        key = hashlib.md5(repr((segments, stream.page_rectangle)).encode(), usedforsecurity=False)
        name = "xdlcrop" + key.hexdigest()[:8]
        xobjects = stream._resources["XObject"]
        if name not in xobjects:
            group = stream.add_group(*stream.page_rectangle)
            xobjects[name] = xobjects.pop(group.id)
            group.set_color_rgb(0, 0, 0, stroke=True)
            group.set_line_width(1)
            group.set_dash([], 0)
            group.set_line_cap(0)
            group.set_line_join(0)
            group.set_miter_limit(4)
            for x0, y0, x1, y1 in segments:
                group.move_to(x0, y0)
                group.line_to(x1, y1)
            group.stroke()
        with stream.artifact():
            stream.draw_x_object(name)
        return None

    return draw_background


def install_direct_crop_marks() -> None:
    """Patch WeasyPrint 70's ``draw_background`` to stroke crop marks directly (idempotent)."""
    import weasyprint.draw as draw

    current = draw.draw_background
    if getattr(current, _MARKS_FLAG, False):
        return
    expected = ("stream", "background", "clip_box", "bleed", "marks")
    if tuple(inspect.signature(current).parameters) != expected:
        raise RuntimeError(f"xindelu.pdf: weasyprint.draw.draw_background{expected} changed; re-check crop marks")
    wrapper = _make_draw_background(current)
    setattr(wrapper, _MARKS_FLAG, True)
    draw.draw_background = wrapper


def uninstall_direct_crop_marks() -> None:
    """Give crop marks back to WeasyPrint (tests compare both drawings)."""
    import weasyprint.draw as draw

    if getattr(draw.draw_background, _MARKS_FLAG, False):
        draw.draw_background = draw.draw_background.__wrapped__


# ---------------------------------------------------------------- margin boxes

_MARGIN_FLAG = "_xindelu_empty_margin_boxes"


def _skip_empty_margin_boxes(original):
    """WeasyPrint 70 makes all 16 margin boxes of every page (``make_margin_boxes``), resolving
    the lengths of each against its computed style, then sets the width, height, margins,
    paddings and borders of the boxes that generate nothing to 0 and lays out only the others.
    A book page has two with content (running head and folio): most of that style work was
    thrown away, a tenth of a page's layout. For an empty margin box, this sets only what is
    not reset afterwards (min/max sizes, which the margin-box layout never reads of it)."""

    from weasyprint.formatting_structure.boxes import MarginBox

    @functools.wraps(original)
    def resolve_percentages(box, containing_block):
        if type(box) is MarginBox and not box.is_generated:
            box.min_width = box.min_height = 0
            box.max_width = box.max_height = float("inf")
            return
        original(box, containing_block)

    return resolve_percentages


def install_empty_margin_boxes() -> None:
    """Patch the ``resolve_percentages`` that WeasyPrint 70's page layout calls (idempotent)."""
    import weasyprint.layout.page as page

    current = page.resolve_percentages
    if getattr(current, _MARGIN_FLAG, False):
        return
    expected = ("box", "containing_block")
    if tuple(inspect.signature(current).parameters) != expected:
        raise RuntimeError(f"xindelu.pdf: weasyprint.layout.page.resolve_percentages{expected} changed")
    wrapper = _skip_empty_margin_boxes(current)
    setattr(wrapper, _MARGIN_FLAG, True)
    page.resolve_percentages = wrapper


# ---------------------------------------------------------------- font data

_FONTS_FLAG = "_xindelu_face_views"


def _face_view(original):
    """WeasyPrint 70's ``Font`` copies the whole font file into Python bytes for every font of
    every document (``get_hb_object_data(hb_face)``): 45 MB for the two Noto CJK collections,
    only to replace it with the subset (made from the HarfBuzz face, not from the copy).
    Here a face's data is a read-only view of HarfBuzz's blob instead, kept alive with it.
    """

    @functools.wraps(original)
    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is not None or glyph is not None:
            return original(hb_object, ot_color, glyph)
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_blob(hb_object)
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        if data == ffi.NULL:
            harfbuzz.hb_blob_destroy(blob)
            return None
        owner = ffi.gc(data, lambda _, blob=blob: harfbuzz.hb_blob_destroy(blob))
        return memoryview(ffi.buffer(owner, int(length[0]))).toreadonly()

    return get_hb_object_data


def _bytes_after(original):
    """What is embedded must be bytes: a view still there after subsetting becomes bytes."""

    @functools.wraps(original)
    def subset(self, to_unicode, hinting):
        original(self, to_unicode, hinting)
        if isinstance(self.file_content, memoryview):
            self.file_content = self.file_content.tobytes()

    return subset


def install_font_views() -> None:
    """Patch WeasyPrint 70's PDF fonts to read face data without copying it (idempotent)."""
    import weasyprint.pdf.fonts as fonts

    if getattr(fonts.get_hb_object_data, _FONTS_FLAG, False):
        return
    for function, expected in (
        (fonts.get_hb_object_data, ("hb_object", "ot_color", "glyph")),
        (fonts.Font.subset, ("self", "to_unicode", "hinting")),
    ):
        if tuple(inspect.signature(function).parameters) != expected:
            raise RuntimeError(f"xindelu.pdf: weasyprint.pdf.fonts {function.__name__}{expected} changed")
    view, subset = _face_view(fonts.get_hb_object_data), _bytes_after(fonts.Font.subset)
    setattr(view, _FONTS_FLAG, True)
    fonts.get_hb_object_data, fonts.Font.subset = view, subset


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


def print_body(body_html: str, source: str) -> str:
    """An article's body as the books set it (anthology and bulletin): pictures named by their place in the site (see
    site_images) in paragraphs of their own (``<p class="figure">``: centred, not indented,
    so that a full-width picture stays inside the text block), and the footnotes without
    the web page's ↩ links back to the text, which a printed note has no use for."""
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


def _url_fetcher(root: Path | None):
    """WeasyPrint's fetcher, which also reads xdl-site: URLs from ``root``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(SITE_SCHEME):
                return super().fetch(url, headers)
            file = _site_file(root, url) if root is not None else None
            if file is None:
                raise ValueError(f"not a file in the site: {url}")
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind})

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
) -> RenderedPdf:
    """HTML + CSS texts → a reproducible PDF with embedded, subset fonts, and its page count.

    Reproducible: the dates come from ``metadata.created`` (see fixed_date), the PDF /ID is a
    hash of the input, and nothing else in WeasyPrint 70's output depends on time or randomness.
    ``before_write(document)`` may inspect the laid-out pages (e.g. to check folios).
    ``parsed``: ``weasyprint.CSS`` objects of ``stylesheets``, parsed once for several documents.
    ``site_root``: where the xdl-site: URLs of the site's images (see site_images) are read.
    """
    from weasyprint import CSS, HTML  # lazy: a second's import, only when a PDF is made

    install_direct_crop_marks()
    install_font_views()
    install_empty_margin_boxes()
    started = time.monotonic()
    metadata = metadata or PdfMetadata(title="")
    with _weasyprint_logs(progress) as warnings:
        document = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher(site_root)).render(
            stylesheets=list(parsed) if parsed is not None else [CSS(string=t, base_url=base_url) for t in stylesheets]
        )
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
        if before_write:
            before_write(document)
        # Not base_url: it is where the checkout happens to be, and the same input must give the
        # same bytes in any folder (the files it resolves are named relative to it in the HTML).
        digest = hashlib.md5(usedforsecurity=False)
        for text in (html, *stylesheets, repr(metadata)):
            digest.update(text.encode("utf-8") + b"\0")
        digest.update(site_files_digest(html, site_root).encode("ascii"))
        data = document.write_pdf(pdf_identifier=digest.hexdigest().encode("ascii"))
    seconds = time.monotonic() - started
    result = RenderedPdf(data, len(document.pages), seconds, tuple(warnings))
    if progress:
        progress(f"完成，{result.pages} 页，用时 {seconds:.1f} 秒")
    return result


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
