"""Render phase: Site → {"site/<path>": bytes}. Pure: reads templates, writes nothing.

One template per kind of page, read top to bottom like a site map (cf. makesite's main()).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .cache import code_version, fingerprint, tree_digest
from .feeds import atom_feed, robots_txt, sitemap_xml
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

    ``keys`` (output path → key of the inputs it was rendered from) and ``articles``
    (article path → digest of its source) come from xindelu.cache; ``intact`` says
    whether the file on disk is still the one written. Skipped paths land in ``kept``.
    """

    keys: dict[str, str]
    articles: dict[str, str]
    intact: Callable[[str], bool]
    kept: set[str] = field(default_factory=set)
    new_keys: dict[str, str] = field(default_factory=dict)
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
    return fingerprint(articles, code_version(), tree_digest(own), nav)


def render_pages(site: Site, env: jinja2.Environment, cache: PageCache | None = None) -> dict[str, bytes]:
    """Every page as bytes; with ``cache``, only the pages whose inputs changed."""
    root = Path(env.globals.get("theme_root", "."))
    render = renderer(env, root)
    home_crumb = Link("首页", HOME)
    outputs: dict[str, bytes] = {}
    sitemap: list[str] = []
    shared = shared_key(site, root, cache.articles) if cache is not None else ""

    def page(template: str, meta: Meta, key: tuple[Any, ...] | None = None, **context: Any) -> None:
        name = "site/" + output_file(meta.path)
        if meta.indexable:
            sitemap.append(meta.path)
        if cache is not None and key is not None:
            digest = fingerprint(cache.articles, shared, template, meta, key)
            cache.new_keys[name] = digest
            if cache.keys.get(name) == digest and cache.intact(name):
                cache.kept.add(name)
                return
        if cache is not None:
            cache.rendered.append(name)
        text = render(template, meta.path or "首页", site=site, u=site.href, meta=meta, **context)
        outputs[name] = text.encode("utf-8")

    site_meta = site.config.site
    page("home.html", Meta("", HOME, site_meta.description), latest=site.entries[:HOME_LATEST])

    for view in site.articles:
        a = view.entry.article
        page(
            "article.html",
            Meta(a.title, view.entry.path, a.summary, (home_crumb, view.category), "article"),
            _article_key(view),
            view=view,
        )

    for listing in site.listings:
        crumbs = (home_crumb, *_listing_parents(listing))
        for pager in listing.pages:
            title = listing.name if pager.number == 1 else f"{listing.name}（第 {pager.number} 页）"
            description = listing.description or f"{site_meta.title}：{listing.kind_label}“{listing.name}”的全部文章"
            page(
                "listing.html",
                Meta(title, pager.path, description, crumbs),
                (*_listing_key(listing), pager),
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

    outputs["site/" + FEED] = atom_feed(site, site.entries, FEED, site_meta.title)
    for listing in site.categories:
        outputs["site/" + listing.feed_path] = atom_feed(
            site, listing.entries, listing.feed_path, f"{site_meta.title}·{listing.name}"
        )
    outputs["site/sitemap.xml"] = sitemap_xml(site, sitemap)
    outputs["site/robots.txt"] = robots_txt(site)
    return outputs


def _article_key(view: ArticleView) -> tuple[Any, ...]:
    """What article.html shows: the piece itself, and of its neighbours and related pieces
    only the link lines (so a body edit does not re-render the pages around it)."""

    def line(entry: Entry | None) -> tuple[str, ...] | None:
        return None if entry is None else (entry.path, entry.article.title, entry.article.unit.name, entry.date_zh)

    links = (view.category, view.form, view.unit, view.month, view.bulletins, view.in_anthology, view.video)
    return (view.entry, *links, line(view.prev), line(view.next), tuple(line(e) for e in view.related))


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
