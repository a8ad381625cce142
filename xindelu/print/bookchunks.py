"""A large anthology in chunks: laid out in parallel worker processes, joined into one PDF.

WeasyPrint 70 lays out a whole book in one process with memory and time that grow faster
than the page count (1,000 articles: a gigabyte). Here the book's HTML is cut at top-level
elements into the front matter (cover … contents) and body chunks: each part's articles in
groups (the first group with the part title page), the afterword on its own. Every body
chunk is a whole document laid out by a forked worker; the folios stay exact because:

* a chunk's page count does not depend on where it starts: chunks that open a part or the
  afterword open on a right-hand page anyway, and a chunk inside a part starts with an
  article (a plain page break), whose text block is as wide on either side;
* after pagination (before the margin boxes are made) the worker reports its page count
  and waits for its real start folio from the parent, which knows it as soon as the
  chunks before it are paginated. The worker then shifts the page counters, moves the
  pages to the other side if the start's parity says so (same text, mirrored margins)
  and carries over the named strings (running heads) from the chunk before;
* the front matter is laid out last, with ``target-counter()`` of anchors in other chunks
  answered from the chunks' reports, so the contents print the real folios. It starts as
  soon as every folio is known, in one more process if the workers are still drawing; they
  then run at a lower priority, since the end of the book waits for the front matter. So
  that a core is not left idle while it is laid out, a few chunks near the end of the book
  hold their drawing until then (HELD_DRAWINGS), and other chunks are paginated meanwhile.

Every chunk starts with a throwaway pad page; a chunk that opens on a right-hand page has a
blank left page after it, which the join keeps only when the page before is a right-hand
page, exactly where the single-document layout puts a blank page.

The join (pypdf) takes each chunk as soon as the chunks before it are in, while the workers
go on; at the end it puts the front matter in front and rebuilds the outline from the
chunks' bookmark levels, the named destinations of every anchor, the contents' links in the
screen edition, the metadata of the front matter and a fixed /ID, so identical input gives
identical bytes. With several editions, the first is joined here and the others in forked
processes at the same time.

Chunk PDFs are cached in ``cache_dir`` keyed by the chunk's input, its start folio and the
strings carried into it: an edit that keeps the page count re-renders one chunk (and the
front matter only when a folio in the contents changes).

Both editions of the book come from one layout: with ``redraws`` (the print edition), each
chunk and the front matter are laid out once and drawn once per edition (pdf.Redraw); each
edition keeps its own chunk keys, cache folder and join, so its bytes are those of a layout
of its own.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path

from xindelu.core.memory import frozen_now
from xindelu.print import fontmerge, weasy_patches
from xindelu.print.pdf import (
    Finish,
    ImageFilter,
    PdfMetadata,
    Progress,
    Redraw,
    RenderedPdf,
    render_editions,
    site_files_digest,
)

CHUNK_FORMAT = "3"  # bump when the chunk files or their rendering change (3: fonts deferred to the join)
PAD = '<div class="xdl-chunk-pad"></div>'
PAD_CSS = ".xdl-chunk-pad { display: block; height: 0; margin: 0; }"
SCALE = 0.75  # CSS px → PDF pt
WARM_UP_CHARS = 20_000  # a chunk with no article: this much of its start warms the fonts up
# Niceness added to the chunk workers while the front matter is laid out: the front matter is
# the one job the end waits for, so the chunks still drawing give it a core of its own.
BEHIND_FRONT = 10
# Chunks near the end of the book whose drawing may wait for the front matter: paginated, each
# waits (laid out, in its own process) for its start folio while another chunk is paginated in
# its place, then draws beside the front matter. The front matter starts once every chunk is
# paginated and then ran alone, with one core idle for seconds; the held drawings use it. The
# front matter grows with the book (a contents line per article), as the chunks do: one held
# drawing per CHUNKS_PER_HELD chunks (1,000 articles: 21 chunks, 3 held; 100: 5 chunks, 1).
# Each held chunk keeps its layout in memory meanwhile (a chunk worker's, 250-350 MB).
HELD_DRAWINGS = 3  # at most
CHUNKS_PER_HELD = 7


# ---------------------------------------------------------------- cutting the book


@dataclass(frozen=True)
class ChunkSpec:
    index: int
    html: str
    opens_right: bool  # begins with a part title or the afterword (break-before: right)
    anchors: tuple[str, ...]  # ids of its top-level elements
    key: str = ""


@dataclass(frozen=True)
class Cut:
    front: str
    chunks: tuple[ChunkSpec, ...]


@dataclass(frozen=True)
class ChunkedRedraw:
    """One more edition drawn from the chunks' layout (see pdf.Redraw): its own book cut the
    same way (``cut``: its chunks name its PDFs and cache entries), its own chunk cache and
    the last step on its joined PDF, run where it is joined (see render_chunked)."""

    redraw: Redraw
    cut: Cut
    cache_dir: Path | None = None
    finish: Finish | None = None


_BODY_OPEN = re.compile(r"<body\b[^>]*>")


def _element_start(html: str, anchor: str, after: int) -> int:
    pos = html.find(f' id="{anchor}"', after)
    if pos < 0:
        return -1
    return html.rfind("<", 0, pos)


def cut_book(
    html: str, groups: Sequence[tuple[str, Sequence[str]]], afterword: str | None, per_chunk: int
) -> Cut | None:
    """The book's HTML → front matter and body chunks, or None if the template's markers are missing.

    ``groups`` are (part anchor, article anchors) in book order; ``afterword`` the afterword's
    anchor. The cut is made where those elements start.
    """
    body = _BODY_OPEN.search(html)
    close = html.rfind("</body>")
    if not body or close < 0 or not groups:
        return None
    head, tail = html[: body.end()], html[close:]
    starts: list[tuple[int, bool, list[str]]] = []  # (offset, opens_right, anchors)
    cursor = body.end()
    for part_anchor, articles in groups:
        part_start = _element_start(html, part_anchor, cursor)
        if part_start < 0:
            return None
        positions = []
        for anchor in articles:
            pos = _element_start(html, anchor, cursor)
            if pos < 0 or pos < part_start:
                return None
            positions.append(pos)
            cursor = pos + 1
        starts.append((part_start, True, [part_anchor, *articles[:per_chunk]]))
        for first in range(per_chunk, len(articles), per_chunk):
            starts.append((positions[first], False, list(articles[first : first + per_chunk])))
        cursor = max(cursor, part_start + 1)
    if afterword:
        pos = _element_start(html, afterword, cursor)
        if pos < 0:
            return None
        starts.append((pos, True, [afterword]))
    offsets = [s for s, _, _ in starts]
    if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
        return None
    ends = [*offsets[1:], close]
    chunks = tuple(
        ChunkSpec(i, head + PAD + html[start:end] + tail, right, tuple(anchors))
        for i, ((start, right, anchors), end) in enumerate(zip(starts, ends, strict=True))
    )
    return Cut(head + html[body.end() : offsets[0]] + tail, chunks)


# ---------------------------------------------------------------- the worker's use of pages


def _flip_side(page, context, html) -> None:
    """Move a laid-out page to the other side of the spread: mirrored margins, same text."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.page import PageType, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages

    old = page.page_type
    new_type = PageType("left" if old.side == "right" else "right", old.blank, old.name, old.index, old.groups)
    set_page_type_computed_styles(new_type, html, context.style_for)
    style = context.style_for(new_type)
    style["overflow"] = page.style["overflow"]
    probe = boxes.PageBox(new_type, style)
    resolve_percentages(probe, style["size"])
    dx = probe.margin_left - page.margin_left
    page.page_type, page.style = new_type, style
    page.margin_left, page.margin_right = probe.margin_left, probe.margin_right
    for child in page.children:
        child.translate(dx, 0)


