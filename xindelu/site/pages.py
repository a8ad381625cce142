"""Render phase: Site → {"site/<path>": bytes}. Pure: reads templates, writes nothing.

One template per kind of page, read top to bottom like a site map (cf. makesite's main()).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import io
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from xindelu.content.records import Article
from xindelu.core.forked import cores, split_map
from xindelu.core.hashing import code_version, digest, tree_digest
from xindelu.core.memory import objects_frozen
from xindelu.site.chart import report_chart
from xindelu.site.feeds import atom_feed, robots_txt, sitemap_xml
from xindelu.site.model import (
    ANTHOLOGY,
    ARCHIVE,
    BULLETINS,
    FEED,
    HOME,
    REPORT,
    SEARCH,
    UNITS,
    ArticleView,
    BulletinView,
    Entry,
    Link,
    Listing,
    Site,
    output_file,
)
from xindelu.site.theme import DEFAULT_THEME, renderer, start_recording, theme_dirs
from xindelu.site.wechat import wechat_path

HOME_LATEST = 10


@dataclass(frozen=True)
class Meta:
    """What every page's <head> and breadcrumbs need."""

    title: str  # page title without the site name; "" for home
    path: str  # canonical, site-relative
    description: str
    crumbs: tuple[Link, ...] = ()
    og_type: str = "website"
    indexable: bool = True  # False: kept out of the sitemap (search, 404)


@dataclass(frozen=True)
class PagesBefore:
    """What the last build left that render_pages may reuse: a page whose key matches the
    one its file on disk was made from is not rendered again.

    ``keys``: output path → key of the inputs it was rendered from; ``articles``: article
    path → digest of its source; ``reads``: template → the fields each template was seen
    reading of articles other than the page's own (site.theme records them while rendering);
    ``intact``: the file on disk is still the one written.
    """

    keys: Mapping[str, str]
    articles: Mapping[str, str]
    intact: Callable[[str], bool]
    reads: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPages:
    """What render_pages made: the bytes of the pages rendered, and for the next build the
    pages kept as they are on disk, every page's key and the digest of each page's bytes."""

    outputs: dict[str, bytes]
    kept: frozenset[str]
    keys: dict[str, str]
    digests: dict[str, str]
    rendered: tuple[str, ...]
    reads: dict[str, frozenset[str]]  # template → fields read of other articles (for the next build)


@dataclass
class _Run:
    """One render's bookkeeping (not shared beyond render_pages)."""

    before: PagesBefore
    kept: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)


def shared_key(site: Site, root: Path, articles: dict[str, str]) -> str:
    """What every page shows besides its own data: config, templates, navigation.

    Keyed by what the default theme's frame (base.html) and article.html read from ``site``;
    a site with its own templates may read anything, so there every article counts.
    """
    own = [d for d in theme_dirs(root) if d != DEFAULT_THEME]
    nav = (
        site.config,
        site.base_url,
        site.today,
        [(c.name, c.path) for c in site.categories],
        [(b.path, b.title, b.pdf) for b in site.bulletins],
        (site.anthology.path, site.anthology.anthology.title, site.anthology.pdf) if site.anthology else None,
        [(p.path, p.page.title) for p in site.pages],
        [[(v.name, v.path) for v in d.values] for d in site.dimensions],
        sorted(articles.items()) if own else None,
    )
    # The templates themselves: the site's own and the default theme (which code_version also
    # covers, but a theme folder is what the renderer read).
    return fingerprint(articles, code_version(), tree_digest(theme_dirs(root)), nav)


@dataclass(frozen=True)
class PageJob:
    """One page to render: output key, template, label for messages, template context."""

    name: str
    template: str
    label: str
    context: dict[str, Any]
    key: Callable[[], str] | None = None  # the page's cache key, made where it is rendered
    own: str = ""  # the article whose page this is: reading any of its fields is not a face read


# Below this many pages a second process costs more than it saves (fork + moving the bytes back).
PARALLEL_PAGES = 600


