"""The build, phase by phase. The only module that knows the order of the phases.

load config → load and validate content → site model → plan the PDFs → render pages →
search index → render PDFs. Every phase takes what it may reuse as an argument and returns
what it made; the build returns the outputs and a MemoDelta, and writes nothing
(xindelu.build.publish writes, then commits the delta).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xindelu.build.memo import Memo, MemoDelta
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.memory import cycle_collection_paused

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from xindelu.content.config import SiteConfig
    from xindelu.content.load import Content
    from xindelu.site.model import Site

# The phases' modules (Markdown, YAML, Jinja, the model …) are imported where they are used:
# most `python build.py` runs while editing find nothing changed, and those need only the memo
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


def check(options: BuildOptions, proofread: bool = True, memo: Memo | None = None) -> CheckResult:
    """Load and validate everything; build nothing. A build skips the proofreader's warnings."""
    from xindelu.content.config import load_config
    from xindelu.content.load import load_content
    from xindelu.site.model import page_slug_conflicts

    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        return CheckResult(None, None, tuple(exc.errors))
    reuse = memo.article_reuse(articles_key(config, proofread)) if memo is not None else None
    content = load_content(options.root, config, proofread, reuse)
    errors = tuple(sorted((*content.errors, *page_slug_conflicts(config, content.pages))))
    return CheckResult(config, content, errors, content.warnings)


def articles_key(config: SiteConfig, proofread: bool) -> str:
    """What every parsed article depends on besides its own file."""
    import pickle

    from xindelu.core.hashing import code_version, digest

    return digest(pickle.dumps((config, proofread, code_version())))


@dataclass(frozen=True)
class BuildResult:
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...]
    outputs: dict[str, bytes]  # path relative to output/ ("site/index.html", "print/x.pdf") → bytes
    notes: tuple[str, ...] = ()  # Chinese lines for the terminal (counts, timings)
    kept: frozenset[str] = frozenset()  # with a memo: files already right on disk, not in outputs
    delta: MemoDelta = field(default_factory=MemoDelta)  # for the memo, once the outputs are written
    memo: Memo | None = None  # the memo it was made with, as checked (Memo.checked): the writer's


@cycle_collection_paused()
def build(
    options: BuildOptions,
    memo: Memo | None = None,
    changed: frozenset[str] | None = None,
    stage: Callable[[Mapping[str, bytes]], None] | None = None,
) -> BuildResult:
    """check → model → pages → search → PDFs. Content errors stop the build before anything is made.

    With a ``memo`` the build is incremental: unchanged articles are not parsed again,
    unchanged pages and PDFs not made again (they come back in ``kept``), and when no input
    changed at all nothing is loaded. ``changed`` (serve's quick pass: the files the watcher
    saw change, relative to the root) lets a body-only edit skip the rest (xindelu.build.quick).
    ``stage`` (the writer's, on a first build) is given the pages and the search index while
    the PDFs are still being made; they are in the result all the same.
    """
    if memo is not None and changed and options.quick and memo.last is not None:
        from xindelu.build import quick  # serve's (its imports are a third of a no-change run)

        fast = quick.body_edit(memo, changed)
        if fast is not None:
            return BuildResult((), memo.warnings, fast.outputs, (fast.note,), fast.kept, fast.delta)
    stamp = None
    if memo is not None:
        if options.quick and memo.last is None:  # serve's first pass: it loads all the same
            stamp = memo.input_stamp(options)
        else:
            found = memo.checked(options)
            memo = found.memo  # knows which output files are intact: the pages and the writer ask
            if found.unchanged:
                delta = MemoDelta(found.stamp, memo.articles_key, None, {}, {}, memo.warnings, None, None, memo.last)
                return BuildResult((), memo.warnings, {}, ("没有改动。",), frozenset(memo.outputs), delta, memo)
            stamp = found.stamp
    from xindelu.build import quick
    from xindelu.core.forked import beside

    checked = check(options, proofread=False, memo=memo)
    if checked.errors:
        return BuildResult(checked.errors, checked.warnings, {})
    config, content = checked.config, checked.content
    assert config is not None and content is not None
    started = time.perf_counter()
    try:
        site = model(config, content, options, memo)
        pdf_jobs = plan_pdfs(config, content, options, memo)  # named first: the pages link them
        site = _with_pdfs(site, pdf_jobs)

        # The PDFs are made in a forked copy beside the pages and the search index: the book's
        # serial start (its templates, WeasyPrint's import, the fonts' warm-up: a second at
        # 1,000 articles) runs while the pages are made, rather than after them.
        def pdf_outputs() -> Made:
            return render_pdfs(config, content, options, pdf_jobs)

        making_pdfs = any(not job.kept for job in pdf_jobs)
        with beside(pdf_outputs, wanted=making_pdfs) as pdfs:
            pages, env = render_site(site, content, options, memo)
            search = index_site(site, pages, memo, options)
            seconds = time.perf_counter() - started
            if stage is not None and making_pdfs:
                stage({**pages.outputs, **search.outputs})  # written while the PDFs are made
            made_pdfs = pdfs()
    except ContentErrors as exc:  # e.g. no CJK font for the PDFs, a broken template
        return BuildResult(tuple(exc.errors), checked.warnings, {})
    keep_snapshot = options.quick or (memo is not None and memo.last is not None)  # serve's
    delta = MemoDelta(
        stamp=stamp if not options.quick else None,
        articles_key=articles_key(config, False),
        articles=content.entries,
        keys={**pages.keys, **made_pdfs.keys},
        digests={**pages.digests, **search.digests},
        warnings=checked.warnings,
        search=search.memo,
        reads=pages.reads,
        last=quick.Snapshot(config, content, site, env) if keep_snapshot else None,
        rendered=(*pages.rendered, *made_pdfs.rendered),
        related=site.related,
        templates=pages.memo,  # type: ignore[arg-type]
    )
    outputs = {**pages.outputs, **search.outputs, **made_pdfs.outputs}
    kept = pages.kept | search.kept | made_pdfs.kept
    html = len([n for n in (*pages.outputs, *pages.kept) if n.endswith(".html")])
    notes = (
        *made_pdfs.notes,
        f"网站：{len(site.articles)} 篇文章，{html} 个网页（重新生成 {len(pages.rendered) if memo else html} 个），"
        # Index files on disk with the same bytes are kept (their digests come from the search
        # memo): say how many articles were indexed afresh, and how many files the index has.
        f"搜索索引 {len(search.outputs) + len(search.kept)} 个文件（重新索引 {search.indexed} 篇），用时 {seconds:.2f} 秒。",
    )
    return BuildResult((), checked.warnings, outputs, notes, frozenset(kept), delta, memo)


