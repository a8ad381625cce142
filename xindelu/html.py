"""Render phase: Site → {"site/<path>": bytes}. Pure: reads templates, writes nothing.

One template per kind of page, read top to bottom like a site map (cf. makesite's main()).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .cache import code_version, digest, fingerprint, tree_digest
from .feeds import atom_feed, robots_txt, sitemap_xml
from .forked import cores, split_map
from .model import (
    ANTHOLOGY,
    ARCHIVE,
    BULLETINS,
    FEED,
    HOME,
    REPORT,
    SEARCH,
    UNITS,
    ArticleView,
    Entry,
    Link,
    Listing,
    Site,
    output_file,
)
from .records import Article, face_digest
from .theme import DEFAULT_THEME, renderer, theme_dirs

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


@dataclass
class PageCache:
    """What render_pages may skip: pages whose input key matches a file already written.

    ``keys`` (output path → key of the inputs it was rendered from), ``articles``
    (article path → digest of its source) and ``faces`` (article path → digest of its
    face(), what other pages show of it) come from xindelu.cache; ``intact`` says
    whether the file on disk is still the one written. Skipped paths land in ``kept``.
    """

    keys: dict[str, str]
    articles: dict[str, str]
    intact: Callable[[str], bool]
    faces: dict[str, str] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    new_keys: dict[str, str] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # output key → digest of the bytes rendered


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
    return fingerprint(articles, code_version(), tree_digest(own), nav)


@dataclass(frozen=True)
class PageJob:
    """One page to render: output key, template, label for messages, template context."""

    name: str
    template: str
    label: str
    context: dict[str, Any]
    key: Callable[[], str] | None = None  # the page's cache key, made where it is rendered


# Below this many pages a second process costs more than it saves (fork + moving the bytes back).
PARALLEL_PAGES = 600


def render_pages(
    site: Site, env: jinja2.Environment, cache: PageCache | None = None, workers: int | None = None
) -> dict[str, bytes]:
    """Every page as bytes; with ``cache``, only the pages whose inputs changed.

    Large sites render in ``workers`` processes (default: every core, at most 2 here):
    forked after the model is built, so they share it; the bytes come back in page order.
    """
    root = Path(env.globals.get("theme_root", "."))
    jobs, sitemap = page_jobs(site, cache, root)
    outputs = {**_rendered(jobs, renderer(env, root), workers, cache), **feeds(site)}
    outputs["site/sitemap.xml"] = sitemap_xml(site, sitemap)
    outputs["site/robots.txt"] = robots_txt(site)
    return outputs


class _Pages:
    """Collects the page jobs of one build, leaving out those the cache keeps."""

    def __init__(self, site: Site, cache: PageCache | None, root: Path) -> None:
        self.site, self.cache = site, cache
        self.jobs: list[PageJob] = []
        self.sitemap: list[str] = []
        self.shared = shared_key(site, root, cache.articles) if cache is not None else ""
        self.keys = _Keys(cache) if cache is not None else None

    def page(self, template: str, meta: Meta, key: Callable[[_Keys], str] | None = None, **context: Any) -> None:
        name = "site/" + output_file(meta.path)
        if meta.indexable:
            self.sitemap.append(meta.path)
        cache = self.cache
        deferred = None
        if cache is not None and key is not None:
            page_key = functools.partial(self._key, template, meta, key)
            if not cache.keys:  # nothing to compare with: made while rendering, in every process
                deferred = page_key
            else:
                cache.new_keys[name] = made = page_key()
                if cache.keys.get(name) == made and cache.intact(name):
                    cache.kept.add(name)
                    return
        if cache is not None:
            cache.rendered.append(name)
        context.update(site=self.site, u=self.site.href, meta=meta)
        self.jobs.append(PageJob(name, template, meta.path or "首页", context, deferred))

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
            view=view,
        )


HOME_CRUMB = Link("首页", HOME)


def page_jobs(site: Site, cache: PageCache | None, root: Path) -> tuple[list[PageJob], list[str]]:
    """Every page of the site in order, less those the cache keeps; and the sitemap's paths."""
    pages = _Pages(site, cache, root)
    page, home_crumb = pages.page, HOME_CRUMB
    site_meta = site.config.site
    page("home.html", Meta("", HOME, site_meta.description), latest=site.entries[:HOME_LATEST])

    for view in site.articles:
        pages.article(view)

    for listing in site.listings:
        crumbs = (home_crumb, *_listing_parents(listing))
        shown = repr(_listing_key(listing))
        for pager in listing.pages:
            title = listing.name if pager.number == 1 else f"{listing.name}（第 {pager.number} 页）"
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
    if site.anthology is not None:
        book = site.anthology.anthology
        page(
            "anthology.html",
            Meta(book.title, ANTHOLOGY, book.subtitle or book.title, (home_crumb,)),
            view=site.anthology,
        )
    page("report.html", Meta("报送和采用情况", REPORT, "各地各单位学习心得报送和采用情况统计", (home_crumb,)))
    for view in site.pages:
        page("page.html", Meta(view.page.title, view.path, view.page.title, (home_crumb,)), view=view)
    page("search.html", Meta("搜索", SEARCH, "站内搜索", (home_crumb,), indexable=False))
    page("404.html", Meta("页面不存在", "404.html", "页面不存在", (), indexable=False))
    return pages.jobs, pages.sitemap