def render_pages(
    site: Site, env: jinja2.Environment, before: PagesBefore | None = None, workers: int | None = None
) -> RenderedPages:
    """Every page as bytes; with ``before``, only the pages whose inputs changed.

    Large sites render in ``workers`` processes (default: every core, at most 2 here):
    forked after the model is built, so they share it; the bytes come back in page order.
    """
    root = Path(env.globals.get("theme_root", "."))
    pages = _Pages(site, before, root)
    page_jobs_of(pages, site)
    # A few pages (an edit): what exists now is frozen, out of reach of the collection after
    # each page (_render_one). With the collector paused since the build began, the first one
    # scanned all of it: 0.07-0.09 s of a one-article edit at 10,000 articles. A large render
    # keeps that first pass, which frees the garbage made before it (10 MB of a cold build's peak).
    with objects_frozen(when=len(pages.jobs) < PARALLEL_PAGES):
        made = _rendered(pages, env, root, workers)
    sitemap = pages.sitemap
    del pages
    if len(made.outputs) >= PARALLEL_PAGES:
        # A page's Jinja context is part of a reference cycle that becomes garbage only after the
        # youngest generation was collected (_render_one), and its job keeps it until here: with
        # the collector paused for the build, one pass over the two young generations frees
        # them. At 10,000 articles: 260,000 objects in 0.07 s, 12 MB off the build's peak.
        gc.collect(1)
    made.outputs.update(feeds(site))
    made.outputs["site/sitemap.xml"] = sitemap_xml(site, sitemap)
    made.outputs["site/robots.txt"] = robots_txt(site)
    return made


class _Pages:
    """Collects the page jobs of one build, leaving out those the last build left as they are."""

    def __init__(self, site: Site, before: PagesBefore | None, root: Path) -> None:
        self.site = site
        self.run = _Run(before) if before is not None else None
        self.jobs: list[PageJob] = []
        self.sitemap: list[str] = []
        self.keyers: dict[str, Callable[[], str]] = {}  # page → its key, for pages that have one
        self.templates: dict[str, str] = {}  # page → its template
        self.shared = shared_key(site, root, before.articles) if before is not None else ""
        self.keys = _Keys(before) if before is not None else None

    def page(
        self, template: str, meta: Meta, key: Callable[[_Keys], str] | None = None, own: str = "", **context: Any
    ) -> None:
        name = "site/" + output_file(meta.path)
        if meta.indexable:
            self.sitemap.append(meta.path)
        run = self.run
        deferred = None
        if run is not None and key is not None:
            page_key = self.keyers[name] = functools.partial(self._key, template, meta, key)
            self.templates[name] = template
            if not run.before.keys:  # nothing to compare with: made while rendering, in every process
                deferred = page_key
            else:
                run.keys[name] = made = page_key()
                if run.before.keys.get(name) == made and run.before.intact(name):
                    run.kept.add(name)
                    return
        if run is not None:
            run.rendered.append(name)
        context.update(site=self.site, u=self.site.href, meta=meta)
        self.jobs.append(PageJob(name, template, meta.path or "首页", context, deferred, own))

    def _key(self, template: str, meta: Meta, key: Callable[[_Keys], str]) -> str:
        assert self.keys is not None
        crumbs = [(c.name, c.path) for c in meta.crumbs]
        shown = (meta.title, meta.path, meta.description, crumbs, meta.og_type, meta.indexable)
        return digest(f"{self.shared}\0{template}\0{shown!r}\0{key(self.keys)}".encode())

    def article(self, view: ArticleView) -> None:
        a = view.entry.article
        self.page(
            "article.html",
            Meta(a.title, view.entry.path, a.summary, (HOME_CRUMB, view.category), "article"),
            lambda keys: keys.article(view),
            own=a.path,
            view=view,
        )

    def wechat_article(self, view: ArticleView) -> None:
        """An article's 公众号版: everything it shows comes from the article's own source."""
        a = view.entry.article
        self.page(
            "wechat.html",
            Meta(f"{a.title}（公众号版）", wechat_path(view.entry.path), a.summary, (HOME_CRUMB,), indexable=False),
            lambda keys: f"{keys.source(a)}\0{view.entry.path}\0{view.entry.date_zh}",
            own=a.path,
            view=view,
            issue=None,
        )

    def wechat_bulletin(self, view: BulletinView) -> None:
        """An issue's 公众号版: it carries the bodies of its pieces, so it is keyed by their sources."""
        title = f"{view.bulletin.series_title} {view.title}（公众号版）"
        crumbs = (HOME_CRUMB, Link("专报", BULLETINS), Link(view.title, view.path))
        self.page(
            "wechat.html",
            Meta(title, wechat_path(view.path), title, crumbs, indexable=False),
            lambda keys: keys.issue(view),
            issue=view,
        )


