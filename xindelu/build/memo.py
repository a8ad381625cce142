"""What survives between builds (`<root>/.cache/`, git-ignored), and what one build adds to it.

The memo is a value: a build reads the one it is given and returns a MemoDelta beside its
outputs; the writer (xindelu.build.writer.write_build) returns the next memo only after the
files are on disk, so a failed build or write leaves the memo as it was. The phases never
see this module: they take what they may reuse as plain arguments.

Kept, each under the code version (every module of this package and the default theme), so
a new release of the program starts cold:

- **articles**: the validated record of every article file, keyed by the file's SHA-1 and
  the configuration. A file whose size and mtime are unchanged is not even read (the stamp
  is trusted only when it is older than the entry, as git does against racy edits).
- **outputs**: for every output file (pages and PDFs), the key of the inputs it was made
  from and the stamp and digest of the file written. A file whose key is unchanged and whose
  file is intact is neither made nor written again.
- **search**: what the search index needs to redo only what changed.
  These two are large (35 and 50 MB at 10,000 articles) and journaled: a save appends what
  changed to a log beside them (see _save_journaled).
- **stamp**: every input's name, size and mtime: when nothing changed, nothing is loaded.

`serve` keeps the memo in memory across rebuilds, with the last build's records and model
(``last``); `python build.py` loads it and saves it. A memo that cannot be read is ignored
(a cold build), never an error.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from xindelu.core import layouts
from xindelu.core.errors import ContentError
from xindelu.core.hashing import RACY_NS, code_version, digest

if TYPE_CHECKING:  # not imported at run time: a no-change build needs none of the phases
    from xindelu.content.load import ArticleEntry

CACHE_DIR = ".cache"
CACHE_FILE = "build.pickle"  # small: keys, stamps and output entries, read on every build
ARTICLES_FILE = "articles.pickle"  # large: every parsed article, read only when something changed
SEARCH_FILE = "search.pickle"  # large: the search index's own memo, read only when it is rebuilt
TEMPLATES_FILE = "templates.pickle"  # the theme's templates compiled (Jinja bytecode), read when pages are rendered


class Checked(NamedTuple):
    """What Memo.checked found before a build."""

    unchanged: bool  # no input changed and every output file is as written: nothing to build
    stamp: str  # the inputs' stamp to save with this build
    memo: Memo  # the same memo, knowing which output files are intact


class OutputEntry(NamedTuple):
    """One output file as written: the key of its inputs and the file's size, mtime and digest."""

    key: str  # inputs the file was made from ("" when unknown: always compared by bytes)
    size: int
    mtime_ns: int
    sha: str


