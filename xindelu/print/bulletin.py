"""The bulletin (专报): one numbered issue → an A4 PDF in the style of GB/T 9704-2012.

The page geometry is the standard's, not configuration: A4, type area 156 × 225 mm,
top margin 37 mm, inner margin 28 mm, body 仿宋 16 pt on a grid of 22 lines × 28 字.
Every block of the flow is a whole number of grid lines high, so text lines sit on the
same grid on every page. Fonts come from ``config.fonts`` by role (xindelu.pdf resolves
them); Chinese justification and punctuation rules come from xindelu.cjk_typeset.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from xindelu.content.config import SiteConfig, cmyk_css
from xindelu.content.load import Content
from xindelu.content.records import Article, Bulletin
from xindelu.core.errors import ContentError
from xindelu.print import cjk_typeset
from xindelu.print.anthology import print_layout_dirs, template_error
from xindelu.print.pdf import (
    FontChoice,
    PdfMetadata,
    Progress,
    RenderedPdf,
    print_body,
    render_document,
    resolve_fonts,
    substitution_warnings,
)

TEMPLATE = "bulletin.html"
STYLESHEET = "bulletin.css"
# The roles this document uses; "body" (宋体) sets the folios, as the standard asks.
ROLES = ("bulletin_title", "bulletin_body", "bulletin_heading", "body")
WARNED_ROLES = ("bulletin_title", "bulletin_body", "bulletin_heading")

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Grid:
    """GB/T 9704-2012 page geometry, in millimetres unless named otherwise."""

    page_width: float = 210
    page_height: float = 297
    area_width: float = 156
    area_height: float = 225
    top: float = 37
    inner: float = 28
    lines: int = 22
    chars: int = 28
    body_pt: float = 16  # 三号
    small_pt: float = 14  # 四号: folios and the distribution block
    folio_gap: float = 7  # folio rule below the type area

    @property
    def bottom(self) -> float:
        return self.page_height - self.top - self.area_height

    @property
    def outer(self) -> float:
        return self.page_width - self.inner - self.area_width

    @property
    def line(self) -> float:
        """Line pitch: 22 lines fill the type area's height (floored to 0.1 µm, so the 22nd still fits)."""
        return math.floor(self.area_height / self.lines * 10_000) / 10_000

    @property
    def pitch(self) -> float:
        """Character pitch: 28 字 fill the type area's width."""
        return self.area_width / self.chars

    @property
    def letter_spacing(self) -> float:
        # A hair under the exact pitch, so that rounding never pushes the 28th 字 to the next
        # line; justification then spreads the line to the full 156 mm.
        return self.pitch - self.body_pt * MM_PER_PT - 0.002


GRID = Grid()


@dataclass(frozen=True)
class Piece:
    slug: str
    title: str
    body_html: str
    source: str  # the parenthesised source line, without the parentheses


@dataclass(frozen=True)
class IssueSection:
    name: str
    intro: str
    pieces: tuple[Piece, ...]


# ---------------------------------------------------------------- text helpers


def date_zh(date: dt.date) -> str:
    """2026-05-12 → 2026年5月12日 (Arabic numerals, no leading zeros, as the standard writes dates)."""
    return f"{date.year}年{date.month}月{date.day}日"


def source_line(article: Article) -> str:
    """The source a piece ends with: the submitting unit and the author(s), e.g. 长沙市 刘晓岚."""
    return f"{article.unit.name} {article.author_line}".strip()


def text_units(text: str) -> float:
    """Width of a line of text in 字: CJK and full-width characters 1, others ½."""
    return sum(1 if cjk_typeset.is_cjk(char) or char in "“”‘’—…" else 0.5 for char in text)


def series_title_pt(title: str, grid: Grid = GRID) -> float:
    """The largest size (22–36 pt, in half points) at which the series title fits one line.

    Long titles stay at 22 pt (二号) and wrap.
    """
    width_pt = grid.area_width / MM_PER_PT * 0.96
    size = width_pt / max(text_units(title), 1)
    return max(22.0, min(36.0, int(size * 2) / 2))


def series_title_lines(title: str, grid: Grid = GRID) -> int:
    """Grid lines per line of the series title: 2 when it fits one line, else 1 (22 pt on a 29 pt pitch)."""
    size = series_title_pt(title, grid)
    return 2 if text_units(title) * size * MM_PER_PT <= grid.area_width else 1


def issue_sections(content: Content, bulletin: Bulletin) -> tuple[IssueSection, ...]:
    """The issue's sections with their articles looked up (validation has checked every slug)."""
    by_slug = {a.slug: a for a in content.articles}
    sections = []
    for section in bulletin.sections:
        pieces = []
        for slug in section.articles:
            article = by_slug.get(slug)
            if article is None:
                continue
            pieces.append(Piece(slug, article.title, print_body(article.body_html, article.path), source_line(article)))
        sections.append(IssueSection(section.name, section.intro, tuple(pieces)))
    return tuple(sections)


# ---------------------------------------------------------------- templates and fonts


def _environment(layouts: Sequence[Path]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in layouts]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def bulletin_fonts(config: SiteConfig) -> dict[str, FontChoice]:
    """The fonts of every role the bulletin uses (ContentErrors when no Chinese font is installed)."""
    return {role: choice for role, choice in resolve_fonts(config.fonts).items() if role in ROLES}


