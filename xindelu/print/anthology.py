"""The anthology: a print-ready book PDF (print and screen editions) from one source.

Templates ``anthology.html`` and ``anthology.css`` come from ``<root>/layouts/print/`` when a
site overrides them, else from this repository's ``layouts/print/``. The CSS is a Jinja
template too, because the page geometry and the font families come from site_config.yaml.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import jinja2

from xindelu.content.config import AnthologySettings, SiteConfig, cmyk_css, cmyk_rgb_css
from xindelu.content.load import Content
from xindelu.content.records import Anthology, Article
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.forked import beside
from xindelu.core.layouts import layout_dirs, shown_template
from xindelu.core.memory import cycle_collection_paused
from xindelu.print import bookchunks, cjk_typeset, pdf, prepress
from xindelu.print.pdf import (
    Finish,
    FontChoice,
    ImageFilter,
    PdfMetadata,
    Progress,
    Redraw,
    RenderedPdf,
    fixed_date,
    glue_note_refs,
    keep_last_chars,
    print_body,
    resolve_fonts,
    substitution_warnings,
)

Edition = Literal["print", "screen"]
EDITIONS: tuple[Edition, ...] = ("print", "screen")
PT_PER_MM = 72 / 25.4
# Books with at least CHUNK_FROM articles are laid out in chunks of CHUNK_ARTICLES articles
# (xindelu.bookchunks) by CHUNK_WORKERS processes; smaller ones as one document.
CHUNK_FROM = 40
# 50, not 25: each chunk is a forked process with its own start-up, pad page and PDF; at
# 1,000 articles 21 chunks took 42-49 s of CPU against 46-62 s for 41 (interleaved runs),
# for 300 MB of peak memory instead of 260. An edit re-lays out twice as much, in the background.
CHUNK_ARTICLES = 50
CHUNK_WORKERS = 2
ZH_DIGITS = "零一二三四五六七八九"


def print_layout_dirs(root: Path) -> list[Path]:
    """The print templates of the anthology and the bulletin, with the site's overrides."""
    return layout_dirs(root, "print")


def output_paths(anthology: Anthology) -> dict[Edition, str]:
    """Where each edition goes under output/ (the site links the screen edition)."""
    return {
        "print": f"print/{anthology.slug}-print.pdf",
        "screen": f"site/anthology/{anthology.slug}.pdf",
    }


# ---------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Geometry:
    """The page in points, with the text block snapped to whole characters and whole lines.

    Snapping keeps a line of pure Chinese exactly ``chars_per_line`` characters wide (no
    stretching needed) and the last line of a full page exactly on the bottom margin.
    """

    width_mm: float
    height_mm: float
    bleed_mm: float
    font_size_pt: float
    line_height_pt: float
    chars_per_line: int
    lines_per_page: int
    margin_top_pt: float
    margin_bottom_pt: float
    margin_inner_pt: float
    margin_outer_pt: float

    @property
    def text_width_pt(self) -> float:
        return self.chars_per_line * self.font_size_pt


def book_geometry(settings: AnthologySettings) -> Geometry:
    width, height = settings.trim_width_mm * PT_PER_MM, settings.trim_height_mm * PT_PER_MM
    size = settings.font_size_pt
    line = size * settings.line_height
    inner, outer = settings.margin_inner_mm * PT_PER_MM, settings.margin_outer_mm * PT_PER_MM
    top, bottom = settings.margin_top_mm * PT_PER_MM, settings.margin_bottom_mm * PT_PER_MM
    # A hair of tolerance: 100 mm is 26.997 characters of 10.5 pt, and means 27.
    chars = max(1, math.floor((width - inner - outer) / size + 0.01))
    # The last line needs only its glyph height, not the full leading below it.
    lines = max(1, math.floor((height - top - bottom - size) / line + 0.01) + 1)
    spare_width = width - inner - outer - chars * size
    spare_height = height - top - bottom - ((lines - 1) * line + size)
    return Geometry(
        width_mm=settings.trim_width_mm,
        height_mm=settings.trim_height_mm,
        bleed_mm=settings.bleed_mm,
        font_size_pt=size,
        line_height_pt=line,
        chars_per_line=chars,
        lines_per_page=lines,
        margin_top_pt=top,
        margin_bottom_pt=bottom + spare_height - (line - size),
        margin_inner_pt=inner,
        margin_outer_pt=outer + spare_width,
    )