def model(config: SiteConfig, content: Content, options: BuildOptions, memo: Memo | None) -> Site:
    from xindelu.site.model import build_site

    last_related = None
    if memo is not None:  # serve keeps the last model in memory; a command line build reads .cache/
        last_related = memo.last.site.related if memo.last is not None else memo.related
    return build_site(config, content, options.today, options.future, last_related=last_related)


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class Made:
    """What a phase made: new bytes, files kept as they are, and what the memo keeps of it."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()
    keys: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    rendered: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reads: dict[str, frozenset[str]] | None = None  # pages: template → fields read of other articles
    memo: object = None
    indexed: int = 0  # search: articles whose index entry was made afresh


def render_site(
    site: Site, content: Content, options: BuildOptions, memo: Memo | None
):  # -> tuple[Made, jinja2.Environment]
    """Pages, feeds, theme assets and media."""
    from xindelu.site.media import media_outputs
    from xindelu.site.pages import render_pages
    from xindelu.site.theme import make_env, static_outputs

    saved = memo.templates() if memo is not None else {}
    env = make_env(options.root, saved)
    pages = render_pages(site, env, memo.pages_before(content.entries) if memo is not None else None)
    outputs = {**pages.outputs, **static_outputs(options.root), **media_outputs(options.root, site)}
    compiled = env.bytecode_cache.made  # type: ignore[union-attr]  # templates compiled afresh (theme.TemplateCode)
    made = Made(
        outputs,
        pages.kept,
        pages.keys,
        pages.digests,
        pages.rendered,
        reads=pages.reads,
        memo={**saved, **compiled} if compiled else None,
    )
    return made, env


# ---------------------------------------------------------------- search

SEARCH_PREFIX = "site/search/"


def index_site(site: Site, pages: Made, memo: Memo | None, options: BuildOptions) -> Made:
    """The search index over the published articles, from the model; only what changed is redone."""
    from xindelu.site.search import SearchMemo, search_files

    if memo is not None and options.quick:  # kept as it is; the full pass that follows renews it
        return Made(kept=frozenset(n for n in memo.outputs if n.startswith(SEARCH_PREFIX) and memo.intact(n)))
    previous = memo.previous_search() if memo is not None else None
    previous = previous if isinstance(previous, SearchMemo) else None
    files, made = search_files(site, previous, memo.holds if memo is not None else lambda name, sha: False)
    old = previous.docs if previous is not None else {}
    indexed = sum(1 for slug, doc in made.docs.items() if slug not in old or old[slug].file_key != doc.file_key)
    return Made(files.outputs, files.kept, digests=files.digests, memo=made, indexed=indexed)


# ---------------------------------------------------------------- PDFs


@dataclass(frozen=True)
class PdfJob:
    """One PDF (or both editions of the book) to make, named before anything is rendered."""

    kind: str  # "bulletin" or "anthology"
    paths: tuple[str, ...]  # under output/
    key: str  # the inputs it is made from
    number: int = 0  # the bulletin's
    kept: bool = False  # the files on disk were made from the same inputs


def plan_pdfs(config: SiteConfig, content: Content, options: BuildOptions, memo: Memo | None) -> list[PdfJob]:
    """Every PDF this build writes, with its key; the site links them before they are made.
    serve's quick pass keeps the PDFs on disk as they are, for the full pass to renew."""
    if memo is not None and options.quick:
        on_disk = [name for name in memo.outputs if name.endswith(".pdf") and memo.intact(name)]
        return [PdfJob("kept", (name,), memo.outputs[name].key, kept=True) for name in on_disk]
    if not options.pdf:
        return []
    from xindelu.build.pdfkeys import anthology_key, bulletin_key
    from xindelu.print.anthology import output_paths as book_paths
    from xindelu.print.bulletin import output_paths as issue_paths

    jobs = [
        PdfJob("bulletin", issue_paths(b), bulletin_key(config, content, b, options.root), b.number)
        for b in content.bulletins
    ]
    if content.anthology is not None:
        key = anthology_key(config, content, options.root)
        jobs.append(PdfJob("anthology", tuple(book_paths(content.anthology).values()), key))
    if memo is None:
        return jobs
    return [dataclasses.replace(j, kept=all(memo.kept_if(p, j.key) for p in j.paths)) for j in jobs]


