"""The build, phase by phase. The only module that knows the order of the phases.

load config → load and validate content → site model → render pages → render PDFs → write
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from .anthology import anthology_outputs
from .bulletin import bulletin_outputs
from .config import SiteConfig, load_config
from .content import Content, load_content
from .errors import ContentError, ContentErrors
from .html import render_pages
from .images import media_outputs
from .model import attach_pdfs, build_site
from .pdf import stderr_progress
from .search import search_outputs
from .theme import make_env, static_outputs


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    today: dt.date
    future: bool = False
    pdf: bool = True


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...] = field(default=())


def check(options: BuildOptions) -> CheckResult:
    """Load and validate everything; build nothing."""
    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        return CheckResult(None, None, tuple(exc.errors))
    content = load_content(options.root, config)
    return CheckResult(config, content, content.errors, content.warnings)


@dataclass(frozen=True)
class BuildResult:
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...]
    outputs: dict[str, bytes]  # path relative to output/ ("site/index.html", "print/x.pdf") → bytes
    notes: tuple[str, ...] = ()  # Chinese lines for the terminal (counts, timings)


def render_outputs(config: SiteConfig, content: Content, options: BuildOptions) -> tuple[dict[str, bytes], list[str]]:
    """Every output file as bytes, keyed by its path under output/. Pure: writes nothing.

    Renderers slot in here in order: site pages (xindelu.html), then PDFs (xindelu.pdf).
    """
    outputs: dict[str, bytes] = {}
    notes: list[str] = []
    if options.pdf and content.anthology is not None:
        book, book_notes = anthology_outputs(config, content, options.root, progress_for=stderr_progress)
        outputs.update(book)
        notes.extend(book_notes)
    if options.pdf and content.bulletins:
        issues, issue_notes = bulletin_outputs(config, content, options.root, progress_for=stderr_progress)
        outputs.update(issues)
        notes.extend(issue_notes)
    site_outputs, site_notes = render_site(config, content, options, pdfs=[k for k in outputs if k.endswith(".pdf")])
    outputs.update(site_outputs)
    notes.extend(site_notes)
    return outputs, notes


def render_site(
    config: SiteConfig, content: Content, options: BuildOptions, pdfs: list[str]
) -> tuple[dict[str, bytes], list[str]]:
    """The column site: model → pages, theme assets, media → Pagefind index over the articles.

    ``pdfs`` are output keys of the PDFs already rendered; the pages link those under site/.
    """
    started = time.perf_counter()
    site = build_site(config, content, options.today, options.future)
    site = attach_pdfs(site, [k.removeprefix("site/") for k in pdfs if k.startswith("site/")])
    pages = render_pages(site, make_env(options.root))
    outputs = {**pages, **static_outputs(options.root), **media_outputs(options.root, site)}
    rendered = time.perf_counter()
    search = search_outputs(pages, site.base_path)
    outputs.update(search)
    return outputs, [
        f"网站：{len(site.articles)} 篇文章，{len(pages)} 个网页，用时 {rendered - started:.2f} 秒；"
        f"搜索索引 {len(search)} 个文件，用时 {time.perf_counter() - rendered:.2f} 秒。"
    ]


def build(options: BuildOptions) -> BuildResult:
    """check → render → write. Content errors stop the build before anything is written."""
    checked = check(options)
    if checked.errors:
        return BuildResult(checked.errors, checked.warnings, {})
    assert checked.config is not None and checked.content is not None
    try:
        outputs, notes = render_outputs(checked.config, checked.content, options)
    except ContentErrors as exc:  # e.g. no CJK font for the PDFs, a broken template
        return BuildResult(tuple(exc.errors), checked.warnings, {})
    return BuildResult((), checked.warnings, outputs, tuple(notes))