def font_warnings(fonts: Mapping[str, FontChoice]) -> list[ContentError]:
    """One warning per bulletin role whose configured font is missing — show once per build."""
    return substitution_warnings(fonts, WARNED_ROLES)


def render_bulletin_html(
    config: SiteConfig,
    content: Content,
    bulletin: Bulletin,
    layouts: Sequence[Path],
    fonts: Mapping[str, FontChoice],
) -> tuple[str, str]:
    """The issue as (HTML, CSS) texts, from layouts/print/bulletin.html and bulletin.css."""
    series = bulletin.series_title or config.bulletin.series_title
    issuer = bulletin.issuer or config.bulletin.issuer
    values = {
        "grid": GRID,
        "fonts": {role: choice.css for role, choice in fonts.items()},
        "series_title": series,
        "series_title_pt": series_title_pt(series),
        "series_title_lines": series_title_lines(series),
        # 小标宋 is a heavy display face; a regular serif standing in for it is set bold.
        "title_bold": fonts["bulletin_title"].substituted,
        "number": bulletin.number,
        "issuer": issuer,
        "signer": bulletin.signer,
        "date": date_zh(bulletin.date),
        "sections": issue_sections(content, bulletin),
        "distribution": [
            (label, text)
            for label, text in (
                ("报", bulletin.distribution.bao),
                ("送", bulletin.distribution.song),
                ("发", bulletin.distribution.fa),
            )
            if text
        ],
        "cjk_body_css": cjk_typeset.CJK_BODY_CSS,
        # GB/T 9704-2012 colour: the red in CMYK, the text in black alone.
        "red": cmyk_css(config.bulletin.red_cmyk),
        "ink": cmyk_css((0, 0, 0, 100)),
    }
    env = _environment(layouts)
    texts = []
    for name in (TEMPLATE, STYLESHEET):
        try:
            texts.append(env.get_template(name).render(values))
        except jinja2.TemplateError as exc:
            raise template_error(exc, name, layouts, "专报") from exc
    return texts[0], texts[1]


def render_bulletin(
    config: SiteConfig,
    content: Content,
    bulletin: Bulletin,
    layouts: Sequence[Path],
    *,
    fonts: Mapping[str, FontChoice] | None = None,
    root: Path | None = None,
    progress: Progress | None = None,
) -> bytes:
    """One issue as PDF bytes; the same input gives the same bytes.

    ``fonts`` (from bulletin_fonts) is resolved once per build by the caller; ``root`` lets
    images in article bodies be found.
    """
    return _render(config, content, bulletin, layouts, fonts, root, progress).data


def _render(
    config: SiteConfig,
    content: Content,
    bulletin: Bulletin,
    layouts: Sequence[Path],
    fonts: Mapping[str, FontChoice] | None,
    root: Path | None,
    progress: Progress | None,
) -> RenderedPdf:
    fonts = fonts if fonts is not None else bulletin_fonts(config)
    page, css = render_bulletin_html(config, content, bulletin, layouts, fonts)
    series = bulletin.series_title or config.bulletin.series_title
    metadata = PdfMetadata(
        title=f"{series} 第{bulletin.number}期",
        authors=(bulletin.issuer or config.bulletin.issuer,),
        language=config.site.language,
        created=dt.datetime.combine(bulletin.date, dt.time(), tzinfo=dt.UTC),
    )
    base_url = Path(layouts[0]).resolve().as_uri() + "/"
    return render_document(page, base_url, [css], metadata, progress=progress, site_root=root)


def output_paths(bulletin: Bulletin) -> tuple[str, str]:
    """Where an issue goes under output/: for the print shop, and beside its page on the site."""
    name = f"bulletin-{bulletin.number}.pdf"
    return f"print/{name}", f"site/bulletins/{bulletin.number}/{name}"


def check_templates(root: Path) -> None:
    """ContentErrors for a syntax error in the bulletin's templates, as drawing an issue would
    report it. The issues are drawn beside the book and reported after it: a broken template
    of a site's own is found here first, not once the book is made."""
    layouts = print_layout_dirs(root)
    env = _environment(layouts)
    for name in (TEMPLATE, STYLESHEET):
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            raise template_error(exc, name, layouts, "专报") from exc


def bulletin_outputs(
    config: SiteConfig, content: Content, root: Path, *, progress_for: Callable[[str], Progress] | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """Every issue's PDF keyed by its paths under output/, and Chinese notes (font warnings once, pages, time)."""
    if not content.bulletins:
        return {}, []
    fonts = bulletin_fonts(config)
    notes = ["提醒：" + warning.format() for warning in font_warnings(fonts)]
    layouts = print_layout_dirs(root)
    outputs: dict[str, bytes] = {}
    for bulletin in content.bulletins:
        label = f"专报第{bulletin.number}期"
        progress = progress_for(label) if progress_for else None
        rendered = _render(config, content, bulletin, layouts, fonts, root, progress)
        for path in output_paths(bulletin):
            outputs[path] = rendered.data
        notes.append(rendered.summary(label) + f"（{output_paths(bulletin)[0]}）")
    return outputs, notes