def _with_pdfs(site: Site, jobs: list[PdfJob]) -> Site:
    """The site linking the PDFs this build leaves in output/."""
    from xindelu.site.model import attach_pdfs

    names = [p for job in jobs for p in job.paths]
    return attach_pdfs(site, [k.removeprefix("site/") for k in names if k.startswith("site/")])


def render_pdfs(config: SiteConfig, content: Content, options: BuildOptions, jobs: list[PdfJob]) -> Made:
    """The PDFs whose inputs changed; the others stay on disk as they are."""
    kept = frozenset(p for job in jobs if job.kept for p in job.paths)
    todo = [job for job in jobs if not job.kept]
    keys = {p: job.key for job in jobs for p in job.paths}
    if not todo:
        return Made(kept=kept, keys=keys)
    from xindelu.core.forked import beside
    from xindelu.print.anthology import anthology_outputs
    from xindelu.print.bulletin import bulletin_outputs, check_templates
    from xindelu.print.pdf import stderr_progress

    outputs: dict[str, bytes] = {}
    notes: list[str] = []
    numbers = {job.number for job in todo if job.kind == "bulletin"}
    issues = dataclasses.replace(content, bulletins=tuple(b for b in content.bulletins if b.number in numbers))
    book = any(job.kind == "anthology" for job in todo)

    def issue_pdfs() -> tuple[dict[str, bytes], list[str]]:
        # Beside the book, whose line is rewritten in place on a terminal: each issue says only that it is done.
        return bulletin_outputs(
            config, issues, options.root, progress_for=lambda label: stderr_progress(label, steps=not book)
        )

    # The issues are drawn in a forked process beside the book, on the core its serial start
    # and its tail leave idle, rather than after it (0.8 s of the example's 7.7 s build).
    # Their templates are checked first: an error there is not left to wait for the book.
    if numbers and book:
        check_templates(options.root)
    with beside(issue_pdfs, wanted=bool(numbers) and book) as issues_made:
        if book:
            made, book_notes = anthology_outputs(config, content, options.root, progress_for=stderr_progress)
            outputs.update(made)
            notes.extend(book_notes)
        if numbers:
            made, issue_notes = issues_made()
            outputs.update(made)
            notes.extend(issue_notes)
    rendered = tuple(p for job in todo for p in job.paths)
    return Made(outputs, kept, keys, rendered=rendered, notes=tuple(notes))
