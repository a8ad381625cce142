"""What survives between rebuilds, keyed by content hash (`<root>/.cache/`, git-ignored).

Three things are kept, each under a key that includes the code version (every module of
this package and the default theme), so a new release of the program starts cold:

- **articles**: the validated record of every article file, keyed by the file's SHA-1 and
  the configuration. A file whose size and mtime are unchanged is not even read (the stamp
  is trusted only when it is older than the cache entry, as git does against racy edits).
- **pages**: for every output file, the key of the inputs it was rendered from (template
  hashes + the data the page shows) and the stamp and digest of the file written. A page
  whose key is unchanged and whose file is intact is neither rendered nor written again.
- **search**: the search index's memo (xindelu.search.SearchMemo: encoded blocks per group
  of articles), so an edit re-encodes only its article's group (``search.pickle``, read only
  when the index is made).

`serve` keeps one BuildCache in memory across rebuilds; `python build.py` loads and saves it.
A cache that cannot be read is ignored (a cold build), never an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContentError

if TYPE_CHECKING:
    from .records import Article

CACHE_DIR = ".cache"
CACHE_FILE = "build.pickle"  # small: keys, stamps and output entries, read on every build
ARTICLES_FILE = "articles.pickle"  # large: every parsed article, read only when something changed
SEARCH_FILE = "search.pickle"  # large: the search index's memo, read only when the index is made
PACKAGE = Path(__file__).resolve().parent
# A stamp younger than this when it was recorded may hide a same-size edit in the same tick.
RACY_NS = 2_000_000_000


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@cache
def code_version() -> str:
    """Every source file of the package and of the default theme: a new program starts cold."""
    h = hashlib.sha1(usedforsecurity=False)
    for base in (PACKAGE, PACKAGE.parent / "layouts"):
        for file in sorted(base.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                h.update(file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()


def tree_digest(folders: list[Path]) -> str:
    """Names and bytes of every file under ``folders`` (a site's own templates and assets)."""
    h = hashlib.sha1(usedforsecurity=False)
    for base in folders:
        h.update(str(base).encode() + b"\0")
        if base.is_dir():
            for file in sorted(base.rglob("*")):
                if file.is_file():
                    h.update(file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()


@dataclass
class ArticleEntry:
    size: int
    mtime_ns: int
    recorded_ns: int  # wall clock when the stamp was taken
    sha: str
    article: Article | None
    problems: list[ContentError]
    face: str = ""  # records.face_digest(article): what other pages show of it


@dataclass
class OutputEntry:
    key: str  # inputs the file was rendered from ("" when unknown: always compared by bytes)
    size: int
    mtime_ns: int
    sha: str


@dataclass
class BuildCache:
    """In memory across `serve` rebuilds; on disk between `python build.py` runs."""

    root: Path
    articles_key: str = ""
    loaded_articles: dict[str, ArticleEntry] | None = None  # None: still on disk, not read yet
    outputs: dict[str, OutputEntry] = field(default_factory=dict)
    loaded_search_memo: Any = None  # None: still on disk, not read yet
    stamp: str = ""  # every input file's name, size and mtime at the last written build
    # Set by a build, committed by the write (xindelu.output.write_build):
    pending_stamp: str | None = None
    pending_search_memo: Any = None  # None: this build made no index
    pending_keys: dict[str, str] = field(default_factory=dict)
    pending_digests: dict[str, str] = field(default_factory=dict)  # of rendered pages, made by the renderer
    warnings: tuple[ContentError, ...] = ()
    rendered: list[str] = field(default_factory=list)  # pages the last build rendered (for tests)
    search_memo_dirty: bool = False  # committed since last saved
    # serve only, never saved: the last written build's records and model (xindelu.quick.Snapshot)
    last: Any = None
    pending_last: Any = None

    @property
    def file(self) -> Path:
        return self.root / CACHE_DIR / CACHE_FILE

    @property
    def articles(self) -> dict[str, ArticleEntry]:
        """Parsed articles, read from disk on first use: a no-change build never needs them."""
        if self.loaded_articles is None:
            self.loaded_articles = {}
            try:
                with open(self.file.parent / ARTICLES_FILE, "rb") as handle:
                    version, key, articles = pickle.load(handle)
            except Exception:  # missing, truncated, from another Python: parse again
                return self.loaded_articles
            if version == code_version() and key == self.articles_key:
                self.loaded_articles = articles
        return self.loaded_articles

    @articles.setter
    def articles(self, value: dict[str, ArticleEntry]) -> None:
        self.loaded_articles = value

    @property
    def search_memo(self) -> Any:
        """The last index's memo (xindelu.search.SearchMemo), read from disk on first use."""
        if self.loaded_search_memo is None:
            try:
                with open(self.file.parent / SEARCH_FILE, "rb") as handle:
                    version, memo = pickle.load(handle)
                self.loaded_search_memo = memo if version == code_version() else None
            except Exception:  # missing, truncated, from another Python: index from scratch
                pass
        return self.loaded_search_memo

    @classmethod
    def open(cls, root: Path) -> BuildCache:
        empty = cls(root)
        try:
            with open(empty.file, "rb") as handle:
                version, state = pickle.load(handle)
        except Exception:  # missing, truncated, from another Python: start cold
            return empty
        if version != code_version():
            return empty
        articles_key, outputs, stamp, warnings = state
        return cls(root, articles_key, None, outputs, stamp=stamp, warnings=warnings)

    def save(self) -> None:
        state = (self.articles_key, self.outputs, self.stamp, self.warnings)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            if self.loaded_articles is not None:  # unread articles are still right on disk
                _dump(self.file.parent / ARTICLES_FILE, (code_version(), self.articles_key, self.loaded_articles))
            if self.search_memo_dirty and self.loaded_search_memo is not None:
                _dump(self.file.parent / SEARCH_FILE, (code_version(), self.loaded_search_memo))
                self.search_memo_dirty = False
            _dump(self.file, (code_version(), state))
        except OSError:
            pass  # a read-only checkout still builds; the next build is simply cold

    def output_digest(self, name: str, data: bytes) -> str:
        """digest(data) of an output, taken from the renderer when it made one for these bytes."""
        return self.pending_digests.get(name) or digest(data)

    def copy(self) -> BuildCache:
        """A cache a build may change without touching this one (serve's background pass)."""
        articles = None if self.loaded_articles is None else dict(self.loaded_articles)
        return dataclasses.replace(
            self,
            loaded_articles=articles,
            outputs=dict(self.outputs),
            pending_keys={},
            pending_digests={},
            rendered=[],
        )

    def forget_outputs(self) -> None:
        """After a failed write nothing on disk is known for sure."""
        self.outputs, self.stamp, self.last = {}, "", None

    @property
    def out_dir(self) -> Path:
        return self.root / "output"

    def intact(self, name: str) -> bool:
        """The file written for ``name`` is still there, untouched (same size and mtime)."""
        entry = self.outputs.get(name)
        if entry is None:
            return False
        try:  # a string path: pathlib's joins cost more than the stat at 20,000 files
            stat = os.stat(f"{self.root}/output/{name}")
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (entry.size, entry.mtime_ns)

    def all_intact(self) -> bool:
        return bool(self.outputs) and all(self.intact(name) for name in self.outputs)

    def input_stamp(self, options: Any) -> str | None:
        """Names, sizes and mtimes of every input; None when an mtime is too recent to trust."""
        limit = time.time_ns() - RACY_NS
        rows: list[str] = [code_version(), repr(options)]
        for name in ("site_config.yaml", "content", "layouts"):
            for path, stat in _walk(self.root / name):
                if stat.st_mtime_ns > limit:
                    return None
                rows.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
        return digest("\n".join(rows).encode())

    def page_cache(self) -> Any:
        from .html import PageCache  # the renderer owns what a page's key is made of

        cache = PageCache(
            {name: entry.key for name, entry in self.outputs.items()},
            {name: entry.sha for name, entry in self.articles.items()},
            self.intact,
            {name: entry.face for name, entry in self.articles.items() if entry.face},
        )
        self.pending_keys, self.rendered, self.pending_digests = cache.new_keys, cache.rendered, cache.digests
        return cache

    def commit(self, outputs: dict[str, OutputEntry]) -> None:
        """After a successful write: what is on disk now, and the keys it was built from."""
        self.outputs = outputs
        if self.pending_search_memo is not None:  # the memo is keyed by content: an older one is only slower
            self.loaded_search_memo, self.search_memo_dirty = self.pending_search_memo, True
        self.pending_search_memo = None
        self.stamp = self.pending_stamp or ""
        self.last = self.pending_last
        self.pending_stamp, self.pending_keys, self.pending_last = None, {}, None
        self.pending_digests = {}


def _dump(path: Path, data: Any) -> None:
    """Write a pickle atomically: a killed build leaves the old file, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".build-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _walk(path: Path) -> list[tuple[str, os.stat_result]]:
    """Every file under ``path`` (or ``path`` itself) with its stat, in a stable order."""
    try:
        if not path.is_dir():
            return [(str(path), path.stat())] if path.exists() else []
    except OSError:
        return []
    found: list[tuple[str, os.stat_result]] = []
    stack = [str(path)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for item in sorted(it, key=lambda e: e.name):
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                else:
                    found.append((item.path, item.stat()))
    return found


class _Fingerprinter(pickle.Pickler):
    """Pickles page data with every Article replaced by the digest of its source file."""

    def __init__(self, handle: io.BytesIO, articles: dict[str, str]) -> None:
        from .records import Article  # not at the top: a no-change build imports only this module

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