# ---------------------------------------------------------------- the book as the template sees it


@dataclass(frozen=True)
class BookPart:
    number: int
    label: str  # 第一辑
    title: str
    subtitle: str
    anchor: str
    articles: tuple[Article, ...]


def zh_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (part numbers)."""
    if n < 10:
        return ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    if n < 100:
        return ("" if tens == 1 else ZH_DIGITS[tens]) + "十" + (ZH_DIGITS[ones] if ones else "")
    return str(n)


def book_parts(anthology: Anthology, articles: Sequence[Article]) -> tuple[BookPart, ...]:
    """The parts with their approved articles in manifest order (validation reports the rest)."""
    by_slug = {a.slug: a for a in articles if a.status == "approved"}
    return tuple(
        BookPart(
            number=i,
            label=f"第{zh_number(i)}辑",
            title=part.title,
            subtitle=part.subtitle,
            anchor=f"part-{i}",
            articles=tuple(by_slug[slug] for slug in part.articles if slug in by_slug),
        )
        for i, part in enumerate(anthology.parts, 1)
    )


_TRAILING_P = re.compile(r"<p>([^<]{1,16})</p>\s*$")


def mark_signature(html: str) -> str:
    """Trailing short lines without end punctuation (编　者 / 2026年12月) → ``<p class="sign">``.

    A preface's signature and date are set flush right in Chinese books, not indented.
    """
    head, signs = html.rstrip(), []
    while (match := _TRAILING_P.search(head)) and not match.group(1).rstrip().endswith(("。", "！", "？", "…")):
        signs.insert(0, f'<p class="sign">{match.group(1)}</p>')
        head = head[: match.start()].rstrip()
    return head + "\n" + "\n".join(signs) if signs else html


_ID_REF = re.compile(r'\b(id|href)="(#?)([^"#][^"]*)"')


def scope_ids(html: str, prefix: str) -> str:
    """Prefix ids and in-page links of one article, so footnotes (fn:1 …) of all articles stay apart.

    Links to other documents (http:, mailto:, relative files) are left alone.
    """

    def fix(match: re.Match[str]) -> str:
        attr, hash_, value = match.groups()
        if attr == "href" and not hash_:
            return match.group(0)
        return f'{attr}="{hash_}{prefix}{value}"'

    return _ID_REF.sub(fix, html)


_LINK = re.compile(r"<a\b[^>]*>|</a>")


def unlink(html: str) -> str:
    """Links → plain spans (print edition: a printer's PDF carries no link annotations)."""
    return _LINK.sub(lambda m: "</span>" if m.group(0) == "</a>" else '<span class="link">', html)


def affiliation(article: Article) -> str:
    """Unit and position under the byline; the unit once only when the position already names it."""
    names = (article.unit.name, *article.unit.aliases)
    if article.position and any(name in article.position for name in names):
        return article.position
    return "　".join(x for x in (article.unit.name, article.position) if x)


def css_string(text: str) -> str:
    """A CSS string literal (for running heads set from Python values)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _environment(layouts: Sequence[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in layouts]),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["css_string"] = css_string
    env.filters["scope_ids"] = scope_ids
    env.filters["glue_note_refs"] = glue_note_refs
    env.filters["unlink"] = unlink
    env.filters["affiliation"] = affiliation
    return env


def template_error(exc: Exception, name: str, layouts: Sequence[Path], document: str = "文集") -> ContentErrors:
    """The error of print template ``name`` (found in ``layouts``) in the editors' format;
    ``document`` names what the template makes (文集, 专报)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = shown_template(exc.filename, layouts, f"layouts/print/{name}")
        line, message = exc.lineno or 0, f"模板语法错误：{exc.message}"
    else:
        where, line, message = f"layouts/print/{name}", 0, f"{document}模板出错：{exc}"
    return ContentErrors(
        [ContentError(where, line, message, "请改正这个模板，或删去 layouts/print/ 里的覆盖文件以使用默认模板")]
    )


def _print_parts(parts: Sequence[BookPart]) -> tuple[BookPart, ...]:
    return tuple(
        replace(part, articles=tuple(replace(a, body_html=print_body(a.body_html, a.path)) for a in part.articles))
        for part in parts
    )


def edition_colors(settings: AnthologySettings, edition: Edition) -> dict[str, str]:
    """The CSS colours of an edition: ``ink`` (text and rules), ``cover_color``, ``cover_text_color``."""
    convert = cmyk_css if edition == "print" else cmyk_rgb_css
    return {
        "ink": convert((0, 0, 0, 100)),
        "cover_color": convert(settings.cover_cmyk),
        "cover_text_color": convert(settings.cover_text_cmyk),
    }


def anthology_sources(
    config: SiteConfig,
    content: Content,
    edition: Edition,
    layouts: Sequence[Path],
    fonts: Mapping[str, FontChoice],
) -> tuple[str, list[str]]:
    """The book's HTML and its stylesheets (CJK rules first, then the book's own)."""
    anthology = content.anthology
    if anthology is None:
        raise ValueError("no anthology in content")
    context = {
        "book": anthology,
        "parts": _print_parts(book_parts(anthology, content.articles)),
        "edition": edition,
        "site": config.site,
        "geometry": book_geometry(config.anthology),
        "fonts": fonts,
        "preface_html": keep_last_chars(mark_signature(anthology.preface_html)),
        "afterword_html": keep_last_chars(mark_signature(anthology.afterword_html)),
        "trim": f"{config.anthology.trim_width_mm:g} mm × {config.anthology.trim_height_mm:g} mm",
        # The print edition is CMYK throughout (PDF/X-4), its text black alone; the screen edition RGB.
        **edition_colors(config.anthology, edition),
    }
    env = _environment(layouts)
    sources = []
    for name in ("anthology.html", "anthology.css"):
        try:
            sources.append(env.get_template(name).render(context))
        except jinja2.TemplateError as exc:
            raise template_error(exc, name, layouts) from exc
    html, css = sources
    return html, [cjk_typeset.CJK_BODY_CSS, css]


def render_anthology(
    config: SiteConfig,
    content: Content,
    edition: Edition,
    layouts: Sequence[Path],
    *,
    progress: Progress | None = None,
    fonts: Mapping[str, FontChoice] | None = None,
    environ: Mapping[str, str] | None = None,
    chunk_articles: int | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    root: Path | None = None,
) -> RenderedPdf:
    """One edition of the book → RenderedPdf (``.data`` bytes, ``.pages``, ``.seconds``); see render_editions."""
    options = {"fonts": fonts, "environ": environ, "chunk_articles": chunk_articles, "cache_dir": cache_dir}
    progress_for = (lambda _label: progress) if progress else None
    rendered = render_editions(
        config, content, (edition,), layouts, progress_for=progress_for, workers=workers, root=root, **options
    )
    return rendered[edition]


EDITION_LABELS: dict[Edition, str] = {"print": "文集印刷版", "screen": "文集屏幕版"}


def _redraw_colors(settings: AnthologySettings, laid: Edition, edition: Edition) -> dict[str, str] | None:
    """The colours ``edition`` draws in place of those of ``laid``; None if two would merge."""
    before, after = edition_colors(settings, laid), edition_colors(settings, edition)
    colors: dict[str, str] = {}
    for name, color in before.items():
        if colors.setdefault(color, after[name]) != after[name]:
            return None
    return colors


# An inline style or an SVG picture brings colours of its own, which the print edition must
# not take for the edition's colours: such a book is laid out once per edition.
_OWN_COLORS = re.compile(r"\bstyle\s*=|<svg\b|\.svg\b", re.IGNORECASE)


def _can_redraw(layouts: Sequence[Path], laid_html: str) -> bool:
    """Whether the print edition may be drawn from the screen edition's layout: they must differ
    only in colours, bleed, pictures and links. Our templates are made so (and tested to give the
    bytes of a layout of their own); a site's own templates, a picture drawn with colours of its
    own (SVG) or an inline style might not be, and are laid out twice."""
    overridden = any(
        (folder / name).is_file() for folder in layouts[:-1] for name in ("anthology.html", "anthology.css")
    )
    return not overridden and not _OWN_COLORS.search(laid_html)


# Paused, as a one-shot build pauses it (xindelu.commands.cli): the book's process makes a
# few million objects (WeasyPrint's modules and styles, the fonts' warm-up, the join's PDF
# objects) and its collections walked them on the book's serial start and end (0.06-0.1 s of
# a 100-article book). The chunk workers run without it too.
@cycle_collection_paused()
def render_editions(
    config: SiteConfig,
    content: Content,
    editions: Sequence[Edition],
    layouts: Sequence[Path],
    *,
    progress_for: Callable[[str], Progress] | None = None,
    fonts: Mapping[str, FontChoice] | None = None,
    environ: Mapping[str, str] | None = None,
    chunk_articles: int | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    root: Path | None = None,
) -> dict[Edition, RenderedPdf]:
    """The book's ``editions`` → RenderedPdf each (``.data`` bytes, ``.pages``, ``.seconds``).

    With both editions, the screen edition is laid out and the print edition drawn from the
    same pages (see pdf.Redraw), unless _can_redraw says no.
    Books of CHUNK_FROM articles or more (or any, with ``chunk_articles``) are laid out in
    chunks of that many articles in ``workers`` processes and joined; ``cache_dir`` keeps
    the chunks so that a rebuild lays out only those whose input or start folio changed.
    ``root``: the site, where the pictures in the articles are read.
    The print edition is then made PDF/X-4 (xindelu.prepress): CMYK pictures, crop marks
    outside the bleed, an output intent, and blank pages to a multiple of ``page_multiple``.

    Raises ContentErrors (Chinese, for the terminal) when no CJK font is installed or a
    template is broken.
    """
    anthology = content.anthology
    if anthology is None:
        raise ValueError("no anthology in content")
    fonts = fonts if fonts is not None else resolve_fonts(config.fonts)
    metadata = PdfMetadata(
        title=anthology.title + (f"——{anthology.subtitle}" if anthology.subtitle else ""),
        # "某某 编" → the author is 某某; the role word belongs on the title page, not in metadata.
        authors=(re.sub(r"\s*编$", "", anthology.editor),) if anthology.editor else (),
        language=config.site.language,
        subject=anthology.subtitle,
        created=fixed_date(anthology.year, environ),
    )
    sources = {edition: anthology_sources(config, content, edition, layouts, fonts) for edition in editions}
    profile = prepress.load_profile(config.anthology.output_profile, root) if "print" in editions else None
    images = {
        edition: ImageFilter(
            hashlib.sha256(profile.data).hexdigest()[:16], functools.partial(prepress.cmyk_image, profile=profile)
        )
        if profile and edition == "print"
        else None
        for edition in editions
    }
    # The print edition's last step: made PDF/X-4 where it is joined (a chunked book's print
    # edition beside the screen edition's join, in a process of its own).
    finish = (
        {
            "print": functools.partial(
                prepress.pdfx_finished, profile=profile, page_multiple=config.anthology.page_multiple
            )
        }
        if profile
        else {}
    )
    options = {"chunk_articles": chunk_articles, "cache_dir": cache_dir, "workers": workers, "finish": finish}
    # Editions drawn from one layout: the first of a group is laid out, the others redrawn.
    laid: Edition = "screen" if "screen" in editions else editions[0]
    colors = {e: _redraw_colors(config.anthology, laid, e) for e in editions if e != laid}
    shared = _can_redraw(layouts, sources[laid][0])
    redrawn = tuple(e for e, swapped in colors.items() if shared and swapped is not None)
    groups = [(laid, *redrawn), *((e,) for e in colors if e not in redrawn)]
    base_url = str(layouts[0]) + "/"

    def lay_out(group: tuple[Edition, ...]) -> tuple[RenderedPdf, ...]:
        first = group[0]
        redraws = tuple(
            Redraw(
                sources[edition][0],
                tuple(sources[edition][1]),
                colors[edition] or {},
                book_geometry(config.anthology).bleed_mm if edition == "print" else 0.0,
                links=edition == "screen",
                images=images[edition],
                name=EDITION_LABELS[edition].removeprefix("文集"),
            )
            for edition in group[1:]
        )
        # One layout for the group: its progress is named after every edition it makes.
        label = "文集" + "与".join(EDITION_LABELS[edition].removeprefix("文集") for edition in group)
        progress = progress_for(label) if progress_for else None
        return _lay_out(
            anthology,
            content,
            sources[first],
            base_url,
            metadata,
            images[first],
            root,
            group,
            redraws,
            progress=progress,
            # The print edition's PDF/X step, begun while the chunks are laid out.
            meanwhile=functools.partial(prepress.prepare, profile) if profile and "print" in group else None,
            **options,
        )

    # A small book laid out once per edition (see _can_redraw) has its layouts made side by
    # side, a core each; a chunked book's layout already keeps both cores busy.
    articles = sum(len(part.articles) for part in book_parts(anthology, content.articles))
    small = chunk_articles is None and articles < CHUNK_FROM
    rendered: dict[Edition, RenderedPdf] = {}
    with beside(lambda: [lay_out(group) for group in groups[1:]], wanted=small and len(groups) > 1) as others:
        rendered.update(zip(groups[0], lay_out(groups[0]), strict=True))
        for group, made in zip(groups[1:], others(), strict=True):
            rendered.update(zip(group, made, strict=True))
    return {edition: rendered[edition] for edition in editions}


def _lay_out(
    anthology: Anthology,
    content: Content,
    sources: tuple[str, list[str]],
    base_url: str,
    metadata: PdfMetadata,
    images: ImageFilter | None,
    root: Path | None,
    group: Sequence[Edition],
    redraws: Sequence[Redraw],
    *,
    progress: Progress | None,
    chunk_articles: int | None,
    cache_dir: Path | None,
    workers: int | None,
    finish: Mapping[Edition, Finish],
    meanwhile: Callable[[], object] | None = None,
) -> tuple[RenderedPdf, ...]:
    """The book laid out by WeasyPrint, in chunks when it is large (see render_editions): the
    PDF of edition ``group[0]``, then one for each of ``redraws`` (editions ``group[1:]``),
    each made by its ``finish`` step if it has one.
    ``meanwhile``: what this process does while the chunks' workers run (see render_chunked)."""
    html, stylesheets = sources
    parts = book_parts(anthology, content.articles)
    articles = sum(len(part.articles) for part in parts)
    if chunk_articles is None and articles >= CHUNK_FROM:
        chunk_articles = CHUNK_ARTICLES
    if chunk_articles:
        marks = (
            [(part.anchor, [f"a-{a.slug}" for a in part.articles]) for part in parts],
            "afterword" if anthology.afterword_html else None,
            max(1, chunk_articles),
        )
        cut = bookchunks.cut_book(html, *marks)
        cuts = [bookchunks.cut_book(redraw.html, *marks) for redraw in redraws]
        if cut is not None and None not in cuts:  # else a site's own template lacks the markers: one document
            return bookchunks.render_chunked(
                cut,
                base_url,
                stylesheets,
                metadata,
                cache_dir=cache_dir / "anthology" / group[0] if cache_dir else None,
                workers=workers or CHUNK_WORKERS,
                progress=progress,
                site_root=root,
                images=images,
                redraws=tuple(
                    bookchunks.ChunkedRedraw(
                        redraw, its_cut, cache_dir / "anthology" / name if cache_dir else None, finish.get(name)
                    )
                    for redraw, its_cut, name in zip(redraws, cuts, group[1:], strict=True)
                ),
                meanwhile=meanwhile,
                finish=finish.get(group[0]),
            )
    # One document, alone in this process: its redraws are drawn on the other core meanwhile.
    made = pdf.render_editions(
        html,
        base_url,
        stylesheets,
        metadata,
        redraws=redraws,
        progress=progress,
        site_root=root,
        images=images,
        apart=True,
    )
    return tuple(_finished(rendered, finish.get(edition)) for rendered, edition in zip(made, group, strict=True))


def _finished(rendered: RenderedPdf, step: Finish | None) -> RenderedPdf:
    if step is None:
        return rendered
    started = time.monotonic()
    data, pages = step(rendered.data, rendered.pages)
    return replace(rendered, data=data, pages=pages, seconds=rendered.seconds + time.monotonic() - started)


def anthology_outputs(
    config: SiteConfig, content: Content, root: Path, *, progress_for: Callable[[str], Progress] | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """Both editions keyed by their path under output/, and Chinese notes (pages, time, font warnings)."""
    anthology = content.anthology
    if anthology is None:
        return {}, []
    fonts = resolve_fonts(config.fonts)
    notes = ["提醒：" + w.format() for w in substitution_warnings(fonts, ("body", "heading"))]
    outputs = {}
    layouts = print_layout_dirs(root)
    paths = output_paths(anthology)
    rendered = render_editions(
        config,
        content,
        tuple(paths),
        layouts,
        fonts=fonts,
        progress_for=progress_for,
        cache_dir=root / ".cache",  # chunked books keep their chunks here for the next build
        root=root,
    )
    for edition, path in paths.items():
        label = EDITION_LABELS[edition]
        outputs[path] = rendered[edition].data
        notes.append(rendered[edition].summary(label) + f"（{path}）")
        if edition == "print":
            notes += ["提醒：" + w.format() for w in prepress.image_warnings(rendered[edition].data, label)]
    return outputs, notes
