"""The build, phase by phase. The only module that knows the order of the phases.

load config → load and validate content → site model → render pages → render PDFs → write
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache
from .errors import ContentError, ContentErrors
from .memory import cycle_collection_paused

if TYPE_CHECKING:
    from .config import SiteConfig
    from .content import Content

# The phases' modules (Markdown, YAML, Jinja, the model …) are imported where they are used:
# most `python build.py` runs while editing find nothing changed, and those need only the cache
# (importing the rest was half the time of such a run).


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    today: dt.date
    future: bool = False
    pdf: bool = True
    # serve's quick pass: pages only; the search index and PDFs already written are kept as
    # they are (not a clean build's tree) until the full pass that follows in the background.
    quick: bool = False


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...] = field(default=())


def check(options: BuildOptions, proofread: bool = True, cache: BuildCache | None = None) -> CheckResult:
    """Load and validate everything; build nothing. A build skips the proofreader's warnings."""
    from .config import load_config
    from .content import load_content
    from .model import page_slug_conflicts

    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        return CheckResult(None, None, tuple(exc.errors))
    content = load_content(options.root, config, proofread, cache)
    errors = tuple(sorted((*content.errors, *page_slug_conflicts(config, content.pages))))
    return CheckResult(config, content, errors, content.warnings)


@dataclass(frozen=True)
class BuildResult:
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...]
    outputs: dict[str, bytes]  # path relative to output/ ("site/index.html", "print/x.pdf") → bytes
    notes: tuple[str, ...] = ()  # Chinese lines for the terminal (counts, timings)
    kept: frozenset[str] = frozenset()  # with a cache: files already right on disk, not in outputs


def render_outputs(
    config: SiteConfig, content: Content, options: BuildOptions, cache: BuildCache | None = None
) -> tuple[dict[str, bytes], list[str], set[str]]:
    """Every output file as bytes, keyed by its path under output/. Pure: writes nothing.

    Renderers slot in here in order: site pages (xindelu.html), then PDFs (xindelu.pdf).
    With a ``cache``, files whose inputs did not change are left out of the outputs and
    named in the returned set instead (they stay on disk as they are).
    """
    outputs: dict[str, bytes] = {}
    notes: list[str] = []
    kept: set[str] = set()
    if cache is not None and options.quick:  # PDFs follow in the background
        kept = {name for name in cache.outputs if name.endswith(".pdf") and cache.intact(name)}
    if options.pdf:  # WeasyPrint is imported only by builds that make PDFs
        from .anthology import anthology_outputs
        from .bulletin import bulletin_outputs
        from .pdf import stderr_progress
    if options.pdf and content.anthology is not None:
        book, book_notes = anthology_outputs(config, content, options.root, progress_for=stderr_progress)
        outputs.update(book)
        notes.extend(book_notes)
    if options.pdf and content.bulletins:
        issues, issue_notes = bulletin_outputs(config, content, options.root, progress_for=stderr_progress)
        outputs.update(issues)
        notes.extend(issue_notes)
    pdfs = sorted({k for k in outputs if k.endswith(".pdf")} | kept)
    site_outputs, site_notes, site_kept = render_site(config, content, options, pdfs, cache)
    outputs.update(site_outputs)
    notes.extend(site_notes)
    return outputs, notes, kept | site_kept