def _scan(pages: Sequence, wanted: set[str]) -> tuple[dict[str, int], dict[str, str]]:
    """First page of each wanted anchor, and the last value of every named string."""
    anchors: dict[str, int] = {}
    strings: dict[str, str] = {}
    for i, page in enumerate(pages):
        for box in page.descendants():
            anchor = box.style["anchor"]
            if anchor in wanted and anchor not in anchors:
                anchors[anchor] = i
            sets = box.string_set
            if sets and sets != "none":
                for name, text in sets:
                    strings[name] = text
    return anchors, strings


# ---------------------------------------------------------------- the worker process


@dataclass
class _Job:
    html: str
    base_url: str
    stylesheets: tuple[str, ...]
    metadata: PdfMetadata
    parsed: tuple = ()  # weasyprint.CSS of ``stylesheets``, parsed before the fork
    parsed_pad: object = None  # and of PAD_CSS
    site_root: Path | None = None  # where the articles' pictures are read
    images: ImageFilter | None = None  # and how they are converted
    redraws: tuple[ChunkedRedraw, ...] = ()  # editions drawn from the same layout
    font_config: object = None  # weasyprint's FontConfiguration, loaded before the fork (_warmed_up)


def _warmed_up(job: _Job, html: str) -> _Job:
    """``job`` with a font configuration that has laid out and drawn the first article of ``html``.

    Made before the workers fork, so each starts with the fonts open, their glyph caches and
    WeasyPrint's C types filled, instead of loading them again itself: every worker paid that
    (a tenth of a 100-article book's CPU), this process pays it once. The font configuration
    holds caches only, not what a layout decides, so the bytes stay the same.
    """
    from weasyprint.text.fonts import FontConfiguration

    end = html.find("</article>")
    sample = html[: end + len("</article>")] if end > 0 else html[:WARM_UP_CHARS]
    fonts = FontConfiguration()
    with weasy_patches.hooks(defer_fonts=True):
        _render(
            replace(job, font_config=fonts, redraws=()), (sample,), (PAD_CSS,), parsed=(*job.parsed, job.parsed_pad)
        )
    return replace(job, font_config=fonts)