class SavedOutputs(Mapping[str, OutputEntry]):
    """The output entries as read from .cache/: plain tuples, each made an OutputEntry when asked
    for. Unpickling 35,000 objects of a class cost a third of a no-change build; tuples, a tenth."""

    def __init__(self, rows: dict[str, tuple[str, int, int, str]]) -> None:
        self.rows = rows

    def __getitem__(self, name: str) -> OutputEntry:
        return OutputEntry._make(self.rows[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, name: object) -> bool:
        return name in self.rows


@dataclass(frozen=True)
class MemoDelta:
    """What one build made that the next may reuse. Committed by the writer, after the write."""

    stamp: str | None = None  # None: not a whole build's picture (serve's quick pass), never skipped on
    articles_key: str = ""
    articles: Mapping[str, ArticleEntry] | None = None  # None: as the memo has them
    keys: Mapping[str, str] = field(default_factory=dict)  # output → key of its inputs
    digests: Mapping[str, str] = field(default_factory=dict)  # output → digest of the bytes made
    warnings: tuple[ContentError, ...] = ()
    search: Any = None  # the search index's own memo; None: as before
    reads: Mapping[str, frozenset[str]] | None = None  # template → fields read of other articles; None: as before
    last: Any = None  # serve only: the records and model this build made (xindelu.build.quick.Snapshot)
    rendered: tuple[str, ...] = ()  # what was made afresh (for notes and tests)
    related: Any = None  # the model's choice of related pieces (xindelu.site.model.RelatedChoice)
    # compiled templates (xindelu.site.theme.TemplateCode); None: as before
    templates: Mapping[str, bytes] | None = None


@dataclass(frozen=True)
class Memo:
    """In memory across `serve` rebuilds; on disk between `python build.py` runs."""

    root: Path
    articles_key: str = ""
    loaded_articles: Mapping[str, ArticleEntry] | None = None  # None: still on disk, not read yet
    outputs: Mapping[str, OutputEntry] = field(default_factory=dict)
    loaded_search: Any = None  # None: on disk, not read yet
    stamp: str = ""  # every input file's name, size and mtime at the last written build
    warnings: tuple[ContentError, ...] = ()
    reads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    last: Any = None  # serve only, never saved
    rendered: list[str] = field(default_factory=list)  # what the last build made afresh; never saved
    loaded_related: Any = None  # None: with the articles on disk, not read yet
    loaded_templates: Mapping[str, bytes] | None = None  # None: on disk, not read yet
    # output files not as written when this build began (Memo.checked); None: stat each when asked
    broken: frozenset[str] | None = None

    @functools.cached_property
    def _articles_file(self) -> tuple[Mapping[str, ArticleEntry], Any]:
        """The parsed articles and the related-pieces choice made from them, as last saved."""
        saved = self._articles_journal
        if saved is None or not self._articles_current(saved.head):
            return {}, None  # missing, unreadable, another configuration: parse again
        return saved.tables[0], saved.head[2]

    def _articles_current(self, head: Any) -> bool:
        return head[:2] == (code_version(), self.articles_key)

    @functools.cached_property
    def _articles_journal(self) -> Journaled | None:
        return _load_journaled(self.file.parent / ARTICLES_FILE, self._articles_current)

    @property
    def file(self) -> Path:
        return self.root / CACHE_DIR / CACHE_FILE

    @functools.cached_property
    def articles(self) -> Mapping[str, ArticleEntry]:
        """Parsed articles, read from disk on first use: a no-change build never needs them."""
        if self.loaded_articles is not None:
            return self.loaded_articles
        return self._articles_file[0]

    @property
    def related(self) -> Any:
        """The last build's choice of related pieces (the model reuses it when its key still holds).

        Read from the head of the articles' journal alone when the articles are not needed (a
        build whose configuration changed parses them all again): not the 10,000 records."""
        if self.loaded_related is not None:
            return self.loaded_related
        if "_articles_journal" in self.__dict__:
            return self._articles_file[1]
        head = _load_journaled(self.file.parent / ARTICLES_FILE, lambda head: False)
        return head.head[2] if head is not None and self._articles_current(head.head) else None

    def templates(self) -> Mapping[str, bytes]:
        """The theme's templates as compiled by the last build that rendered pages (Jinja
        bytecode: each entry is checked by Jinja against its template's source)."""
        if self.loaded_templates is not None:
            return self.loaded_templates
        return self._templates_file

    @functools.cached_property
    def _templates_file(self) -> Mapping[str, bytes]:
        try:
            with open(self.file.parent / TEMPLATES_FILE, "rb") as handle:
                version, code = pickle.load(handle)
        except Exception:  # missing, truncated, from another Python: compile again
            return {}
        return code if version == code_version() else {}

    def previous_search(self) -> Any:
        """The search index's memo, read from disk on first use."""
        if self.loaded_search is not None:
            return self.loaded_search
        return self._search_file

    @functools.cached_property
    def _search_file(self) -> Any:
        saved = self._search_journal
        if saved is None or not _search_current(saved.head):
            return None  # missing, unreadable, another release: index from scratch
        from xindelu.site.search import SearchMemo  # only when the index is rebuilt

        return SearchMemo(saved.head[1], *saved.tables)

    @functools.cached_property
    def _search_journal(self) -> Journaled | None:
        return _load_journaled(self.file.parent / SEARCH_FILE, _search_current)

    @classmethod
    def open(cls, root: Path) -> Memo:
        empty = cls(root)
        try:
            with open(empty.file, "rb") as handle:
                version, state = pickle.load(handle)
        except Exception:  # missing, truncated, from another Python: start cold
            return empty
        if version != code_version():
            return empty
        articles_key, rows, stamp, warnings, reads = state
        return cls(root, articles_key, None, SavedOutputs(rows), None, stamp, warnings, reads)

    def save(
        self,
        articles_changed: bool = True,
        search_changed: bool = True,
        before: Memo | None = None,
        templates_changed: bool = True,
    ) -> None:
        """Write .cache/ (the writer's and the commands' to call, after a write).

        ``before``: the memo this one was committed from; what it read of the articles and the
        search index is on disk, so only what changed since is appended (see _save_journaled).
        """
        outputs = self.outputs
        rows = outputs.rows if isinstance(outputs, SavedOutputs) else {name: tuple(e) for name, e in outputs.items()}
        state = (self.articles_key, rows, self.stamp, self.warnings, self.reads)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            if articles_changed and self.loaded_articles is not None:  # unread articles are still right on disk
                _save_journaled(
                    self.file.parent / ARTICLES_FILE,
                    (code_version(), self.articles_key, self.loaded_related),
                    (self.loaded_articles,),
                    before.__dict__.get("_articles_journal") if before is not None else None,
                )
            if search_changed and self.loaded_search is not None:
                search = self.loaded_search
                _save_journaled(
                    self.file.parent / SEARCH_FILE,
                    (code_version(), search.layout),
                    (search.groups, search.docs, search.shards),
                    before.__dict__.get("_search_journal") if before is not None else None,
                )
            if templates_changed and self.loaded_templates is not None:
                _dump(self.file.parent / TEMPLATES_FILE, [(code_version(), dict(self.loaded_templates))])
            _dump(self.file, [(code_version(), state)])
        except OSError:
            pass  # a read-only checkout still builds; the next build is simply cold

    def article_reuse(self, key: str) -> Callable[[str], ArticleEntry | None] | None:
        """What the load phase may reuse for the configuration ``key``; None: nothing."""
        if key != self.articles_key:
            return None
        return self.articles.get

    def committed(self, delta: MemoDelta, outputs: Mapping[str, OutputEntry]) -> Memo:
        """The memo after ``delta``'s outputs were written and are on disk as ``outputs``."""
        articles = self.loaded_articles if delta.articles is None else delta.articles
        if articles is None and self.articles_key != delta.articles_key:
            articles = {}
        return Memo(
            self.root,
            delta.articles_key or self.articles_key,
            articles,
            outputs,
            self.loaded_search if delta.search is None else delta.search,
            delta.stamp or "",
            delta.warnings,
            self.reads if delta.reads is None else delta.reads,
            delta.last,
            list(delta.rendered),
            self.loaded_related if delta.related is None else delta.related,
            self.loaded_templates if delta.templates is None else delta.templates,
        )

    def forgotten(self) -> Memo:
        """After a failed write nothing on disk is known for sure."""
        return Memo(self.root, self.articles_key, self.loaded_articles)

    def intact(self, name: str) -> bool:
        """The file written for ``name`` is still there, untouched (same size and mtime). A memo
        from ``checked`` knows it from that one pass over the files; otherwise the file is stat'd
        (the path a string: pathlib's joins cost more than the stat at 20,000 files)."""
        row = output_rows(self.outputs).get(name)
        if row is None:
            return False
        if self.broken is not None:
            return name not in self.broken
        try:
            stat = os.stat(f"{self.root}/output/{name}")
        except OSError:
            return False
        return stat.st_size == row[1] and stat.st_mtime_ns == row[2]

    def holds(self, name: str, sha: str) -> bool:
        """The file for ``name`` on disk has the bytes of digest ``sha``, and is intact."""
        row = output_rows(self.outputs).get(name)
        return row is not None and row[3] == sha and self.intact(name)

    def kept_if(self, name: str, key: str) -> bool:
        """The file for ``name`` on disk was made from inputs with this ``key``, and is intact."""
        entry = self.outputs.get(name)
        return entry is not None and entry.key == key and self.intact(name)

    def all_intact(self) -> bool:
        return bool(self.outputs) and _all_intact(self.root, self.outputs)

    def unchanged_and_intact(self, options: Any) -> str | None:
        """unchanged_stamp(options), if every output file is intact too; else None."""
        checked = self.checked(options)
        return checked.stamp if checked.unchanged else None

    def checked(self, options: Any) -> Checked:
        """Whether anything must be built: the input stamp for this build, and this memo with
        every output file's state as found (``broken``), for the build's intact() questions.

        A build asks it of every file it keeps (35,000 at 10,000 articles), so it is one pass,
        and most of it runs in a forked copy (see _broken_beside) while this process takes the
        input stamp. That stamp is the one saved with the build: taken before anything is read,
        so an input changed during the build is seen by the next."""
        rows = list(output_rows(self.outputs).items())
        out = f"{self.root}/output/"
        split = int(len(rows) * (1 - FORKED_SHARE))
        # Not beside serve's threads (its watcher): a fork copies only the thread that forks.
        fork = len(rows) >= FORKED_CHECK_FROM and sys.platform == "linux" and threading.active_count() == 1
        with _broken_beside(out, rows[split:], fork) as others_broken:
            same, stamp = self._stamp_now(options)
            broken = frozenset((*_broken_rows(out, rows[:split]), *others_broken()))
        return Checked(same and bool(rows) and not broken, stamp, replace(self, broken=broken))

    def input_stamp(self, options: Any, since: int | None = None) -> str:
        """Names, sizes and mtimes of every input, and the bytes of those changed after ``since``
        (ns; default RACY_NS ago), whose mtime alone cannot vouch for them (an edit within the
        same tick keeps it). ``since`` leads the stamp, so a later build can check it the same way."""
        return self._stamps(options, (time.time_ns() - RACY_NS if since is None else since,))[0][0]

    def _stamps(self, options: Any, sinces: tuple[int, ...]) -> list[tuple[str, bool]]:
        """The stamp for each ``since``, all from one walk of the inputs (one picture of them),
        each with whether it had to read the bytes of any file."""
        head = [code_version(), repr(options)]
        rows: list[list[str]] = [list(head) for _ in sinces]
        read = [False for _ in sinces]
        # The default theme too: code_version() read it once per process, and serve lives on.
        folders = (
            self.root / "site_config.yaml",
            self.root / "content",
            self.root / "layouts",
            layouts.DEFAULT_LAYOUTS,
        )
        for folder in dict.fromkeys(os.path.realpath(f) for f in folders):  # the repo's layouts/ is the default
            for path, stat in _walk(Path(folder)):
                row = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"
                bytes_digest: str | None = None
                for i, since in enumerate(sinces):
                    rows[i].append(row)
                    if stat.st_mtime_ns > since:
                        read[i] = True
                        if bytes_digest is None:
                            try:
                                bytes_digest = digest(Path(path).read_bytes())
                            except OSError:
                                bytes_digest = ""
                        if bytes_digest:
                            rows[i].append(bytes_digest)
        return [
            (f"{since}:{digest(chr(10).join(lines).encode())}", was_read)
            for since, lines, was_read in zip(sinces, rows, read, strict=True)
        ]

    def unchanged_stamp(self, options: Any) -> str | None:
        """The stamp to keep when no input changed since the last one was taken, else None."""
        unchanged, stamp = self._stamp_now(options)
        return stamp if unchanged else None

    def _stamp_now(self, options: Any) -> tuple[bool, str]:
        """Whether no input changed since the last stamp was taken (checked against that stamp's
        ``since``), and the stamp to save now. An unchanged stamp that had to read files too young
        to vouch for (after a checkout: every file) is taken afresh, from the same walk, so that
        the next no-change build, once they are old enough, stats them only: at 10,000 articles
        reading them was 0.2 s a run."""
        since, _, _ = (self.stamp or "").partition(":")
        if not since.isdigit():
            return False, self.input_stamp(options)
        then = int(since)
        (same, read), (new, _) = self._stamps(options, (then, max(then, time.time_ns() - RACY_NS)))
        if same != self.stamp:
            return False, new
        return True, new if read else same

    def pages_before(self, articles: Mapping[str, ArticleEntry]) -> Any:  # site.pages.PagesBefore
        """What the page renderer may reuse of the last build, for a build of ``articles``."""
        from xindelu.site.pages import PagesBefore  # imported only when pages are rendered

        return PagesBefore(
            {name: entry.key for name, entry in self.outputs.items()},
            {name: entry.sha for name, entry in articles.items()},
            self.intact,
            self.reads,
        )


def output_rows(outputs: Mapping[str, OutputEntry]) -> Mapping[str, tuple[str, int, int, str]]:
    """The entries as (key, size, mtime_ns, sha) tuples: saved ones as read, others as they are
    (an OutputEntry is such a tuple)."""
    return outputs.rows if isinstance(outputs, SavedOutputs) else outputs


def _all_intact(root: Path, outputs: Mapping[str, OutputEntry]) -> bool:
    return not _broken_rows(f"{root}/output/", output_rows(outputs).items())


# A no-change build stats every output file (35,000 at 10,000 articles: a third of its time)
# and every input. From FORKED_CHECK_FROM files, a forked copy of this process stats the
# FORKED_SHARE of the output files while this one takes the input stamp and stats the rest.
FORKED_CHECK_FROM = 8_000
FORKED_SHARE = 0.6


@contextlib.contextmanager
def _broken_beside(out: str, rows: list, fork: bool) -> Iterator[Callable[[], list[str]]]:
    """Within the block, ``rows`` are checked in a forked copy of this process (``fork``); the
    function yielded waits for the names of those not as written. Without a fork it checks
    them here when called."""
    if not fork:
        yield lambda: _broken_rows(out, rows)
        return
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy answers through the pipe, and runs nothing of this process's exit
        status = 1
        try:
            os.close(reading)
            with open(writing, "wb") as answer:
                answer.write("\0".join(_broken_rows(out, rows)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    status: list[int] = []

    def reaped() -> bool:
        if not status:
            status.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        return status[0] == 0

    with open(reading, "rb") as answer:

        def broken() -> list[str]:
            text = answer.read().decode()
            if not reaped():
                return [name for name, _ in rows]  # the copy failed: nothing it had is vouched for
            return text.split("\0") if text else []

        try:
            yield broken
        finally:
            if not status:  # the block failed before asking: the copy is not left unreaped
                answer.close()
                reaped()


def _broken_rows(out: str, rows: Iterable[tuple[str, tuple[str, int, int, str]]]) -> list[str]:
    """The names whose file is gone or not as written. A tight loop: at 35,000 files the
    per-file method calls cost as much as the stat calls."""
    stat = os.stat
    broken = []
    for name, (_key, size, mtime_ns, _sha) in rows:
        try:
            found = stat(out + name)
        except OSError:
            broken.append(name)
            continue
        if found.st_size != size or found.st_mtime_ns != mtime_ns:
            broken.append(name)
    return broken


def _dump(path: Path, objects: Iterable[Any]) -> None:
    """Write a pickle of each of ``objects``, atomically: a killed build leaves the old file, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".build-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for data in objects:
                pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# A journaled file: a base (pickles of its token, its head and its tables in parts: _base_parts)
# and beside it a log of frames appended by later saves, each (token, head, changes of each table). A
# one-article edit appends a few kilobytes where rewriting the 35 MB of articles and 50 MB of
# search memo took a tenth of its time. The log is folded into a new base once a save would
# change more than 1/JOURNAL_SHARE of the entries, or the log outgrow that share of the base.
# A stale entry is never wrong (each is checked against what it was made from), only slower.
JOURNAL_LOG = ".log"
JOURNAL_SHARE = 8


class Journaled(NamedTuple):
    head: Any
    tables: tuple[dict, ...]
    whole: bool  # every frame of the log was read: later frames may be appended after them
    token: str  # of the base read


def _search_current(head: Any) -> bool:
    return head[0] == code_version()


def _load_journaled(path: Path, wanted: Callable[[Any], bool] = lambda head: True) -> Journaled | None:
    """(head, tables) as last saved at ``path``: its base, then every whole frame of its log
    written for that base (a frame cut short by a crash, and all after it, are not read).
    None: no readable base. The entries are read only if the head is ``wanted`` (else the tables
    are empty, and a save writes a new base): a memo of another release or configuration held
    its 10,000 articles, or its search memo, in memory to the end of a build that never used them."""
    base = _base_head(path)
    if base is None:
        return None
    entries = wanted(base)
    found = _read_journaled(path, entries)
    if found is None or wanted(found.head) == entries:
        return found
    if entries:  # a frame of the log made it stale: its entries are of no use
        return found._replace(tables=tuple({} for _ in found.tables))
    return _read_journaled(path, True)  # a frame of the log made it current


def _base_head(path: Path) -> Any:
    """The head of the base at ``path`` (a frame of its log may change it), or None."""
    try:
        with open(path, "rb") as handle:
            pickle.load(handle)  # the token
            return pickle.load(handle)[0]
    except Exception:  # missing, unreadable: no base
        return None


def _read_journaled(path: Path, entries: bool) -> Journaled | None:
    try:
        with open(path, "rb") as handle:
            token = pickle.load(handle)
            head, count = pickle.load(handle)
            tables: tuple[dict, ...] = tuple({} for _ in range(count))
            while entries and (part := pickle.load(handle)) is not None:
                index, items = part
                tables[index].update(items)
    except Exception:  # missing, truncated (no end mark), from another Python
        return None
    whole = True
    try:
        log = open(str(path) + JOURNAL_LOG, "rb")  # noqa: SIM115 (read to its end below)
    except OSError:
        return Journaled(head, tables, whole, token)
    with log:
        size = os.fstat(log.fileno()).st_size
        while log.tell() < size:
            try:
                frame_token, frame_head, changes = pickle.load(log)
            except Exception:  # cut short
                whole = False
                break
            if frame_token != token:  # a log left from an older base
                whole = False
                break
            head = head if frame_head == _SAME_HEAD else frame_head
            if not entries:
                continue
            for table, (updated, removed) in zip(tables, changes, strict=True):
                table.update(updated)
                for key in removed:
                    table.pop(key, None)
    return Journaled(head, tables, whole, token)


_ABSENT = object()
_SAME_HEAD = "="  # in a frame: the head is the one before it


BASE_PART = 500  # entries per pickle of a base (see _base_parts)


def _base_parts(head: Any, tables: tuple[Mapping, ...]) -> Iterator[Any]:
    """What a base holds, one pickle each: its token, the head and the number of tables, each
    table in parts of BASE_PART entries, and None, which marks a whole file. A pickler keeps
    every object it writes, and those a ``__reduce__`` makes for it (an article's encoded body),
    until its end: one pickle of the 10,000 articles held 24 MB more at a cold build's peak."""
    yield os.urandom(8).hex()
    yield head, len(tables)
    for index, table in enumerate(tables):
        items = list(table.items())
        for start in range(0, len(items), BASE_PART):
            yield index, items[start : start + BASE_PART]
    yield None


def _save_journaled(path: Path, head: Any, tables: tuple[Mapping, ...], before: Journaled | None = None) -> None:
    """Save (head, tables) at ``path``. ``before``: what was read of it earlier (its tables
    were not changed since): only the entries that differ from them are appended to the log,
    while it keeps to its share. Else the base is written anew and the log removed."""
    log_path = Path(str(path) + JOURNAL_LOG)
    if before is not None and before.whole and _appended(path, log_path, head, tables, before):
        return
    _dump(path, _base_parts(head, tables))
    with contextlib.suppress(FileNotFoundError):
        log_path.unlink()


def _appended(path: Path, log_path: Path, head: Any, tables: tuple[Mapping, ...], before: Journaled) -> bool:
    """Append to the log what changed since ``before``, if the base on disk is the one it read
    and the change keeps the log to its share; whether it did."""
    changes = tuple(_changes(table, old) for table, old in zip(tables, before.tables, strict=True))
    changed = sum(len(updated) + len(removed) for updated, removed in changes)
    if changed * JOURNAL_SHARE >= max(1, sum(map(len, tables))):
        return False
    try:
        with open(path, "rb") as handle:
            token = pickle.load(handle)
            base_bytes = handle.seek(0, os.SEEK_END)
        log_bytes = log_path.stat().st_size if log_path.exists() else 0
    except Exception:
        return False
    if token != before.token:  # another build wrote a new base since this one read it
        return False
    same = _SAME_HEAD if head == before.head else head  # the related choice: half a megabyte
    frame = pickle.dumps((token, same, changes), protocol=pickle.HIGHEST_PROTOCOL)
    if (log_bytes + len(frame)) * JOURNAL_SHARE >= base_bytes:
        return False
    with open(log_path, "ab") as log:
        log.write(frame)
    return True


def _changes(table: Mapping, old: Mapping) -> tuple[dict, tuple]:
    """(entries of ``table`` that ``old`` has not, or has otherwise; keys only ``old`` has)."""
    updated = {}
    for key, value in table.items():
        found = old.get(key, _ABSENT)
        if found is not value and (found is _ABSENT or found != value):
            updated[key] = value
    return updated, tuple(key for key in old if key not in table)


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
