"""The anthology laid out in chunks (xindelu.bookchunks) and joined: the same book as one document.

The example book is cut into chunks of two articles, so chunk boundaries fall inside parts on
both left- and right-hand pages. The PDF checks of test_anthology run again on the joined
book (their fixtures and tests are imported, so they use this module's ``book``), and the
joined book is compared page by page with the single-document layout.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import test_anthology as single
from conftest import REPO
from pypdf import PdfReader
from test_anthology import (  # noqa: F401  (fixtures and tests run again here, on the chunked book)
    Book,
    _outline,
    pages,
    print_path,
    screen_path,
    test_articles_start_on_new_pages_with_title_and_byline,
    test_body_lines_are_justified_flush_right,
    test_every_font_is_embedded_and_subset,
    test_front_matter_is_roman_and_body_starts_at_1,
    test_metadata_title_author_language,
    test_no_line_starts_with_closing_or_ends_with_opening_punctuation,
    test_no_single_line_widow_at_the_top_of_a_page,
    test_outline_lists_parts_with_their_articles,
    test_parts_open_on_right_hand_pages_with_blank_left_pages_before,
    test_print_edition_has_trim_bleed_and_crop_marks,
    test_quote_marks_are_one_em_wide,
    test_running_heads,
    test_screen_edition_has_clickable_contents_print_edition_none,
    test_screen_edition_is_trim_size_without_bleed,
    test_toc_numbers_are_the_printed_folios_where_entries_start,
)

from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.print import bookchunks, fontmerge
from xindelu.print.anthology import book_parts, print_layout_dirs, render_anthology

ENV = {"SOURCE_DATE_EPOCH": ""}
PER_CHUNK = 2


def _render(config, content, edition: str, **kwargs):
    return render_anthology(
        config, content, edition, print_layout_dirs(REPO), environ=ENV, chunk_articles=PER_CHUNK, **kwargs
    )


@pytest.fixture(scope="module")
def book() -> Book:
    config = load_config(REPO)
    content = load_content(REPO, config)
    printed = _render(config, content, "print")
    screen = _render(config, content, "screen")
    return Book(printed.data, screen.data, printed.pages, screen.pages, config, content)


@pytest.fixture(scope="module")
def whole(book: Book) -> bytes:
    """The same screen edition laid out as one document."""
    layouts = print_layout_dirs(REPO)
    return render_anthology(book.config, book.content, "screen", layouts, environ=ENV, chunk_articles=0).data


def _chars(page) -> list[tuple[str, float, float, float]]:
    # A space and a no-break space share a glyph; which one a font subset maps it back to
    # depends on which the subset met first, so both read as a space here.
    return [
        (c["text"].replace("\xa0", " "), round(c["x0"], 2), round(c["top"], 2), round(c["size"], 2)) for c in page.chars
    ]


def test_the_book_is_cut_into_several_chunks_with_boundaries_inside_parts(book: Book) -> None:
    parts = book_parts(book.content.anthology, book.content.articles)
    expected = sum(-(-len(part.articles) // PER_CHUNK) for part in parts) + 1  # + the afterword
    assert expected >= 10
    chunks = render_anthology(
        book.config, book.content, "screen", print_layout_dirs(REPO), environ=ENV, chunk_articles=PER_CHUNK
    ).rendered_chunks
    assert sorted(chunks, key=lambda c: (c == "front", c.zfill(4))) == [*map(str, range(expected)), "front"]


def test_joined_book_is_the_single_document_page_for_page(book: Book, whole: bytes, screen_path: Path) -> None:  # noqa: F811
    with pdfplumber.open(io.BytesIO(whole)) as one, pdfplumber.open(screen_path) as joined:
        assert len(one.pages) == len(joined.pages) == book.screen_pages
        for index, (a, b) in enumerate(zip(one.pages, joined.pages, strict=True)):
            assert _chars(a) == _chars(b), f"page {index + 1} differs"
    single_outline = single._outline(_write(whole))
    assert _outline(screen_path) == single_outline


def _write(data: bytes) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "book.pdf"
    path.write_bytes(data)
    return path


def test_folios_run_on_across_chunks(screen_path: Path, pages) -> None:  # noqa: F811
    first_part = next(index for level, title, index in _outline(screen_path) if "辑" in title)
    numbered = [(p.index, int(p.folio)) for p in pages[first_part:] if p.folio.isdigit()]
    assert len(numbered) > 40
    for index, folio in numbered:
        assert folio == index - first_part + 1
        assert (folio % 2 == 1) == pages[index].right  # odd folios on right-hand pages


def test_contents_links_reach_articles_in_other_chunks(book: Book) -> None:
    reader = PdfReader(io.BytesIO(book.screen_pdf))
    names = reader.named_destinations
    linked = set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                linked.add(str(annot["/Dest"]))
    slugs = {
        f"a-{art.slug}" for part in book_parts(book.content.anthology, book.content.articles) for art in part.articles
    }
    assert slugs <= linked
    assert linked <= set(names)


def test_same_input_gives_identical_bytes_chunked(book: Book, tmp_path: Path) -> None:
    again = _render(book.config, book.content, "print", cache_dir=tmp_path)
    assert again.data == book.print_pdf
    cached = _render(book.config, book.content, "print", cache_dir=tmp_path)
    assert cached.rendered_chunks == ()
    assert cached.data == book.print_pdf


def _font_files(data: bytes) -> dict[str, list[tuple[str, bytes]]]:
    """BaseFont name → the distinct font files (descriptor key, bytes) its descriptors point at."""
    files: dict[str, dict[int, tuple[str, bytes]]] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
                ref = descriptor.raw_get(key)
                files.setdefault(str(font["/BaseFont"]), {})[ref.idnum] = (key, ref.get_object().get_data())
    return {name: list(by_ref.values()) for name, by_ref in files.items()}


def test_one_font_file_per_face_for_the_whole_book(book: Book, whole: bytes) -> None:
    files = _font_files(book.print_pdf)
    assert files and all(re.match(r"^/[A-Z]{6}\+", name) for name in files)
    assert all(len(found) == 1 for found in files.values()), {k: len(v) for k, v in files.items()}
    kinds = {key: data[:4] for found in files.values() for key, data in found}
    assert not any(fontmerge.MARK in data[:64] for found in files.values() for _, data in found)
    # CFF data under FontFile3, TrueType under FontFile2, as the descriptors say.
    assert kinds.get("/FontFile3", b"OTTO") == b"OTTO" and kinds.get("/FontFile2", b"\0\1\0\0") == b"\0\1\0\0"
    # One subset per face: about the size of the book laid out as one document, not one per chunk.
    assert len(book.screen_pdf) < 1.3 * len(whole)


def test_joined_book_rasterises_like_the_single_document(book: Book, whole: bytes, tmp_path: Path) -> None:
    # The merged subsets draw the same glyphs as the one document's own subsets, on every page.
    (tmp_path / "joined.pdf").write_bytes(book.screen_pdf)
    (tmp_path / "whole.pdf").write_bytes(whole)
    for name in ("joined", "whole"):
        run = subprocess.run(["pdftoppm", "-r", "30", "-gray", f"{name}.pdf", name], cwd=tmp_path, capture_output=True)
        assert run.returncode == 0 and not run.stderr, run.stderr
    joined, one = sorted(tmp_path.glob("joined-*.pgm")), sorted(tmp_path.glob("whole-*.pgm"))
    assert len(joined) == len(one) == book.screen_pages
    assert [p.read_bytes() for p in joined] == [p.read_bytes() for p in one]


def test_a_font_file_changed_since_the_cache_lays_the_book_out_again(book: Book, tmp_path: Path, monkeypatch) -> None:
    first = _render(book.config, book.content, "print", cache_dir=tmp_path)
    identity = fontmerge.file_identity
    # As after a font package upgrade: same path, another file. Cached glyph ids may mean other glyphs.
    monkeypatch.setattr(fontmerge, "file_identity", lambda path: (identity(path)[0], identity(path)[1] + 1))
    again = _render(book.config, book.content, "print", cache_dir=tmp_path)
    assert "front" in again.rendered_chunks and "0" in again.rendered_chunks  # laid out afresh
    assert again.data == _render(book.config, book.content, "print", cache_dir=tmp_path / "fresh").data
    assert again.pages == first.pages and _font_files(again.data) == _font_files(first.data)


def _font_names(page) -> list[str]:
    resources = page["/Resources"].get_object()
    return [font.get_object()["/BaseFont"] for font in resources.get("/Font", {}).values()]


# ---------------------------------------------------------------- rebuilding after an edit


def _edit(root: Path, slug: str, old: str, new: str) -> None:
    path = next((root / "content" / "articles").rglob(f"{slug}.md"), None)
    if path is None:  # the slug is set in the front matter, not the file name
        path = next(p for p in (root / "content" / "articles").rglob("*.md") if f"slug: {slug}" in p.read_text("utf-8"))
    text = path.read_text(encoding="utf-8")
    assert old in text.split("---", 2)[2]
    head, body = text.split("---", 2)[1:]
    path.write_text(f"---{head}---" + body.replace(old, new, 1), encoding="utf-8")


def _third_article(content) -> tuple[int, str, str]:
    """An article in the second chunk of the first part, and a sentence from its body."""
    part = book_parts(content.anthology, content.articles)[0]
    art = part.articles[PER_CHUNK]
    sentence = next(s for s in re.findall(r"[\u4e00-\u9fff]{6,}", art.body_html))
    return 1, art.slug, sentence


def _render_site(root: Path, edition: str):  # type: ignore[no-untyped-def]
    """Load the site at ``root`` and render ``edition`` with its chunk cache under .cache/."""
    config = load_config(root)
    content = load_content(root, config)
    assert not content.errors
    return _render(config, content, edition, cache_dir=root / ".cache"), content


def test_an_edit_that_keeps_the_page_count_lays_out_only_its_chunk(make_site, tmp_path: Path) -> None:
    root = make_site(example=True)
    cache = root / ".cache"
    first, content = _render_site(root, "print")
    assert "front" in first.rendered_chunks
    chunk, slug, sentence = _third_article(content)
    # Same number of characters, same widths: the page count cannot change.
    _edit(root, slug, sentence, sentence[::-1])
    second, _ = _render_site(root, "print")
    assert second.rendered_chunks == (str(chunk),)
    assert second.data != first.data
    clean = _render(load_config(root), load_content(root, load_config(root)), "print", cache_dir=tmp_path / "clean")
    assert second.data == clean.data
    # Old chunk files are pruned: one PDF per chunk (and the front matter) is left.
    pdfs = list((cache / "anthology" / "print").glob("*.pdf"))
    assert len(pdfs) == len(first.rendered_chunks)


def test_an_edit_that_adds_pages_renumbers_the_chunks_after_it(make_site, tmp_path: Path) -> None:
    root = make_site(example=True)
    first, content = _render_site(root, "screen")
    _, slug, _ = _third_article(content)
    art = next(a for a in content.articles if a.slug == slug)
    # Runs of characters cut into one-character paragraphs: two pages more, not one character
    # more (the form's length limit holds).
    runs = re.findall(r"[\u4e00-\u9fff]{6,}", art.body_html)
    taken = []
    while sum(map(len, taken)) < 60:
        taken.append(runs[len(taken)])
    for run in taken:
        _edit(root, slug, run, "\n\n".join(run))
    second, _ = _render_site(root, "screen")
    assert second.pages > first.pages
    assert "0" not in second.rendered_chunks and "1" in second.rendered_chunks and "front" in second.rendered_chunks
    config = load_config(root)
    clean = _render(config, load_content(root, config), "screen", cache_dir=tmp_path / "clean")
    assert second.data == clean.data
    assert clean.pages == second.pages


def test_cut_book_refuses_templates_without_the_markers() -> None:
    html = "<html><body><section>无标记</section></body></html>"
    assert bookchunks.cut_book(html, [("part-1", ["a-x"])], None, 2) is None


def test_front_matter_of_either_parity_is_joined_like_one_document(make_site) -> None:
    # The first chunk's blank left page is held back until the front matter (laid out last)
    # is known: kept after an odd number of front pages, dropped after an even one. Longer
    # contents entries change the front matter's length; both cases must be met here.
    css = (REPO / "layouts" / "print" / "anthology.css").read_text(encoding="utf-8")
    blank_kept = set()
    for extra in (0, 12):
        override = css + f"\n.toc li {{ padding-bottom: {extra}pt; }}\n"
        root = make_site({"layouts/print/anthology.css": override}, example=True)
        config = load_config(root)
        content = load_content(root, config)
        layouts = print_layout_dirs(root)
        joined = render_anthology(config, content, "screen", layouts, environ=ENV, chunk_articles=PER_CHUNK)
        whole = render_anthology(config, content, "screen", layouts, environ=ENV, chunk_articles=0)
        outline = single._outline(_write(joined.data))
        assert outline == single._outline(_write(whole.data))
        first_part = next(page for _level, title, page in outline if title.startswith("第一辑"))
        with pdfplumber.open(io.BytesIO(whole.data)) as one, pdfplumber.open(io.BytesIO(joined.data)) as two:
            assert len(one.pages) == len(two.pages)
            for index, (a, b) in enumerate(zip(one.pages, two.pages, strict=True)):
                assert _chars(a) == _chars(b), f"padding {extra}: page {index + 1} differs"
            blank_kept.add(not two.pages[first_part - 1].chars)
    assert blank_kept == {True, False}


class _Joins:
    """Stands for a _Joiner: its finish gives ``result`` or raises it."""

    def __init__(self, result) -> None:
        self.result = result

    def finish(self, front):
        if isinstance(self.result, Exception):
            raise self.result
        return self.result + front


def test_the_other_editions_are_joined_in_a_forked_process_and_its_error_comes_back() -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    assert bookchunks._finish_beside(context, _Joins((b"%PDF",)), (3,), None)() == (b"%PDF", 3)
    # A font changed under the cache: the parent must see FontsChanged, to lay the book out again.
    waiting = bookchunks._finish_beside(context, _Joins(fontmerge.FontsChanged("changed")), (), None)
    with pytest.raises(fontmerge.FontsChanged):
        waiting()


def test_editions_are_joined_side_by_side_and_a_failed_first_join_leaves_no_process() -> None:
    import multiprocessing
    import os

    context = multiprocessing.get_context("fork")
    parts = [(_Joins((b"screen",)), (1,), None), (_Joins((b"print",)), (2,), None)]
    assert bookchunks._joined(context, parts) == [(b"screen", 1), (b"print", 2)]
    failed = [(_Joins(fontmerge.FontsChanged("changed")), (), None), (_Joins((b"print",)), (2,), None)]
    with pytest.raises(fontmerge.FontsChanged):
        bookchunks._joined(context, failed)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the other edition's join process was reaped


def test_each_edition_is_finished_in_the_process_that_joins_it() -> None:
    import multiprocessing

    def step(data: bytes, count: int) -> tuple[bytes, int]:
        return data + b"/" + str(os.getpid()).encode(), count + 1

    context = multiprocessing.get_context("fork")
    parts = [(_Joins((b"screen",)), (1,), None), (_Joins((b"print",)), (2,), step)]
    (screen, screen_pages), (printed, printed_pages) = bookchunks._joined(context, parts)
    assert (screen, screen_pages) == (b"screen", 1)  # no step: as joined
    name, pid = printed.split(b"/")
    assert (name, printed_pages) == (b"print", 3)
    assert int(pid) != os.getpid()  # finished beside the first edition's join, not after it
    first = bookchunks._joined(context, [(_Joins((b"print",)), (2,), step)])
    assert first == [(b"print/" + str(os.getpid()).encode(), 3)]


def test_chunk_workers_yield_the_cpu_to_the_front_matter() -> None:
    import os

    worker = subprocess.Popen(["sleep", "30"])
    try:
        before = os.getpriority(os.PRIO_PROCESS, worker.pid)
        bookchunks._behind_front(worker.pid)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, before + bookchunks.BEHIND_FRONT)
    finally:
        worker.kill()
        worker.wait()
    bookchunks._behind_front(worker.pid)  # gone: nothing to do, no error


def test_only_chunks_near_the_end_hold_their_drawing_for_the_front_matter() -> None:
    """A chunk paginated while no more chunks are left to start than may be held (and at least
    one, to be paginated in its place) waits to draw; one per CHUNKS_PER_HELD chunks of the
    book at most (one at least), never more than HELD_DRAWINGS, never the last to be paginated
    (the front matter starts then)."""
    most, per = bookchunks.HELD_DRAWINGS, bookchunks.CHUNKS_PER_HELD
    assert most >= 2
    big, paginated = per * most, dict.fromkeys(range(5))
    assert bookchunks._holds_drawing(0, 1, paginated, big)
    assert bookchunks._holds_drawing(most - 1, most, paginated, big)
    assert bookchunks._holds_drawing(most - 1, most, paginated, big * 3)
    assert not bookchunks._holds_drawing(most, 1, paginated, big * 3)  # as many held as may be
    assert not bookchunks._holds_drawing(0, most + 1, paginated, big)  # far from the end
    assert not bookchunks._holds_drawing(0, 0, paginated, big)  # nothing to start in its place
    assert not bookchunks._holds_drawing(0, 1, dict.fromkeys(range(big)), big)  # every chunk paginated
    # A small book: one held drawing at most.
    assert bookchunks._holds_drawing(0, 1, {0: None}, 5)
    assert not bookchunks._holds_drawing(1, 1, {0: None}, 5)
    assert not bookchunks._holds_drawing(0, 2, {0: None}, 5)


def test_drawings_held_for_the_front_matter_give_the_same_book(book: Book, monkeypatch) -> None:
    """The example book in chunks of two articles, with a chunk holding its drawing for the
    front matter, is byte for byte the book made with none held. Which chunks the policy holds
    depends on when each is paginated (the policy itself: the test above); here the first one
    paginated while another is still to start holds, whatever the timing."""
    config, content = book.config, book.content
    held = []

    def hold(waiting: int, unstarted: int, paginated, count: int) -> bool:
        held.append(waiting < 1 and unstarted > 0 and len(paginated) < count)
        return held[-1]

    monkeypatch.setattr(bookchunks, "_holds_drawing", hold)
    printed = _render(config, content, "print")
    assert any(held), held
    assert printed.data == book.print_pdf
    # With no drawing to hold (HELD_DRAWINGS 0), the policy itself holds none.
    monkeypatch.undo()
    decide = bookchunks._holds_drawing
    monkeypatch.setattr(bookchunks, "_holds_drawing", lambda *args: held.append(decide(*args)) or held[-1])
    monkeypatch.setattr(bookchunks, "HELD_DRAWINGS", 0)
    held.clear()
    assert _render(config, content, "print").data == book.print_pdf and not any(held)


def test_the_print_edition_prepares_its_pdfx_step_while_the_chunks_are_laid_out(book: Book, monkeypatch) -> None:
    """The book's process imports the PDF/X tools and compresses the output profile while its
    workers lay out the first chunks, once, rather than after the join; the book is the same."""
    import gc
    import multiprocessing

    from xindelu.print import prepress

    calls = []
    prepare = prepress.prepare

    def watched(profile) -> None:
        calls.append((len(multiprocessing.active_children()), gc.isenabled(), gc.get_freeze_count() > 0))
        prepare(profile)

    monkeypatch.setattr(prepress, "prepare", watched)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    printed = _render(book.config, book.content, "print")
    # Once, with chunk workers running, the cycle collector paused for the book, and the
    # objects of the warm-up (and WeasyPrint's) frozen out of the collection after it.
    assert len(calls) == 1 and calls[0][0] > 0 and calls[0][1] is False and calls[0][2], calls
    assert gc.isenabled() and gc.get_freeze_count() == 0  # on again after it, nothing left frozen
    assert printed.data == book.print_pdf
    calls.clear()
    _render(book.config, book.content, "screen")
    assert calls == []  # no PDF/X for the screen edition


def test_objects_are_frozen_once_and_not_under_an_outer_freeze() -> None:
    import gc

    from xindelu.core.memory import frozen_now, objects_frozen

    assert gc.get_freeze_count() == 0
    try:
        assert frozen_now() and gc.get_freeze_count() > 0
        assert not frozen_now()
    finally:
        gc.unfreeze()
    with objects_frozen():
        before = gc.get_freeze_count()
        assert not frozen_now() and gc.get_freeze_count() == before