def _outline_levels(document) -> list[tuple[int, str]]:
    return [(level, label) for page in document.pages for level, label, *_ in page.bookmarks]


def _worker(conn: Connection, job: _Job, specs: Sequence[ChunkSpec]) -> None:
    """Render the one chunk (or the front matter) the parent asks for. Runs in a forked process.

    One job per process: when it exits, the laid-out document's memory goes back to the system
    at once. So the cyclic garbage collector never has to run here: a laid-out chunk is
    millions of small objects, and collecting them cost a tenth of the worker's time (the
    collections during layout and a full one after each chunk), for garbage the exit frees anyway.
    """
    gc.disable()
    try:
        message = conn.recv()
        if message[0] == "chunk":
            _render_chunk(conn, job, specs[message[1]])
        elif message[0] == "front":
            _render_front(conn, job, message[1])
    except (EOFError, BrokenPipeError):
        return  # the parent is gone (stopped, or interrupted): nobody wants the chunk
    finally:
        conn.close()


def _render_chunk(conn: Connection, job: _Job, spec: ChunkSpec) -> None:
    first = 2 if spec.opens_right else 1  # after the pad page (and the blank left page)
    done = [False]

    def paginated(pages, context, html) -> None:
        if done[0]:
            return
        done[0] = True
        anchors, strings = _scan(pages[first:], set(spec.anchors))
        conn.send(("paginated", spec.index, len(pages) - first, anchors, strings))
        reply = conn.recv()
        start, carried = reply[1], reply[2]
        if pages[first].page_type.side != ("right" if start % 2 else "left"):
            for page in pages:
                _flip_side(page, context, html)
        offset = start - context.page_maker[first + 1][3][1]["page"][-1]
        for entry in context.page_maker:
            counters = entry[3][1]
            counters["page"] = [value + offset for value in counters.get("page", [0])]
        for name, value in carried.items():
            context.string_set[name][1].insert(0, value)  # page 1 is the pad page

    # Fonts deferred: one subset per face is made at the join.
    htmls = (spec.html, *(r.cut.chunks[spec.index].html for r in job.redraws))
    with weasy_patches.hooks(paginated=paginated, defer_fonts=True):
        made = _render(job, htmls, (PAD_CSS,), parsed=(*job.parsed, job.parsed_pad))
    conn.send(("done", spec.index, [(pdf.data, levels) for pdf, levels, _ in made]))


def _render_front(conn: Connection, job: _Job, targets: Mapping[str, int]) -> None:
    htmls = (job.html, *(r.cut.front for r in job.redraws))
    with weasy_patches.hooks(external_targets=targets, defer_fonts=True):
        made = _render(job, htmls, (), external=set(targets), parsed=job.parsed)
    conn.send(("done", "front", [(pdf.data, levels, links) for pdf, levels, links in made]))


def _render(
    job: _Job,
    htmls: Sequence[str],
    extra_css: Sequence[str],
    external: set[str] = frozenset(),
    parsed: Sequence[object] = (),
) -> list[tuple[RenderedPdf, list, list]]:
    """Lay out ``htmls[0]`` and draw its PDF, then one PDF for each of the job's redraws
    (named by ``htmls[1:]``): each with its outline levels and its links to ``external``."""
    seen: list[tuple[list, list]] = []

    def before_write(document) -> None:
        links = []
        for index, page in enumerate(document.pages):
            for link_type, target, rect, _box in page.links:
                if link_type == "internal" and target in external:
                    x0, y0, x1, y1 = rect
                    h = page.height
                    links.append((index, target, (x0 * SCALE, (h - y1) * SCALE, x1 * SCALE, (h - y0) * SCALE)))
        seen.append((_outline_levels(document), links))

    redraws = tuple(
        replace(r.redraw, html=html, stylesheets=(*r.redraw.stylesheets, *extra_css))
        for r, html in zip(job.redraws, htmls[1:], strict=True)
    )
    made = render_editions(
        htmls[0],
        job.base_url,
        (*job.stylesheets, *extra_css),
        job.metadata,
        redraws=redraws,
        before_write=before_write,
        parsed=parsed or None,
        font_config=job.font_config,
        site_root=job.site_root,
        images=job.images,
    )
    return [(pdf, levels, links) for pdf, (levels, links) in zip(made, seen, strict=True)]


# ---------------------------------------------------------------- the cache


@dataclass
class _ChunkInfo:
    pages: int  # without the pad and blank pages
    anchors: dict[str, int]  # anchor → page offset in the chunk
    strings: dict[str, str]  # named strings at its end