HOME_CRUMB = Link("首页", HOME)


def page_jobs(site: Site, before: PagesBefore | None, root: Path) -> tuple[list[PageJob], list[str], _Run | None]:
    """Every page of the site in order, less those kept as they are; the sitemap's paths; the run."""
    pages = _Pages(site, before, root)
    page_jobs_of(pages, site)
    return pages.jobs, pages.sitemap, pages.run


def page_jobs_of(pages: _Pages, site: Site) -> None:
    """Every page of the site in order, read top to bottom like a site map."""
    page, home_crumb = pages.page, HOME_CRUMB
    site_meta = site.config.site
    page("home.html", Meta("", HOME, site_meta.description), latest=site.entries[:HOME_LATEST])

    for view in site.articles:
        pages.article(view)
        pages.wechat_article(view)

    for listing in site.listings:
        crumbs = (home_crumb, *_listing_parents(listing))
        shown = repr(_listing_key(listing))
        for pager in listing.pages:
            title = listing.name if pager.number == 1 else f"{listing.name}（第{pager.number}页）"
            description = listing.description or f"{site_meta.title}：{listing.kind_label}“{listing.name}”的全部文章"
            page(
                "listing.html",
                Meta(title, pager.path, description, crumbs),
                lambda keys, pager=pager, shown=shown: keys.pager(shown, pager),
                listing=listing,
                pager=pager,
            )

    page("units.html", Meta("报送单位", UNITS, "各地各单位刊登的学习心得，按单位查看", (home_crumb,)))
    page("archive.html", Meta("按月归档", ARCHIVE, "按发布月份查看全部学习心得", (home_crumb,)))
    bulletins_crumb = Link("专报", BULLETINS)
    page("bulletins.html", Meta("专报", BULLETINS, site.config.bulletin.series_title or "专报", (home_crumb,)))
    for view in site.bulletins:
        title = f"{view.bulletin.series_title} {view.title}"
        page("bulletin.html", Meta(title, view.path, title, (home_crumb, bulletins_crumb)), view=view)
        pages.wechat_bulletin(view)
    if site.anthology is not None:
        book = site.anthology.anthology
        page(
            "anthology.html",
            Meta(book.title, ANTHOLOGY, book.subtitle or book.title, (home_crumb,)),
            view=site.anthology,
        )
    for dim in site.dimensions:
        if dim.ranked:
            title = dim.results_title
            page("results.html", Meta(title, dim.path, f"{site_meta.title}{title}", (home_crumb,)), dim=dim)
    total = site.report.total
    chart = report_chart(
        site.report,
        "各单位报送和采用篇数",
        f"按正式顺序列出各单位报送和采用的篇数：共报送{total.submitted}篇，采用{total.approved}篇。"
        "每个单位的数字见下方统计表。",
    )
    page(
        "report.html",
        Meta("报送和采用情况", REPORT, "各地各单位学习心得报送和采用情况统计", (home_crumb,)),
        chart=chart,
    )
    for view in site.pages:
        page("page.html", Meta(view.page.title, view.path, view.page.title, (home_crumb,)), view=view)
    page("search.html", Meta("搜索", SEARCH, "站内搜索", (home_crumb,), indexable=False))
    page("404.html", Meta("页面不存在", "404.html", "页面不存在", (), indexable=False))


def render_article_pages(
    site: Site, env: jinja2.Environment, before: PagesBefore, views: list[ArticleView]
) -> RenderedPages:
    """Only the pages of ``views`` and the feeds (which carry article bodies): what a body-only
    edit changes (serve's fast path, xindelu.build.quick). The sitemap and the rest stay as they are."""
    root = Path(env.globals.get("theme_root", "."))
    pages = _Pages(site, before, root)
    for view in views:
        pages.article(view)
        pages.wechat_article(view)
    edited = {view.entry.article.path for view in views}
    for issue in site.bulletins:  # an issue's 公众号版 carries the bodies of its pieces
        if any(e.article.path in edited for s in issue.sections for e in s.entries):
            pages.wechat_bulletin(issue)
    made = _rendered(pages, env, root, 1)
    made.outputs.update(feeds(site))
    return made