def render_site(
    config: SiteConfig, content: Content, options: BuildOptions, pdfs: list[str], cache: BuildCache | None = None
) -> tuple[dict[str, bytes], list[str], set[str]]:
    """The column site: model → pages, theme assets, media → search index of the published articles.

    ``pdfs`` are output keys of the PDFs already rendered; the pages link those under site/.
    """
    from .html import render_pages
    from .images import media_outputs
    from .model import attach_pdfs, build_site
    from .quick import Snapshot
    from .search import PREFIX as SEARCH_PREFIX
    from .search import search_outputs
    from .theme import make_env, static_outputs

    started = time.perf_counter()
    previous = cache.last.site if cache is not None and cache.last is not None else None
    site = build_site(config, content, options.today, options.future, previous=previous)
    site = attach_pdfs(site, [k.removeprefix("site/") for k in pdfs if k.startswith("site/")])
    page_cache = cache.page_cache() if cache is not None else None
    env = make_env(options.root)
    pages = render_pages(site, env, page_cache)
    if cache is not None:
        cache.pending_last = Snapshot(config, content, site, env)
    outputs = {**pages, **static_outputs(options.root), **media_outputs(options.root, site)}
    kept = page_cache.kept if page_cache is not None else set()
    rendered = time.perf_counter()
    if cache is not None and options.quick:  # the index follows in serve's background pass
        search = {}
        kept |= {name for name in cache.outputs if name.startswith(SEARCH_PREFIX) and cache.intact(name)}
    else:
        search, memo = search_outputs(site, cache.search_memo if cache is not None else None)
        if cache is not None:
            cache.pending_search_memo = memo
    outputs.update(search)
    count = len(pages) + len([k for k in kept if k.endswith(".html")])
    return (
        outputs,
        [
            f"网站：{len(site.articles)} 篇文章，{count} 个网页（重新生成 {len(pages)} 个），"
            f"用时 {rendered - started:.2f} 秒；"
            f"搜索索引 {len(search)} 个文件更新，用时 {time.perf_counter() - rendered:.2f} 秒。"
        ],
        kept,
    )


@cycle_collection_paused()
def build(options: BuildOptions, cache: BuildCache | None = None, changed: frozenset[str] | None = None) -> BuildResult:
    """check → render → write. Content errors stop the build before anything is written.

    With a ``cache`` (xindelu.cache) the build is incremental: unchanged articles are not
    parsed again, unchanged pages not rendered again (they come back in ``kept``), and when
    no input changed at all nothing is loaded. ``changed`` (serve's quick pass: the files the
    watcher saw change, relative to the root) lets a body-only edit skip the rest (xindelu.quick).
    """
    if cache is not None and changed and options.quick and cache.last is not None:
        from .quick import body_edit_outputs

        started = time.perf_counter()
        quick = body_edit_outputs(cache.last, cache, changed)
        if quick is not None:
            outputs, kept, cache.pending_last = quick
            # The stamp and the search index are the background full pass's to renew.
            cache.pending_stamp, cache.pending_search_memo = None, None
            pages = len([name for name in outputs if name.endswith(".html")])
            note = f"正文改动：重新生成 {pages} 个网页和订阅源，用时 {time.perf_counter() - started:.2f} 秒。"
            return BuildResult((), cache.warnings, outputs, (note,), frozenset(kept))
    if cache is not None:
        stamp = cache.input_stamp(options)
        # serve's first pass loads all the same: its fast path needs the records and model in memory.
        wants_snapshot = options.quick and cache.last is None
        if stamp is not None and stamp == cache.stamp and not wants_snapshot and cache.all_intact():
            # What the write commits must stay as it is, or the next build would start over.
            cache.pending_stamp, cache.pending_search_memo = stamp, None
            cache.pending_last = cache.last
            return BuildResult((), cache.warnings, {}, ("没有改动。",), frozenset(cache.outputs))
    checked = check(options, proofread=False, cache=cache)
    if checked.errors:
        return BuildResult(checked.errors, checked.warnings, {})
    assert checked.config is not None and checked.content is not None
    try:
        outputs, notes, kept = render_outputs(checked.config, checked.content, options, cache)
    except ContentErrors as exc:  # e.g. no CJK font for the PDFs, a broken template
        return BuildResult(tuple(exc.errors), checked.warnings, {})
    if cache is not None:
        cache.pending_stamp, cache.warnings = stamp, checked.warnings
    return BuildResult((), checked.warnings, outputs, tuple(notes), frozenset(kept))
