"""Site model: every page of the column site, its URL and the lists it shows.

``build_site`` is pure: records in, a tree of frozen dataclasses out. Every list is
sorted once and each index page is a slice of it, so the cost is linear in the
number of articles (the renderer never filters lists again).

Paths are site-relative directories ("articles/du-yuan-zhu/", "" for home); the
templates turn them into links with the base URL's path, so the site works under
a sub-path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from xindelu.content.config import SiteConfig, Unit
from xindelu.content.load import Content
from xindelu.content.records import Anthology, Article, Bulletin, Page
from xindelu.core.errors import ContentError
from xindelu.core.forked import cores, split_map
from xindelu.site.report import UnitReport, unit_report

RELATED_MAX = 5
# Fields of an article the model arranges nothing by (order, lists, neighbours, related pieces):
# only its own page shows them, unless a template is seen reading them elsewhere (site.theme).
BODY_FIELDS = frozenset({"body_html", "zi", "images", "body_line", "slug_line", "video"})
# How far to look on each side of an article inside each shared bucket (unit, category,
# tag) when choosing related pieces: keeps the work O(n) however large a bucket grows.
RELATED_WINDOW = 8
FEED_SIZE = 20


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Link:
    """A name and the page it leads to (category, unit, award value …)."""

    name: str
    path: str


@dataclass(frozen=True)
class Entry:
    """An article as it appears in a list."""

    article: Article
    path: str
    date_zh: str
    badges: tuple[Link, ...]


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int  # 1-based
    count: int
    path: str
    entries: tuple[Entry, ...]
    prev_path: str | None
    next_path: str | None


@dataclass(frozen=True)
class Listing:
    """An index: all the articles of one category, form, unit, month or dimension value."""

    kind: str  # "category", "form", "unit", "month" or a dimension's slug
    kind_label: str  # 类别, 体裁, 单位, 月份, 获奖 …
    name: str
    description: str
    path: str
    entries: tuple[Entry, ...]
    pages: tuple[Pager, ...]
    feed_path: str = ""


@dataclass(frozen=True)
class BulletinRef:
    number: int
    path: str
    title: str


@dataclass(frozen=True)
class ArticleView:
    entry: Entry
    category: Link
    form: Link
    unit: Link
    month: Link
    prev: Entry | None  # the earlier piece in the same category
    next: Entry | None  # the later piece in the same category
    related: tuple[Entry, ...]
    bulletins: tuple[BulletinRef, ...]
    in_anthology: bool
    video: str  # a link, relative to the article's page or absolute; "" when none


@dataclass(frozen=True)
class SectionView:
    name: str
    intro: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class BulletinView:
    bulletin: Bulletin
    path: str
    title: str  # 第 N 期
    date_zh: str
    sections: tuple[SectionView, ...]
    pdf: str  # site-relative path of the PDF, "" when it is not built
    count: int


@dataclass(frozen=True)
class PartView:
    title: str
    subtitle: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class AnthologyView:
    anthology: Anthology
    path: str
    parts: tuple[PartView, ...]
    pdf: str  # "" when the screen PDF is not built


@dataclass(frozen=True)
class UnitCount:
    unit: Unit
    path: str
    count: int


@dataclass(frozen=True)
class UnitGroupView:
    name: str
    units: tuple[UnitCount, ...]
    count: int


@dataclass(frozen=True)
class PageView:
    page: Page
    path: str


@dataclass(frozen=True)
class DimensionView:
    label: str
    slug: str
    featured: bool
    values: tuple[Listing, ...]
    ranked: bool = False
    path: str = ""  # a ranked dimension's results page (获奖名单), "" for others
    results_title: str = ""


@dataclass(frozen=True)
class RelatedChoice:
    """Every article's related pieces (slugs) and the key of what they were chosen from: slug,
    date, tags, unit and category of every published piece, in order. The next build reuses
    the choice when the key is the same (serve keeps the last model; a title edit does not
    change it)."""

    key: str
    slugs: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    base_url: str  # always ends with "/"
    base_path: str  # the path part of base_url: "/" or "/xindelu/"
    today: dt.date
    entries: tuple[Entry, ...]  # every published article, newest first
    articles: tuple[ArticleView, ...]
    categories: tuple[Listing, ...]
    forms: tuple[Listing, ...]
    units: tuple[Listing, ...]  # config order
    unit_groups: tuple[UnitGroupView, ...]
    months: tuple[Listing, ...]  # newest first
    dimensions: tuple[DimensionView, ...]
    featured: tuple[Entry, ...]  # featured or carrying a featured dimension value, newest first
    bulletins: tuple[BulletinView, ...]  # newest issue first
    anthology: AnthologyView | None
    pages: tuple[PageView, ...]
    report: UnitReport
    updated: dt.date  # date of the newest article (feeds), today when there is none
    related: RelatedChoice = RelatedChoice("", {})

    @property
    def listings(self) -> tuple[Listing, ...]:
        return (
            self.categories
            + self.forms
            + self.units
            + self.months
            + tuple(value for dim in self.dimensions for value in dim.values)
        )

    def href(self, path: str) -> str:
        """A link from any page of the site to ``path`` (works under a sub-path and in 404.html)."""
        return self.base_path + path

    def absolute(self, path: str) -> str:
        return self.base_url + path


# URL scheme (other modules and the PDF renderers rely on these).
HOME = ""
UNITS = "units/"
ARCHIVE = "archive/"
BULLETINS = "bulletins/"
ANTHOLOGY = "anthology/"
REPORT = "report/"
SEARCH = "search/"
FEED = "feed.xml"


# First path segments the generator writes itself; a static page may not take one of them.
SITE_SECTIONS = frozenset(
    ("articles", "category", "form", "unit", "units", "archive", "bulletins", "anthology", "report", "search",
     "page", "static", "media", "feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html")
)  # fmt: skip


def page_slug_conflicts(config: SiteConfig, pages: Sequence[Page]) -> list[ContentError]:
    """Static pages whose slug would overwrite a section of the site (caught before writing)."""
    taken = SITE_SECTIONS | {d.slug for d in config.dimensions}
    return [
        ContentError(
            page.path,
            page.slug_line,
            f"页面网址名“{page.slug}”与网站自带的栏目重名",
            f"请换一个，如 slug: {page.slug}-page（以下网址名已被占用：{'、'.join(sorted(taken))}）",
        )
        for page in pages
        if page.slug in taken
    ]


def article_path(slug: str) -> str:
    return f"articles/{slug}/"


def bulletin_path(number: int) -> str:
    return f"bulletins/{number}/"


def bulletin_pdf_path(number: int) -> str:
    return f"bulletins/{number}/bulletin-{number}.pdf"


def anthology_pdf_path(slug: str) -> str:
    return f"anthology/{slug}.pdf"


def page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def output_file(path: str) -> str:
    """The file under output/site/ that serves ``path``."""
    return path if path and not path.endswith("/") else path + "index.html"


def split_base_url(base_url: str) -> tuple[str, str]:
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    base_path = urlsplit(base_url).path or "/"
    return base_url, base_path


def paginate(entries: tuple[Entry, ...], base: str, size: int) -> tuple[Pager, ...]:
    count = max(1, -(-len(entries) // size))
    return tuple(
        Pager(
            number,
            count,
            page_path(base, number),
            entries[(number - 1) * size : number * size],
            page_path(base, number - 1) if number > 1 else None,
            page_path(base, number + 1) if number < count else None,
        )
        for number in range(1, count + 1)
    )


def build_site(
    config: SiteConfig,
    content: Content,
    today: dt.date,
    future: bool = False,
    *,
    pdfs: Iterable[str] = (),
    last_related: RelatedChoice | None = None,
) -> Site:
    """The whole site model. ``pdfs`` lists the site-relative PDF paths that this build writes;
    ``last_related`` (the last build's choice of related pieces, if any) is reused when the inputs
    of that choice did not change."""
    base_url, base_path = split_base_url(config.site.base_url)
    pdf_set = frozenset(pdfs)
    size = config.site.page_size
    published = sorted(content.published(today, future), key=lambda a: (-a.date.toordinal(), a.slug))

    dim_links = {
        (dim.key, value.name): Link(value.name, f"{dim.slug}/{value.slug}/")
        for dim in config.dimensions
        for value in dim.values
    }
    featured_values = {(dim.key, value.name) for dim in config.dimensions if dim.featured for value in dim.values}

    def make_entry(article: Article) -> Entry:
        badges = tuple(dim_links[pair] for pair in article.extra if pair in dim_links)
        return Entry(article, article_path(article.slug), zh_date(article.date), badges)

    entries = tuple(make_entry(a) for a in published)
    by_slug = {e.article.slug: e for e in entries}

    # Buckets, each keeping the global newest-first order.
    by_category: dict[str, list[Entry]] = defaultdict(list)
    by_form: dict[str, list[Entry]] = defaultdict(list)
    by_unit: dict[str, list[Entry]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    by_dim: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    in_category: dict[str, int] = {}  # slug → index in its category's bucket (its neighbours are beside it)
    for entry in entries:
        a = entry.article
        in_category[a.slug] = len(by_category[a.category.name])
        by_category[a.category.name].append(entry)
        by_form[a.form.name].append(entry)
        by_unit[a.unit.name].append(entry)
        by_month[(a.date.year, a.date.month)].append(entry)
        for tag in a.tags:
            by_tag[tag].append(entry)
        for pair in a.extra:
            by_dim[pair].append(entry)

    def listing(kind: str, label: str, name: str, description: str, path: str, items: Sequence[Entry], feed=""):
        items = tuple(items)
        return Listing(kind, label, name, description, path, items, paginate(items, path, size), feed)

    categories = tuple(
        listing(
            "category",
            "类别",
            c.name,
            c.meaning,
            f"category/{c.slug}/",
            by_category.get(c.name, ()),
            f"category/{c.slug}/feed.xml",
        )
        for c in config.categories
    )
    forms = tuple(
        listing(
            "form",
            "体裁",
            f.name,
            f"{f.description}（{f.max_zi}字以内）" if f.description else f"{f.max_zi}字以内",
            f"form/{f.slug}/",
            by_form.get(f.name, ()),
        )
        for f in config.forms
    )
    units = tuple(
        listing(
            "unit", "单位", u.name, f"{u.name}报送并经审定刊登的学习心得", f"unit/{u.slug}/", by_unit.get(u.name, ())
        )
        for u in config.units
    )
    months = tuple(
        listing("month", "归档", f"{y}年{m}月", "", f"archive/{y:04d}/{m:02d}/", items)
        for (y, m), items in sorted(by_month.items(), reverse=True)
    )
    dimensions = tuple(
        DimensionView(
            dim.label,
            dim.slug,
            dim.featured,
            tuple(
                listing(dim.slug, dim.label, v.name, "", f"{dim.slug}/{v.slug}/", by_dim.get((dim.key, v.name), ()))
                for v in dim.values
            ),
            dim.ranked,
            f"{dim.slug}/" if dim.ranked else "",
            dim.results_title or f"{dim.label}名单",
        )
        for dim in config.dimensions
    )
    unit_by_name = {listing.name: listing for listing in units}
    unit_groups = tuple(
        UnitGroupView(
            group.name,
            tuple(UnitCount(u, unit_by_name[u.name].path, len(unit_by_name[u.name].entries)) for u in group.units),
            sum(len(unit_by_name[u.name].entries) for u in group.units),
        )
        for group in config.unit_groups
    )
    featured = tuple(
        e for e in entries if e.article.featured or any(pair in featured_values for pair in e.article.extra)
    )

    bulletins = tuple(
        _bulletin_view(b, by_slug, pdf_set) for b in sorted(content.bulletins, key=lambda b: b.number, reverse=True)
    )
    carried: dict[str, list[BulletinRef]] = defaultdict(list)
    for view in sorted(bulletins, key=lambda v: v.bulletin.number):
        for slug in dict.fromkeys(view.bulletin.article_slugs):
            carried[slug].append(BulletinRef(view.bulletin.number, view.path, view.title))

    anthology = None
    in_anthology: set[str] = set()
    if content.anthology is not None:
        book = content.anthology
        in_anthology = set(book.article_slugs)
        pdf = anthology_pdf_path(book.slug)
        anthology = AnthologyView(
            book,
            ANTHOLOGY,
            tuple(
                PartView(p.title, p.subtitle, tuple(by_slug[s] for s in p.articles if s in by_slug)) for p in book.parts
            ),
            pdf if pdf in pdf_set else "",
        )

    choice = _related_choice(entries, by_unit, by_category, by_tag, last_related)
    related = {slug: tuple(by_slug[s] for s in slugs) for slug, slugs in choice.slugs.items()}
    cat_links = {c.name: Link(c.name, c.path) for c in categories}
    form_links = {f.name: Link(f.name, f.path) for f in forms}
    month_links = {(m.entries[0].article.date.year, m.entries[0].article.date.month): m for m in months}
    articles = []
    for entry in entries:
        a = entry.article
        siblings = by_category[a.category.name]
        index = in_category[a.slug]
        month = month_links[(a.date.year, a.date.month)]
        prev = siblings[index + 1] if index + 1 < len(siblings) else None
        next_ = siblings[index - 1] if index > 0 else None
        neighbours = {e.article.slug for e in (prev, next_) if e is not None}
        articles.append(
            ArticleView(
                entry,
                cat_links[a.category.name],
                form_links[a.form.name],
                Link(a.unit.name, unit_by_name[a.unit.name].path),
                Link(month.name, month.path),
                prev,
                next_,
                tuple(e for e in related[a.slug] if e.article.slug not in neighbours)[:RELATED_MAX],
                tuple(carried.get(a.slug, ())),
                a.slug in in_anthology,
                _video_link(a.video),
            )
        )

    return Site(
        config=config,
        base_url=base_url,
        base_path=base_path,
        today=today,
        entries=entries,
        articles=tuple(articles),
        categories=categories,
        forms=forms,
        units=units,
        unit_groups=unit_groups,
        months=months,
        dimensions=dimensions,
        featured=featured,
        bulletins=bulletins,
        anthology=anthology,
        pages=tuple(PageView(p, f"{p.slug}/") for p in content.pages),
        report=unit_report(content.articles, content.bulletins, config),
        updated=entries[0].article.date if entries else today,
        related=choice,
    )


def _bulletin_view(bulletin: Bulletin, by_slug: dict[str, Entry], pdfs: frozenset[str]) -> BulletinView:
    sections = tuple(
        SectionView(s.name, s.intro, tuple(by_slug[slug] for slug in s.articles if slug in by_slug))
        for s in bulletin.sections
    )
    pdf = bulletin_pdf_path(bulletin.number)
    return BulletinView(
        bulletin,
        bulletin_path(bulletin.number),
        f"第{bulletin.number}期",
        zh_date(bulletin.date),
        sections,
        pdf if pdf in pdfs else "",
        sum(len(s.entries) for s in sections),
    )


def _related_choice(
    entries: tuple[Entry, ...],
    by_unit: dict[str, list[Entry]],
    by_category: dict[str, list[Entry]],
    by_tag: dict[str, list[Entry]],
    previous: RelatedChoice | None,
) -> RelatedChoice:
    rows = [
        (e.article.slug, e.article.date.toordinal(), e.article.tags, e.article.unit.name, e.article.category.name)
        for e in entries
    ]
    key = hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest()
    if previous is not None and previous.key == key:
        return previous
    return RelatedChoice(key, _related(entries, by_unit, by_category, by_tag))


def _related(
    entries: tuple[Entry, ...],
    by_unit: dict[str, list[Entry]],
    by_category: dict[str, list[Entry]],
    by_tag: dict[str, list[Entry]],
) -> dict[str, tuple[str, ...]]:
    """Slugs of up to five pieces sharing tags (strongest), the unit or the category with each article.

    Candidates come only from a window of neighbours in each shared bucket, so an article
    costs O(window × buckets), not O(n); each bucket's positions are indexed once. A large
    site shares the articles with a forked process (a third of building the model).
    """
    # Per bucket: each member's position, and the members' slugs (no attribute chains in the loop).
    positions = {}
    rows = {}
    for buckets in (by_tag, by_unit, by_category):
        for bucket in buckets.values():
            positions[id(bucket)] = {e.article.slug: i for i, e in enumerate(bucket)}
            rows[id(bucket)] = [e.article.slug for e in bucket]
    day_of = {e.article.slug: e.article.date.toordinal() for e in entries}

    def chosen(entry: Entry) -> tuple[str, ...]:
        a = entry.article
        slug, day = a.slug, day_of[a.slug]
        scores: dict[str, float] = {}
        buckets = [(by_tag[t], 3.0) for t in a.tags] + [
            (by_unit[a.unit.name], 2.0),
            (by_category[a.category.name], 1.0),
        ]
        for bucket, weight in buckets:
            i = positions[id(bucket)][slug]
            for other in rows[id(bucket)][max(0, i - RELATED_WINDOW) : i + RELATED_WINDOW + 1]:
                scores[other] = scores.get(other, 0.0) + weight
        del scores[slug]
        ranked = sorted([(-score, abs(day_of[s] - day), s) for s, score in scores.items()])
        # Two spare: the article page drops its previous and next pieces, already linked above.
        return tuple(s for _, _, s in ranked[: RELATED_MAX + 2])

    workers = cores(2) if len(entries) >= PARALLEL_RELATED else 1
    return dict(zip((e.article.slug for e in entries), split_map(chosen, entries, workers), strict=True))


# Below this many articles a second process for the related pieces costs more than it saves.
PARALLEL_RELATED = 2000


def _video_link(video: str) -> str:
    """A URL is used as it is; a file beside the article is copied next to its page."""
    if not video:
        return ""
    if "://" in video or video.startswith("//"):
        return video
    return posixpath.basename(video)


def attach_pdfs(site: Site, pdfs: Iterable[str]) -> Site:
    """The same site with links to the PDFs this build actually wrote (site-relative paths)."""
    present = frozenset(pdfs)
    bulletins = tuple(
        dataclasses.replace(
            v, pdf=bulletin_pdf_path(v.bulletin.number) if bulletin_pdf_path(v.bulletin.number) in present else ""
        )
        for v in site.bulletins
    )
    anthology = site.anthology
    if anthology is not None:
        pdf = anthology_pdf_path(anthology.anthology.slug)
        anthology = dataclasses.replace(anthology, pdf=pdf if pdf in present else "")
    return dataclasses.replace(site, bulletins=bulletins, anthology=anthology)