def _rendered(pages: _Pages, env: jinja2.Environment, root: Path, workers: int | None) -> RenderedPages:
    """The pages' bytes; each page's digest (and deferred key) is made in the process that
    rendered it, with the fields it read of articles other than its own."""
    jobs, run, keyer = pages.jobs, pages.run, pages.keys
    render = functools.partial(_render_keyed, renderer(env, root), env)
    outputs: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    reads: dict[str, set[str]] = {}
    if keyer is not None:  # a template not seen before: learn what it reads from its first page
        for job in jobs:
            if job.template not in keyer.reads:
                data, _, sha, read = render(dataclasses.replace(job, key=None))
                outputs[job.name], digests[job.name] = data, sha
                keyer.reads[job.template] = read
                reads[job.template] = set(read)
    rest = [job for job in jobs if job.name not in outputs]
    keys = dict(run.keys) if run is not None else {}
    for job, (data, key, sha, read) in zip(rest, split_map(render, rest, _workers(len(rest), workers)), strict=True):
        outputs[job.name] = data
        digests[job.name] = sha
        reads.setdefault(job.template, set()).update(read)
        if job.key is not None:
            keys[job.name] = key
    final = {template: frozenset(fields) for template, fields in reads.items()}
    if run is None or keyer is None:
        return RenderedPages(outputs, frozenset(), {}, digests, (), final)
    grown = {template for template, fields in final.items() if not fields <= keyer.reads.get(template, frozenset())}
    if grown or any(job.key is not None and job.name not in keys for job in jobs):
        # A page read more of other articles than its template was known to: key every page of
        # that template with it, so that a later change of those fields re-renders them.
        for template in grown:
            keyer.reads[template] = keyer.reads.get(template, frozenset()) | final[template]
        keyer.faces.clear()
        keyer.lines.clear()
        keys.update({name: make() for name, make in pages.keyers.items() if pages.templates[name] in grown})
    for job in jobs:
        if job.key is not None and job.name not in keys:
            keys[job.name] = pages.keyers[job.name]()
    # Templates of pages kept as they are read what the last build saw them read.
    seen = {**run.before.reads, **final} if run.kept else final
    return RenderedPages(outputs, frozenset(run.kept), keys, digests, tuple(run.rendered), seen)


def _render_keyed(
    render: Callable[..., str], env: jinja2.Environment, job: PageJob
) -> tuple[bytes, str, str, frozenset[str]]:
    reads = start_recording(env, job.own)
    data = _render_one(render, job)
    return data, job.key() if job.key is not None else "", digest(data), frozenset(reads)


def feeds(site: Site) -> dict[str, bytes]:
    title = site.config.site.title
    outputs = {"site/" + FEED: atom_feed(site, site.entries, FEED, title)}
    for listing in site.categories:
        outputs["site/" + listing.feed_path] = atom_feed(
            site, listing.entries, listing.feed_path, f"{title}·{listing.name}", listing.path
        )
    return outputs


