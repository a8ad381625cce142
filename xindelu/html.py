"""Render phase: Site → {"site/<path>": bytes}. Pure: reads templates, writes nothing.

One template per kind of page, read top to bottom like a site map (cf. makesite's main()).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

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
    Link,
    Listing,
    Site,
    output_file,
)
from .theme import renderer

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


def render_pages(site: Site, env: jinja2.Environment) -> dict[str, bytes]:
    root = Path(env.globals.get("theme_root", "."))
    render = renderer(env, root)
    home_crumb = Link("首页", HOME)
    outputs: dict[str, bytes] = {}
    sitemap: list[str] = []

    def page(template: str, meta: Meta, **context: Any) -> None:
        text = render(template, meta.path or "首页", site=site, u=site.href, meta=meta, **context)
        outputs["site/" + output_file(meta.path)] = text.encode("utf-8")
        if meta.indexable:
            sitemap.append(meta.path)

    site_meta = site.config.site
    page("home.html", Meta("", HOME, site_meta.description), latest=site.entries[:HOME_LATEST])

    for view in site.articles:
        a = view.entry.article
        page(
            "article.html",
            Meta(a.title, view.entry.path, a.summary, (home_crumb, view.category), "article"),
            view=view,
        )

    for listing in site.listings:
        crumbs = (home_crumb, *_listing_parents(listing))
        for pager in listing.pages:
            title = listing.name if pager.number == 1 else f"{listing.name}（第 {pager.number} 页）"
            description = listing.description or f"{site_meta.title}：{listing.kind_label}“{listing.name}”的全部文章"
            page("listing.html", Meta(title, pager.path, description, crumbs), listing=listing, pager=pager)

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


def _listing_parents(listing: Listing) -> tuple[Link, ...]:
    if listing.kind == "unit":
        return (Link("报送单位", UNITS),)
    if listing.kind == "month":
        return (Link("按月归档", ARCHIVE),)
    return ()
