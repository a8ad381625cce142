"""serve's fast path: an edit that changes only article bodies re-renders just those pages.

A full build is the reference, and this path takes a change only when it is sure to give the
same files (STYLE.md: classify a change, fall back when unsure): every changed path is an
article file the last build read, it still loads without a single problem, its images are
there, and its face (records.article_face: what pages other than its own show of it) is
unchanged. Then only its page and the feeds (which carry bodies) can differ. Anything else
returns None and the caller runs the full build. The search index and PDFs follow in serve's
background pass, as after any quick rebuild.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass

import jinja2

from .cache import ArticleEntry, BuildCache
from .config import SiteConfig
from .content import Content, load_entry, missing_images
from .html import render_article_pages
from .model import Site
from .records import Article, article_face
from .theme import DEFAULT_THEME, theme_dirs


@dataclass(frozen=True)
class Snapshot:
    """What the last written build was made of (kept in memory by serve only)."""

    config: SiteConfig
    content: Content
    site: Site
    env: jinja2.Environment  # its templates stay compiled


def body_edit_outputs(
    snapshot: Snapshot, cache: BuildCache, changed: Collection[str]
) -> tuple[dict[str, bytes], set[str], Snapshot] | None:
    """The changed pages, the files kept as they are, and the new snapshot; None: build it all."""
    root = cache.root
    if not changed or theme_dirs(root) != [DEFAULT_THEME]:  # a site's own templates may show anything
        return None
    by_path = {a.path: a for a in snapshot.content.articles}
    fresh: dict[str, ArticleEntry] = {}
    articles: dict[str, Article] = {}
    for name in changed:
        old = by_path.get(name)
        if old is None:
            return None
        try:
            entry = load_entry(root, root / name, snapshot.config, proofread=False)
        except OSError:  # gone again already: let the full build say what happened
            return None
        article = entry.article
        if article is None or entry.problems or article_face(article) != article_face(old):
            return None
        if article.images and missing_images(root, root / name, article, snapshot.config):
            return None
        fresh[name], articles[name] = entry, article
    site, views = _with_articles(snapshot.site, articles)
    for name, entry in fresh.items():
        cache.articles[name] = entry
    outputs = render_article_pages(site, snapshot.env, cache.page_cache(), views)
    content = dataclasses.replace(
        snapshot.content, articles=tuple(articles.get(a.path, a) for a in snapshot.content.articles)
    )
    kept = {name for name in cache.outputs if name not in outputs}
    return outputs, kept, dataclasses.replace(snapshot, content=content, site=site)


def _with_articles(site: Site, articles: dict[str, Article]) -> tuple[Site, list]:
    """The site with new records for ``articles`` where their bodies are shown: their own page,
    and the entries the feeds read (the site's and each category's). Other lists keep the old
    entries, which show the same face."""

    def entry(e):
        new = articles.get(e.article.path)
        return e if new is None else dataclasses.replace(e, article=new)

    views, all_views = [], []
    for view in site.articles:
        if view.entry.article.path in articles:
            view = dataclasses.replace(view, entry=entry(view.entry))
            views.append(view)
        all_views.append(view)
    categories = tuple(dataclasses.replace(c, entries=tuple(entry(e) for e in c.entries)) for c in site.categories)
    return (
        dataclasses.replace(
            site, articles=tuple(all_views), entries=tuple(entry(e) for e in site.entries), categories=categories
        ),
        views,
    )