class _Keys:
    """Page keys as plain strings: an article by the digest of its source on its own page;
    elsewhere by the digest of the fields that page's template reads of it (recorded while
    rendering, never listed by hand), beside what its Entry holds besides the article."""

    def __init__(self, before: PagesBefore) -> None:
        self.sources = before.articles
        self.reads: dict[str, frozenset[str]] = dict(before.reads)
        self.faces: dict[tuple[str, str], str] = {}
        self.lines: dict[tuple[str, str], str] = {}  # an entry is listed on a dozen pages: keyed once

    def source(self, article: Article) -> str:
        return self.sources.get(article.path) or digest(pickle.dumps(article))

    def face(self, article: Article, template: str) -> str:
        found = self.faces.get((article.path, template))
        if found is None:
            fields = sorted(self.reads.get(template, ()))
            shown = tuple(getattr(article, name) for name in fields)
            found = self.faces[article.path, template] = digest(pickle.dumps((fields, shown)))
        return found

    def entry(self, entry: Entry | None, template: str) -> str:
        """What a list line of ``entry`` shows, as a string."""
        if entry is None:
            return "-"
        found = self.lines.get((entry.path, template))
        if found is None:
            badges = tuple((b.name, b.path) for b in entry.badges)
            found = repr((entry.path, entry.date_zh, repr(badges), self.face(entry.article, template)))
            self.lines[entry.path, template] = found
        return found

    def article(self, view: ArticleView) -> str:
        """What article.html shows: the piece itself, and what it reads of its neighbours and
        related pieces (so a body edit does not re-render the pages around it)."""
        line = functools.partial(self.entry, template="article.html")
        links = [(link.name, link.path) for link in (view.category, view.form, view.unit, view.month)]
        carried = [(b.number, b.path, b.title) for b in view.bulletins]
        lines = "\0".join((line(view.prev), line(view.next), *(line(e) for e in view.related)))
        badges = tuple((b.name, b.path) for b in view.entry.badges)
        # Plain tuples of strings: their repr is cheap and exact (a dataclass repr cost twice as much).
        return (
            f"{self.source(view.entry.article)}\0{view.entry.date_zh}\0{badges!r}\0{links!r}\0{carried!r}"
            f"\0{view.in_anthology}\0{view.video!r}\0{len(view.related)}\0{lines}"
        )

    def issue(self, view: BulletinView) -> str:
        """What an issue's 公众号版 shows: the issue record and each piece's whole source."""
        pieces = tuple((e.path, e.date_zh, self.source(e.article)) for s in view.sections for e in s.entries)
        return f"{digest(pickle.dumps(view.bulletin))}\0{view.title}\0{view.date_zh}\0{pieces!r}"

    def pager(self, shown: str, pager: Any) -> str:
        entries = "\0".join(self.entry(e, "listing.html") for e in pager.entries)
        return f"{shown}\0{pager.number}/{pager.count}\0{pager.path}\0{pager.prev_path}\0{pager.next_path}\0{entries}"


def render_jobs(jobs: list[PageJob], render: Callable[..., str], workers: int | None = None) -> list[bytes]:
    """The pages' bytes in job order; forked processes share the work when it pays."""
    return split_map(functools.partial(_render_one, render), jobs, _workers(len(jobs), workers))


def _workers(jobs: int, workers: int | None) -> int:
    if jobs < PARALLEL_PAGES:
        return 1
    return cores(2) if workers is None else workers


def _render_one(render: Callable[..., str], job: PageJob) -> bytes:
    data = render(job.template, job.label, **job.context).encode("utf-8")
    # Jinja leaves each render's context in reference cycles, and the build pauses the cycle
    # collector (xindelu.core.memory): collecting the youngest generation after each page frees
    # them (a quarter of the main process's peak at 10,000 articles) for no measurable time.
    gc.collect(0)
    return data


def _listing_key(listing: Listing) -> tuple[Any, ...]:
    """What listing.html shows of a listing besides the current page (not every entry)."""
    shown = (listing.kind, listing.kind_label, listing.name, listing.description, listing.path, listing.feed_path)
    return (*shown, len(listing.entries), len(listing.pages))


def _listing_parents(listing: Listing) -> tuple[Link, ...]:
    if listing.kind == "unit":
        return (Link("报送单位", UNITS),)
    if listing.kind == "month":
        return (Link("按月归档", ARCHIVE),)
    return ()


class _Fingerprinter(pickle.Pickler):
    """Pickles page data with every Article replaced by the digest of its source file."""

    def __init__(self, handle: io.BytesIO, articles: dict[str, str]) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.articles = articles
        self.article_type = Article
        # No memo: the bytes must not depend on which equal objects happen to be shared
        # (records from the cache and freshly parsed ones hold equal, distinct strings).
        self.fast = True

    def persistent_id(self, obj: Any) -> str | None:
        if type(obj) is self.article_type:
            return self.articles.get(obj.path) or digest(pickle.dumps(obj))
        return None


def fingerprint(articles: dict[str, str], *parts: Any) -> str:
    """A key for ``parts`` (the data one page shows); ``articles`` maps article path → source digest."""
    handle = io.BytesIO()
    _Fingerprinter(handle, articles).dump(parts)
    return digest(handle.getvalue())