class _Cache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def _path(self, name: str) -> Path | None:
        if self.folder is None:
            return None
        self.used.add(name)
        return self.folder / name

    def info(self, key: str) -> _ChunkInfo | None:
        path = self._path(f"{key}.json")
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _ChunkInfo(int(data["pages"]), dict(data["anchors"]), dict(data["strings"]))
        except (ValueError, KeyError, TypeError):
            return None

    def pdf(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path is not None and path.is_file() else None

    def levels(self, name: str) -> list | None:
        path = self._path(name)
        if path is None or not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return None

    def put(self, name: str, data: bytes | str) -> None:
        path = self._path(name)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.replace(tmp, path)

    def prune(self) -> None:
        """Drop files this build did not use (earlier versions of edited chunks)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used:
                path.unlink(missing_ok=True)


def _digest(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


# ---------------------------------------------------------------- the parent: schedule and join


@dataclass
class _State:
    info: dict[int, _ChunkInfo] = field(default_factory=dict)
    start: dict[int, int] = field(default_factory=dict)  # first folio of each chunk
    carried: dict[int, dict[str, str]] = field(default_factory=dict)
    joined: set[int] = field(default_factory=set)  # chunks whose PDF went to the joiner

    def resolve(self, count: int) -> None:
        """Start folios and carried strings of every chunk whose predecessors are all paginated."""
        folio, strings = 1, {}
        for i in range(count):
            if i not in self.start:
                self.start[i], self.carried[i] = folio, dict(strings)
            if i not in self.info:
                return
            folio = self.start[i] + self.info[i].pages
            strings = {**strings, **self.info[i].strings}


def render_chunked(
    cut: Cut,
    base_url: str,
    stylesheets: Sequence[str],
    metadata: PdfMetadata,
    *,
    cache_dir: Path | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    site_root: Path | None = None,
    images: ImageFilter | None = None,
    redraws: Sequence[ChunkedRedraw] = (),
    meanwhile: Callable[[], object] | None = None,
    finish: Finish | None = None,
) -> tuple[RenderedPdf, ...]:
    """Lay out the chunks in ``workers`` forked processes, the front matter last, and join them:
    the book's PDF, then one for each of ``redraws``, drawn from the same layout.
    ``meanwhile()`` is called once the first workers are started: work this process would
    otherwise do after the join (it only waits for the workers then). ``finish`` (and each
    redraw's) is the edition's last step, run on its joined PDF in the process that joins it:
    the editions after the first are joined and finished side by side with it."""
    options = {
        "workers": workers,
        "progress": progress,
        "site_root": site_root,
        "images": images,
        "meanwhile": meanwhile,
        "finish": finish,
    }
    redraws = tuple(redraws)
    try:
        return _render_chunked(cut, base_url, stylesheets, metadata, cache_dir=cache_dir, redraws=redraws, **options)
    except fontmerge.FontsChanged:
        if cache_dir is None:
            raise RuntimeError("a font file changed while the anthology was being laid out") from None
        # Cached chunks were laid out with a font file that has changed since (a font package
        # upgrade): their glyph ids may mean other glyphs now. The whole book is laid out again.
        for folder in (cache_dir, *(r.cache_dir for r in redraws)):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        return _render_chunked(cut, base_url, stylesheets, metadata, cache_dir=cache_dir, redraws=redraws, **options)


@dataclass
class _EditionParts:
    """What one edition of a chunked book has of its own: chunk keys, cache, join, front matter."""

    specs: tuple[ChunkSpec, ...]
    css_key: str
    front_html: str
    cache: _Cache
    joiner: _Joiner
    finish: Finish | None


def _chunk_keys(
    cut: Cut, stylesheets: Sequence[str], images: ImageFilter | None, site_root: Path | None
) -> tuple[tuple[ChunkSpec, ...], str]:
    """The chunks of ``cut`` with their cache keys, and the key of the styles they share."""
    css_key = _digest(
        CHUNK_FORMAT, *stylesheets, PAD_CSS, images.key if images else ""
    )  # not base_url: the folder must not change the bytes
    specs = tuple(
        ChunkSpec(
            s.index,
            s.html,
            s.opens_right,
            s.anchors,
            # A replaced picture changes the chunk: its key covers the pictures' bytes.
            _digest(css_key, s.html, repr(s.opens_right), site_files_digest(s.html, site_root)),
        )
        for s in cut.chunks
    )
    return specs, css_key


def _render_chunked(
    cut: Cut,
    base_url: str,
    stylesheets: Sequence[str],
    metadata: PdfMetadata,
    *,
    cache_dir: Path | None,
    workers: int,
    progress: Progress | None,
    site_root: Path | None,
    images: ImageFilter | None,
    redraws: tuple[ChunkedRedraw, ...],
    meanwhile: Callable[[], object] | None,
    finish: Finish | None,
) -> tuple[RenderedPdf, ...]:
    weasyprint = weasy_patches.weasyprint()  # patched before the workers fork
    started = time.monotonic()
    state = _State()
    editions: list[_EditionParts] = []
    for edition_cut, edition_css, edition_images, folder, step in (
        (cut, stylesheets, images, cache_dir, finish),
        *((r.cut, r.redraw.stylesheets, r.redraw.images, r.cache_dir, r.finish) for r in redraws),
    ):
        if [(c.opens_right, c.anchors) for c in edition_cut.chunks] != [(c.opens_right, c.anchors) for c in cut.chunks]:
            raise ValueError("the editions of a chunked book must be cut alike")
        specs, css_key = _chunk_keys(edition_cut, edition_css, edition_images, site_root)
        editions.append(_EditionParts(specs, css_key, edition_cut.front, _Cache(folder), _Joiner(specs, state), step))
    specs, cache = editions[0].specs, editions[0].cache
    count = len(specs)
    for spec in specs:
        info = cache.info(spec.key)
        if info is not None:
            state.info[spec.index] = info
    state.resolve(count)

    def pdf_name(edition: _EditionParts, i: int) -> str:
        return (
            f"{edition.specs[i].key}-{state.start[i]}-{_digest(json.dumps(state.carried[i], sort_keys=True))[:12]}.pdf"
        )

    def take_cached(i: int) -> bool:
        if i in state.joined or i not in state.info or i not in state.start:
            return i in state.joined
        found = []
        for edition in editions:
            name = pdf_name(edition, i)
            data, levels = edition.cache.pdf(name), edition.cache.levels(name + ".outline.json")
            if data is None or levels is None:
                return False
            found.append((data, levels))
        state.joined.add(i)
        for edition, (data, levels) in zip(editions, found, strict=True):
            edition.joiner.offer(i, data, levels)
        join_ready()
        return True

    def join_ready() -> None:
        """Join the chunks offered in book order: the first edition's here; the others' here
        while workers run, else in their own join processes at the end (_joined), beside the
        first edition's (the held chunks end together, and each join of one costs about
        30 ms per edition)."""
        for k, edition in enumerate(editions):
            if k == 0 or busy:
                edition.joiner.catch_up()

    CSS = weasyprint.CSS

    # Parsed once here, before the workers fork: every chunk reuses them.
    parsed = tuple(CSS(string=text, base_url=base_url) for text in stylesheets)
    job = _Job(
        cut.front,
        base_url,
        tuple(stylesheets),
        metadata,
        parsed,
        CSS(string=PAD_CSS, base_url=base_url),
        site_root,
        images,
        redraws,
    )
    context = multiprocessing.get_context("fork")
    procs = []
    busy: dict[Connection, object] = {}  # a worker's pipe → the job it is on (chunk index or "front")
    todo = [i for i in range(count) if not take_cached(i)]
    rendered_names: list[str] = []
    pids: dict[Connection, int] = {}  # a worker's pipe → its process id
    waiting: dict[int, Connection] = {}  # chunk paginated, waiting for its start folio
    held: set[int] = set()  # of those, chunks whose drawing waits for the front matter (HELD_DRAWINGS)
    fronts: list | None = None  # each edition's (data, levels, links)

    frozen = False

    def start_worker(message: tuple) -> Connection:
        nonlocal job, frozen
        if job.font_config is None:  # the first job to do: warm the fonts up for every worker
            job = _warmed_up(job, specs[0].html)
            # WeasyPrint's modules and the warmed-up fonts stay: kept out of the collection
            # that follows a paused collector (render_editions'), 30-45 ms on the book's end.
            frozen = frozen_now()
        parent, child = context.Pipe()
        proc = context.Process(target=_worker, args=(child, job, specs), daemon=True)
        proc.start()
        child.close()
        procs.append(proc)
        pids[parent] = proc.pid
        if message[0] == "chunk" and "front" in busy.values():
            _behind_front(proc.pid)
        parent.send(message)
        return parent

    def front_ready() -> bool:
        # A chunk's first anchor is on its first page: a chunk with no other anchor (the
        # afterword) needs only its start folio, known once the chunks before it are paginated.
        return len(state.start) == count and all(i in state.info or len(specs[i].anchors) == 1 for i in range(count))

    def front_targets() -> dict[str, int]:
        targets = {}
        for i in range(count):
            anchors = state.info[i].anchors if i in state.info else {specs[i].anchors[0]: 0}
            for anchor, offset in anchors.items():
                targets[anchor] = state.start[i] + offset
        return targets

    def front_cache_name(edition: _EditionParts) -> str:
        targets = json.dumps(front_targets(), sort_keys=True)
        return "front-" + _digest(edition.css_key, edition.front_html, targets, repr(metadata)) + ".pdf"

    def cached_fronts() -> list | None:
        found = []
        for edition in editions:
            name = front_cache_name(edition)
            data, levels = edition.cache.pdf(name), edition.cache.levels(name + ".outline.json")
            links = edition.cache.levels(name + ".links.json")
            if data is None or levels is None or links is None:
                return None
            found.append((data, levels, links))
        return found

    def launch() -> None:
        """Start a worker for each job that can start now, ``pool_size`` at a time."""
        nonlocal fronts
        while True:
            # A chunk laid out before (its page count known) waits until its start folio is
            # known: its cached PDF may still fit. The others are laid out in book order.
            todo[:] = [i for i in todo if not take_cached(i)]
            if fronts is None and front_ready() and "front" not in busy.values():
                fronts = cached_fronts()
                if fronts is None:
                    # The front matter is the job the join waits for: it starts now, in one more
                    # process if the others are all busy, rather than after a chunk is drawn.
                    for conn in busy:  # chunks only: the front is not running
                        _behind_front(pids[conn])
                    busy[start_worker(("front", front_targets()))] = "front"
                    continue
            ready = [i for i in todo if i not in state.info or i in state.start]
            if not ready or sum(1 for j in busy.values() if j != "front" and j not in held) >= pool_size:
                return
            todo.remove(ready[0])
            busy[start_worker(("chunk", ready[0]))] = ready[0]

    def answer_waiting() -> None:
        state.resolve(count)
        if held and front_ready():
            held.clear()  # the front matter can start: the held chunks draw beside it
        for i in sorted(waiting):
            if i not in held and i in state.start and all(j in state.info for j in range(i)):
                waiting.pop(i).send(("start", state.start[i], state.carried[i]))

    # The front matter from the cache, if the chunks are all cached and their folios known.
    if not todo and front_ready():
        fronts = cached_fronts()
    pool_size = max(1, workers)  # chunk workers at a time; the front matter may run beside them
    try:
        launch()
        if meanwhile is not None:
            meanwhile()
        while busy:
            for conn in wait(list(busy)):
                message = conn.recv()
                if message[0] == "paginated":
                    _, i, pages, anchors, strings = message
                    state.info[i] = _ChunkInfo(pages, anchors, strings)
                    for edition in editions:
                        edition.cache.put(
                            f"{edition.specs[i].key}.json", json.dumps(vars(state.info[i]), sort_keys=True)
                        )
                    waiting[i] = conn
                    if _holds_drawing(len(held), sum(1 for j in todo if j not in state.info), state.info, count):
                        held.add(i)
                    answer_waiting()
                    state.resolve(count)
                    if progress:
                        progress(f"排版 第 {len(state.info)}/{count} 块")
                elif message[0] == "done":
                    del busy[conn]  # the worker exits after its one job
                    conn.close()
                    if message[1] == "front":
                        fronts = message[2]
                        for edition, (data, levels, links) in zip(editions, fronts, strict=True):
                            name = front_cache_name(edition)
                            edition.cache.put(name, data)
                            edition.cache.put(name + ".outline.json", json.dumps(levels))
                            edition.cache.put(name + ".links.json", json.dumps(links))
                        rendered_names.append("front")
                    else:
                        i, made = message[1], message[2]
                        for edition, (data, levels) in zip(editions, made, strict=True):
                            name = pdf_name(edition, i)
                            edition.cache.put(name, data)
                            edition.cache.put(name + ".outline.json", json.dumps(levels))
                        rendered_names.append(str(i))
                        state.joined.add(i)
                        launch()  # before the join: the next chunk's worker starts while this one is joined
                        for edition, (data, levels) in zip(editions, made, strict=True):
                            edition.joiner.offer(i, data, levels)
                        join_ready()  # while the workers go on
                launch()
    finally:
        for conn in busy:
            conn.close()
        for proc in procs:
            proc.join(timeout=10 if not busy else 0)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if frozen:
            gc.unfreeze()
    if fronts is None or len(state.joined) != count:
        raise RuntimeError("anthology chunks did not all render")
    for edition in editions:
        name = front_cache_name(edition)
        edition.cache.used.update({name, name + ".outline.json", name + ".links.json"})
        for i in range(count):
            named = pdf_name(edition, i)
            edition.cache.used.update({f"{edition.specs[i].key}.json", named, named + ".outline.json"})
        edition.cache.prune()
    joined = _joined(
        context, [(edition.joiner, front, edition.finish) for edition, front in zip(editions, fronts, strict=True)]
    )
    results = [
        RenderedPdf(data, pages, time.monotonic() - started, (), tuple(rendered_names)) for data, pages in joined
    ]
    if progress:
        progress(f"完成，{results[0].pages} 页，用时 {time.monotonic() - started:.1f} 秒")
    return tuple(results)


def _holds_drawing(held: int, unstarted: int, paginated: Mapping[int, object], count: int) -> bool:
    """Whether a chunk just paginated waits to draw until the front matter can start
    (HELD_DRAWINGS, CHUNKS_PER_HELD): only near the end of the book (no more chunks left to
    start than may be held, and at least one, to be paginated in its place), ``held`` chunks
    of ``count`` waiting already."""
    most = min(HELD_DRAWINGS, max(1, count // CHUNKS_PER_HELD))
    return held < most and 0 < unstarted <= most and len(paginated) < count


def _joined(context, parts: Sequence[tuple[_Joiner, tuple, Finish | None]]) -> list[tuple[bytes, int]]:
    """Each edition's ``joiner.finish(front)``, then its finishing step: the first here, the
    others in forked processes at the same time."""
    joining = [_finish_beside(context, *part) for part in parts[1:]]
    try:
        first = _join_and_finish(*parts[0])
    except BaseException:  # FontsChanged lays the book out again: none of these joins is wanted
        for result in joining:
            with contextlib.suppress(Exception):
                result()  # reaped, not left writing into a pipe nobody reads
        raise
    return [first, *(result() for result in joining)]


def _join_and_finish(joiner: _Joiner, front: tuple, step: Finish | None) -> tuple[bytes, int]:
    data, pages = joiner.finish(front)
    return step(data, pages) if step else (data, pages)


def _finish_beside(context, joiner: _Joiner, front: tuple, step: Finish | None) -> Callable[[], tuple[bytes, int]]:
    """_join_and_finish started in a forked process; the call returned waits for it."""
    parent, child = context.Pipe(duplex=False)
    proc = context.Process(target=_finish_in_child, args=(child, joiner, front, step), daemon=True)
    proc.start()
    child.close()

    def result() -> tuple[bytes, int]:
        try:
            outcome, value = parent.recv()
        except EOFError:
            raise RuntimeError("the anthology's join process ended without its book") from None
        finally:
            parent.close()
            proc.join()
        if outcome == "error":
            raise value
        return value

    return result


def _finish_in_child(conn: Connection, joiner: _Joiner, front: tuple, step: Finish | None) -> None:
    gc.disable()  # the process exits at once: its garbage goes with it
    try:
        conn.send(("done", _join_and_finish(joiner, front, step)))
    except Exception as exc:  # re-raised in the parent (FontsChanged: the book is laid out again)
        conn.send(("error", exc))
    conn.close()


def _behind_front(pid: int) -> None:
    """Let a chunk worker yield the CPU to the front matter (a scheduling hint: fine to miss)."""
    with contextlib.suppress(OSError, AttributeError):  # a process gone, or no setpriority here
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + BEHIND_FRONT))


class _Joiner:
    """Chunks → one PDF, each chunk added as soon as the chunks before it are in (the parent
    does this while the workers render the rest), the front matter last but put first.

    Whether an opening chunk keeps its blank left page depends on the pages before it. For
    the first chunk, that is the front matter, laid out last: its blank page is held back
    and put in at the end if the front matter has an odd number of pages. The front matter
    and that blank page together are even, so for the other chunks only the body pages
    before them count.
    """

    def __init__(self, specs: Sequence[ChunkSpec], state: _State) -> None:
        self.specs, self.state = specs, state
        self.writer = None  # made with the first chunk: pypdf is imported once the workers run
        self.outline: list[tuple[int, str, int, float, float]] = []  # level, title, body page, left, top
        self.dests: dict[str, tuple[int, float, float]] = {}  # name → body page, left, top
        self.tails: dict[int, bytes] = {}  # the end of each chunk's file, for the /ID
        self.held_blank = None  # the first chunk's blank left page
        self.waiting: dict[int, tuple[bytes, list]] = {}
        self.added = 0  # chunks joined so far

    def offer(self, index: int, data: bytes, levels: list) -> None:
        """Chunk ``index``'s PDF, joined by the next catch_up (or finish) once the chunks before it are."""
        self.waiting[index] = (data, levels)

    def catch_up(self) -> None:
        """Join the chunks offered whose chunks before them are all joined."""
        while self.added in self.waiting:
            data, levels = self.waiting.pop(self.added)
            self._add_chunk(self.specs[self.added], data, levels)
            self.added += 1

    def _add_chunk(self, spec: ChunkSpec, data: bytes, levels: list) -> None:
        from pypdf import PdfReader, PdfWriter

        if self.writer is None:
            self.writer = PdfWriter()
        reader = PdfReader(io.BytesIO(data))
        indices = list(range(len(reader.pages)))[1:]  # the pad page goes
        if spec.opens_right and spec.index == 0:
            self.held_blank, indices = reader.pages[indices[0]], indices[1:]
        elif spec.opens_right and len(self.writer.pages) % 2 == 0:
            indices = indices[1:]  # the page before is a left-hand page: no blank needed
        _add_pages(self.writer, reader, indices, levels, self.outline, self.dests)
        self.tails[spec.index] = data[-256:]

    def finish(self, front: tuple) -> tuple[bytes, int]:
        """The front matter in front, then outline, named destinations, links and metadata."""
        from pypdf import PdfReader
        from pypdf.generic import (
            ArrayObject,
            ByteStringObject,
            DictionaryObject,
            FloatObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        self.catch_up()
        if self.added != len(self.specs):
            raise RuntimeError("anthology chunks did not all render")
        front_data, front_levels, front_links = front
        writer = self.writer
        assert writer is not None  # every chunk is in
        front_reader = PdfReader(io.BytesIO(front_data))
        front_count = len(front_reader.pages)
        for i, page in enumerate(front_reader.pages):
            writer.insert_page(page, i)
        shift = front_count
        if self.held_blank is not None and front_count % 2 == 1:
            writer.insert_page(self.held_blank, front_count)  # the front matter ends on a right-hand page
            shift += 1
        # The front matter's bookmarks and anchors, read like a chunk's (its pages are the first ones).
        front_outline: list[tuple[int, str, int, float, float]] = []
        front_dests: dict[str, tuple[int, float, float]] = {}
        _read_marks(front_reader, dict(enumerate(range(front_count))), front_levels, front_outline, front_dests)
        outline = front_outline + [(lv, t, page + shift, x, y) for lv, t, page, x, y in self.outline]
        dests = dict(front_dests)
        dests.update((name, (page + shift, x, y)) for name, (page, x, y) in self.dests.items())

        # Outline: a tree by bookmark level, as WeasyPrint builds it.
        parents: list[tuple[int, object]] = []
        for level, title, page, left, top in outline:
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(
                title=title, page_number=page, parent=parents[-1][1] if parents else None, fit=_xyz(left, top)
            )
            parents.append((level, item))

        # Named destinations for every anchor (links inside chunks point at them by name).
        names = ArrayObject()
        for name in sorted(dests):
            page, left, top = dests[name]
            names.append(TextStringObject(name))
            names.append(
                ArrayObject(
                    [
                        writer.pages[page].indirect_reference,
                        NameObject("/XYZ"),
                        FloatObject(left),
                        FloatObject(top),
                        NumberObject(0),
                    ]
                )
            )
        if len(names):
            writer._root_object[NameObject("/Names")] = DictionaryObject(
                {NameObject("/Dests"): DictionaryObject({NameObject("/Names"): names})}
            )
        # The contents' links to other chunks (screen edition).
        for page, target, rect in front_links:
            annotation = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
                    NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                    NameObject("/Dest"): TextStringObject(target),
                }
            )
            ref = writer._add_object(annotation)
            page_obj = writer.pages[page]
            if "/Annots" not in page_obj:
                page_obj[NameObject("/Annots")] = ArrayObject()
            page_obj["/Annots"].append(ref)

        # One subset of each face for the whole book, in place of the chunks' deferrals.
        fontmerge.merge_fonts(writer)

        # Metadata and catalog entries of the front matter (title, author, dates, language).
        info = front_reader.metadata or {}
        writer.add_metadata({str(k): str(v) for k, v in info.items()})
        for key in ("/Lang",):
            if key in front_reader.trailer["/Root"]:
                writer._root_object[NameObject(key)] = TextStringObject(str(front_reader.trailer["/Root"][key]))
        digest = hashlib.md5(usedforsecurity=False)
        digest.update(front_data[-256:])
        for spec in self.specs:
            digest.update(spec.key.encode() + str(self.state.start[spec.index]).encode() + self.tails[spec.index])
        identifier = ByteStringObject(digest.hexdigest().encode("ascii"))
        writer._ID = ArrayObject([identifier, identifier])
        out = io.BytesIO()
        writer.write(out)
        pages = len(writer.pages)
        self.writer = None  # let the joined objects go before the caller copies the bytes
        return out.getvalue(), pages


