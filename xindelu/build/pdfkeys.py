"""What each PDF is made from, as a key: a PDF whose key is unchanged is not laid out again.

A bulletin issue depends on the configuration, its own file, the articles it names (their
sources and pictures) and the print templates; the book on the same for every article it
holds, its preface and afterword.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from xindelu.content.config import SiteConfig
from xindelu.content.load import Content
from xindelu.content.records import Article, Bulletin
from xindelu.core.hashing import code_version, digest, tree_digest
from xindelu.core.layouts import layout_dirs


def bulletin_key(config: SiteConfig, content: Content, bulletin: Bulletin, root: Path) -> str:
    return _key(config, content, bulletin, bulletin.article_slugs, root)


def anthology_key(config: SiteConfig, content: Content, root: Path) -> str:
    book = content.anthology
    assert book is not None
    return _key(config, content, book, tuple(slug for part in book.parts for slug in part.articles), root)


def _key(config: SiteConfig, content: Content, record: object, slugs: tuple[str, ...], root: Path) -> str:
    by_slug = {a.slug: a for a in content.articles}
    articles = [by_slug.get(slug) for slug in slugs]
    sources = [_source(content, root, a) if a is not None else None for a in articles]
    parts = (code_version(), tree_digest(layout_dirs(root, "print")), config, record, sources)
    return digest(pickle.dumps(parts))


def _source(content: Content, root: Path, article: Article) -> tuple[str, str, list[tuple[str, int, int]]]:
    """The article's source digest and the size and mtime of each picture it shows."""
    entry = content.entries.get(article.path)
    folder = (root / article.path).parent
    pictures = []
    for image in article.images:
        try:
            stat = os.stat(folder / image)
            pictures.append((image, stat.st_size, stat.st_mtime_ns))
        except OSError:
            pictures.append((image, -1, -1))
    return article.path, entry.sha if entry is not None and entry.sha else digest(pickle.dumps(article)), pictures