def render_article_pages(
    site: Site, env: jinja2.Environment, cache: PageCache, views: list[ArticleView]
) -> dict[str, bytes]:
    """Only the pages of ``views`` and the feeds (which carry article bodies): what a body-only
    edit changes (serve's fast path, xindelu.quick). The sitemap and the rest stay as they are."""
    root = Path(env.globals.get("theme_root", "."))
    pages = _Pages(site, cache, root)
    for view in views:
        pages.article(view)
    return {**_rendered(pages.jobs, renderer(env, root), cache=cache), **feeds(site)}


def _rendered(
    jobs: list[PageJob], render: Callable[..., str], workers: int | None = None, cache: PageCache | None = None
) -> dict[str, bytes]:
    """Pages by output key; with ``cache``, each page's digest (and deferred key) is made in
    the process that rendered it, and lands in the cache for the write."""
    if cache is None:
        return {job.name: data for job, data in zip(jobs, render_jobs(jobs, render, workers), strict=True)}
    pages = {}
    for job, (data, key, sha) in zip(
        jobs, split_map(functools.partial(_render_keyed, render), jobs, _workers(len(jobs), workers)), strict=True
    ):
        pages[job.name] = data
        cache.digests[job.name] = sha
        if job.key is not None:
            cache.new_keys[job.name] = key
    return pages


def _render_keyed(render: Callable[..., str], job: PageJob) -> tuple[bytes, str, str]:
    data = _render_one(render, job)
    return data, job.key() if job.key is not None else "", digest(data)


def feeds(site: Site) -> dict[str, bytes]:
    title = site.config.site.title
    outputs = {"site/" + FEED: atom_feed(site, site.entries, FEED, title)}
    for listing in site.categories:
        outputs["site/" + listing.feed_path] = atom_feed(
            site, listing.entries, listing.feed_path, f"{title}·{listing.name}"
        )
    return outputs


class _Keys:
    """Page keys as plain strings: an article by the digest of its source on its own page,
    by the digest of its face everywhere else (an Entry is a function of its article and
    the configuration, which the shared key holds)."""

    def __init__(self, cache: PageCache) -> None:
        self.sources = cache.articles
        self.faces = cache.faces

    def source(self, article: Article) -> str:
        return self.sources.get(article.path) or digest(pickle.dumps(article))

    def face(self, article: Article) -> str:
        found = self.faces.get(article.path)
        if found is None:
            found = self.faces[article.path] = face_digest(article)
        return found

    def article(self, view: ArticleView) -> str:
        """What article.html shows: the piece itself, and of its neighbours and related pieces
        only the link lines (so a body edit does not re-render the pages around it)."""

        def line(entry: Entry | None) -> tuple[str, ...] | None:
            return None if entry is None else (entry.path, entry.article.title, entry.article.unit.name, entry.date_zh)

        links = [(link.name, link.path) for link in (view.category, view.form, view.unit, view.month)]
        carried = [(b.number, b.path, b.title) for b in view.bulletins]
        lines = (line(view.prev), line(view.next), tuple(line(e) for e in view.related))
        # Plain tuples of strings: their repr is cheap and exact (a dataclass repr cost twice as much).
        return (
            f"{self.source(view.entry.article)}\0{links!r}\0{carried!r}\0{view.in_anthology}\0{view.video!r}\0{lines!r}"
        )

    def pager(self, shown: str, pager: Any) -> str:
        entries = ",".join(self.face(e.article) for e in pager.entries)
        return f"{shown}\0{pager.number}/{pager.count}\0{pager.path}\0{pager.prev_path}\0{pager.next_path}\0{entries}"


def render_jobs(jobs: list[PageJob], render: Callable[..., str], workers: int | None = None) -> list[bytes]:
    """The pages' bytes in job order; forked processes share the work when it pays."""
    return split_map(functools.partial(_render_one, render), jobs, _workers(len(jobs), workers))


def _workers(jobs: int, workers: int | None) -> int:
    if jobs < PARALLEL_PAGES:
        return 1
    return cores(2) if workers is None else workers


def _render_one(render: Callable[..., str], job: PageJob) -> bytes:
    return render(job.template, job.label, **job.context).encode("utf-8")


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