def _add_pages(writer, reader, indices: Sequence[int], levels: list, outline: list, dests: dict) -> dict[int, int]:
    """Pages ``indices`` of ``reader`` → ``writer``; their bookmarks and anchors into ``outline``, ``dests``."""
    base = len(writer.pages)
    where = {}
    for n, index in enumerate(indices):
        writer.add_page(reader.pages[index])
        where[index] = base + n
    _read_marks(reader, where, levels, outline, dests)
    return where


def _read_marks(reader, where: Mapping[int, int], levels: list, outline: list, dests: dict) -> None:
    """Bookmarks (with the levels the worker reported) and named destinations of ``reader``,
    with page numbers mapped by ``where`` (reader page → joined page)."""
    flat = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append(item)

    walk(reader.outline)
    if len(flat) != len(levels):
        raise RuntimeError("outline of a chunk does not match its bookmarks")
    for item, (level, title) in zip(flat, levels, strict=True):
        page = reader.get_destination_page_number(item)
        outline.append((level, title, where[page], float(item.left or 0), float(item.top or 0)))
    names = reader.trailer["/Root"].get("/Names", {}).get("/Dests", {}).get("/Names", [])
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    for k in range(0, len(names), 2):
        dest = names[k + 1].get_object()
        i = page_index.get(dest[0].idnum)
        if i in where:
            dests[str(names[k])] = (where[i], float(dest[2]), float(dest[3]))


def _xyz(left: float, top: float):
    from pypdf.generic import Fit

    return Fit.xyz(left, top, 0)
