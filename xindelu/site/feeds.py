"""Atom feeds, sitemap.xml and robots.txt: small XML built directly (no template needed).

Timestamps come from article dates, never the clock, so two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xindelu.core.xmltext import xml_attr, xml_text
from xindelu.site.model import FEED_SIZE, Entry, Site


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def atom_feed(site: Site, entries: Sequence[Entry], path: str, title: str, page: str = "") -> bytes:
    """``page``: the site-relative page the feed follows (a category's feed → that category)."""
    updated = entries[0].article.date if entries else site.updated
    home = site.absolute(page)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_text(site.config.site.language)}">',
        f"  <title>{xml_text(title)}</title>",
        f"  <subtitle>{xml_text(site.config.site.subtitle)}</subtitle>",
        f"  <id>{xml_text(site.absolute(path))}</id>",
        f'  <link rel="self" type="application/atom+xml" href={xml_attr(site.absolute(path))}/>',
        f'  <link rel="alternate" type="text/html" href={xml_attr(home)}/>',
        f"  <updated>{_stamp(updated)}</updated>",
        f"  <author><name>{xml_text(site.config.site.organizer or site.config.site.title)}</name></author>",
    ]
    for entry in entries[:FEED_SIZE]:
        a = entry.article
        url = site.absolute(entry.path)
        lines += [
            "  <entry>",
            f"    <title>{xml_text(a.title)}</title>",
            f"    <id>{xml_text(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={xml_attr(url)}/>',
            f"    <published>{_stamp(a.date)}</published>",
            f"    <updated>{_stamp(a.date)}</updated>",
            *(f"    <author><name>{xml_text(name)}</name></author>" for name in a.authors),
            f"    <category term={xml_attr(a.category.name)}/>",
            f"    <summary>{xml_text(a.summary)}</summary>",
            f'    <content type="html">{xml_text(a.body_html)}</content>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_xml(site: Site, paths: Sequence[str]) -> bytes:
    """Every indexable page with its lastmod: an article's date, the newest piece a listing page
    shows, a bulletin's date; pages that show the whole site, the newest piece's date."""
    changed: dict[str, dt.date] = {e.path: e.article.date for e in site.entries}
    for listing in site.listings:
        for pager in listing.pages:
            if pager.entries:
                changed[pager.path] = max(e.article.date for e in pager.entries)
    for view in site.bulletins:
        changed[view.path] = view.bulletin.date
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [
        f"  <url><loc>{xml_text(site.absolute(path))}</loc>"
        f"<lastmod>{changed.get(path, site.updated).isoformat()}</lastmod></url>"
        for path in paths
    ]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {site.absolute('sitemap.xml')}\n".encode()
