"""serve's fast path: an edit that changes only article bodies re-renders just those pages.

A full build is the reference, and this path takes a change only when it is sure to give the
same files (../shared/STYLE.md: classify a change, fall back when unsure): every changed path is an
article file the last build read, it still loads without a single problem, its images are
there, and what other pages were seen reading of it (site.theme records it) is
unchanged. Then only its page and the feeds (which carry bodies) can differ. Anything else
returns None and the caller runs the full build. The search index and PDFs follow in serve's
background pass, as after any quick rebuild.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection
from dataclasses import dataclass

import jinja2

from xindelu.build.memo import Memo, MemoDelta, output_rows
from xindelu.content.config import SiteConfig
from xindelu.content.load import ArticleEntry, Content, load_entry, missing_images
from xindelu.content.records import Article
from xindelu.site.model import BODY_FIELDS, Site
from xindelu.site.pages import render_article_pages
from xindelu.site.theme import DEFAULT_THEME, theme_dirs


@dataclass(frozen=True)
class Snapshot:
    """What the last written build was made of (kept in memory by serve only)."""

    config: SiteConfig
    content: Content
    site: Site
    env: jinja2.Environment  # its templates stay compiled


@dataclass(frozen=True)
class BodyEdit:
    """A body-only edit's build: the changed pages; every other file is kept as it is."""

    outputs: dict[str, bytes]
    kept: frozenset[str]
    delta: MemoDelta
    note: str


def body_edit(memo: Memo, changed: Collection[str]) -> BodyEdit | None:
    """The build of a body-only edit, with the new snapshot in its delta; None: build it all."""
    started = time.perf_counter()
    snapshot: Snapshot = memo.last
    root = memo.root
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
        if article is None or entry.problems or not _only_its_own_page(article, old, memo):
            return None
        if article.images and missing_images(root, root / name, article, snapshot.config):
            return None
        fresh[name], articles[name] = entry, article
    site, views = _with_articles(snapshot.site, articles)
    entries = {**snapshot.content.entries, **fresh}
    pages = render_article_pages(site, snapshot.env, memo.pages_before(entries), views)
    content = dataclasses.replace(
        snapshot.content, articles=tuple(articles.get(a.path, a) for a in snapshot.content.articles), entries=entries
    )
    kept = frozenset(name for name in memo.outputs if name not in pages.outputs)
    delta = MemoDelta(
        stamp=None,  # the stamp and the search index are the background full pass's to renew
        articles_key=memo.articles_key,
        articles=entries,
        keys={**{n: row[0] for n, row in output_rows(memo.outputs).items()}, **pages.keys},
        digests=pages.digests,
        warnings=memo.warnings,
        last=dataclasses.replace(snapshot, content=content, site=site),
        rendered=pages.rendered,
        related=site.related,
    )
    count = len([name for name in pages.outputs if name.endswith(".html")])
    note = f"正文改动：重新生成 {count} 个网页和订阅源，用时 {time.perf_counter() - started:.2f} 秒。"
    return BodyEdit(pages.outputs, kept, delta, note)


def _only_its_own_page(new: Article, old: Article, memo: Memo) -> bool:
    """Only fields that nothing but the article's own page shows changed: none the model
    arranges by, none a template was seen reading on another page."""
    if not memo.reads:  # not known what the templates read
        return False
    seen = set().union(*memo.reads.values())
    changed = {f.name for f in dataclasses.fields(Article) if getattr(new, f.name) != getattr(old, f.name)}
    return changed <= BODY_FIELDS - seen


def _with_articles(site: Site, articles: dict[str, Article]) -> tuple[Site, list]:
    """The site with new records for ``articles`` where their bodies are shown: their own page,
    the entries the feeds read (the site's and each category's) and the issues' (their 公众号版
    carry bodies). Other lists keep the old
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
    # An issue's 公众号版 carries the bodies of its pieces.
    bulletins = tuple(
        dataclasses.replace(
            b, sections=tuple(dataclasses.replace(s, entries=tuple(entry(e) for e in s.entries)) for s in b.sections)
        )
        for b in site.bulletins
    )
    return (
        dataclasses.replace(
            site,
            articles=tuple(all_views),
            entries=tuple(entry(e) for e in site.entries),
            categories=categories,
            bulletins=bulletins,
        ),
        views,
    )
