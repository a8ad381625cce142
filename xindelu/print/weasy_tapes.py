"""Both editions of a book from one layout, the text drawn once: a tape of each line.

An edition drawn from another's layout (xindelu.print.pdf.Redraw) draws every line of text a
second time, and WeasyPrint 70 draws a line from scratch: it makes the line's Pango layout
again (it keeps none between layout and drawing), shapes it, widens its glyphs
(xindelu.print.cjk_typeset) and writes every glyph with its width and text. That was half of
the drawing of a 1,000-article book, done twice for the same glyphs at the same places.

While the first edition is drawn (hooks ``tapes="record"``), ``draw_text`` draws each text
box through a recorder that keeps the calls it makes on the stream, the Pango fonts it adds
and, for every glyph it shows, the width and text WeasyPrint gave the glyph in its font. When
the next edition is drawn (``tapes="replay"``), a box whose tape is whole and that is still
where it was drawn makes the same calls on the new stream (its colours go through the
edition's own ``Stream.set_color``) and gives the new fonts the same glyphs, in the same
order: the bytes are those of a drawing from scratch. Anything a tape does not cover
(decorations, emojis, bitmap or colour fonts, a missing glyph, a box drawn twice) is drawn
from scratch, as before.

Within one drawing too, copies of one box replay a tape: WeasyPrint draws a leader
(``leader(dotted)`` in the contents) as one box per dot, copies sharing one Pango layout, and
drew every dot from scratch; a 1,000-article book's contents have 13,000 of them. The
second copy is recorded and the others replay its tape at their own text matrix.

A whole page is taped too (``draw_page``): what the next edition draws of a page differs from
the first only in the page's own background (it has the edition's bleed), so everything drawn
after it (borders, backgrounds, rules, and the text boxes' own tapes) is kept as the calls it
made on the stream, and replayed without walking the page's boxes again. A page that draws
anything else (a picture, a group for opacity, a pattern, a tagged PDF's marks) keeps no tape
and is drawn from its boxes, its text from theirs.
"""

from __future__ import annotations

import contextlib
import functools
import re
import struct
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

TAPE = "_xindelu_tape"
COPIES = "_xindelu_copies"  # on a Pango layout: (what its copies share, their tape) (see taped_text)
JUSTIFY = "_cjk_justify"  # what xindelu.print.cjk_typeset widens a box's glyphs by
# What draw_text and draw_first_line call on the stream for plain text; any other call
# (an underline's rectangle, an emoji's transform) leaves the box without a tape.
_TEXT_CALLS = frozenset(
    {"set_color", "begin_text", "end_text", "set_text_matrix", "set_font_size", "show_text", "set_text_rise"}
)
_GLYPHS = re.compile(r"<([0-9a-f]*)>")
PAGE_TAPE = "_xindelu_page_tape"  # on a page box: its drawing after its background, as stream calls
# What a page may call on the stream to keep a tape: paths, colours, transforms, states (the
# text calls are in its text boxes' own tapes). Any other (a picture, a group, a pattern, a
# shading) makes calls on objects of the first edition's PDF, and the page keeps no tape.
_PAGE_CALLS = frozenset(
    {
        "push_state",
        "pop_state",
        "transform",
        "set_color",
        "set_alpha",
        "set_line_width",
        "set_line_cap",
        "set_line_join",
        "set_miter_limit",
        "set_dash",
        "move_to",
        "line_to",
        "curve_to",
        "rectangle",
        "close",
        "clip",
        "end",
        "fill",
        "stroke",
        "fill_and_stroke",
    }
)


# What a tape calls beyond WeasyPrint's own declarations (xindelu.weasy_patches declares it).
DECLARATIONS = ("gpointer g_object_ref (gpointer object);",)


@dataclass(frozen=True)
class Tape:
    """One text box as drawn: where, the stream calls, and the glyphs given to each font."""

    place: tuple  # (offset_x, position_x, position_y, baseline, text_overflow, block_ellipsis)
    calls: tuple[tuple[str, tuple, dict], ...]  # ("add_font", (pango font, its ref), {}) or (method, args, kwargs)
    glyphs: tuple[tuple[tuple[int, str, int], ...], ...]  # per show_text: (glyph, text, width)


class _Recorder:
    """Stands for the stream while one text box is drawn: each call is made and kept."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.calls: list[tuple[str, tuple, dict]] = []
        self.fonts: dict[str, Any] = {}  # font hash → WeasyPrint Font
        self.whole = True

    def add_font(self, pango_font: Any) -> tuple[Any, float]:
        from weasyprint.text.ffi import ffi, gobject

        font, size = self.stream.add_font(pango_font)
        if font.bitmap or font.png or font.svg or font.colr:
            self.whole = False
        self.fonts[font.hash] = font
        # The tape holds the Pango font: the layout it came from is gone when the next edition is drawn.
        held = ffi.gc(gobject.g_object_ref(pango_font), gobject.g_object_unref)
        self.calls.append(("add_font", (ffi.cast("PangoFont *", held), held), {}))
        return font, size

    def __getattr__(self, name: str) -> Any:
        # Not one of _TEXT_CALLS (methods of their own): the box keeps no tape. Other attributes
        # are the rectangles draw_first_line measures glyphs with (callable cdata).
        found = getattr(self.stream, name)
        if isinstance(found, types.MethodType):
            self.whole = False
        return found

    def tape(self, place: tuple) -> Tape | None:
        if not self.whole:
            return None
        glyphs = []
        font = None
        for name, args, _ in self.calls:
            if name == "set_font_size":
                font = self.fonts.get(args[0])
            elif name == "show_text":
                if font is None:
                    return None
                shown = []
                to_unicode, widths, count = font.to_unicode, font.widths, font.glyph_count
                hexes = "".join(_GLYPHS.findall(args[0]))
                for glyph in struct.unpack(f">{len(hexes) // 4}H", bytes.fromhex(hexes)):
                    text, width = to_unicode.get(glyph), widths.get(glyph)
                    if text is None or width is None or glyph >= count:
                        return None  # a missing glyph: its id depends on the font's state
                    shown.append((glyph, text, width))
                glyphs.append(tuple(shown))
        return Tape(place, tuple(self.calls), tuple(glyphs))


def _kept_call(name: str) -> Callable[..., Any]:
    """A recorder's method for the stream's ``name``: the call is made and kept."""

    def method(self: Any, *args: Any, **options: Any) -> Any:
        self.calls.append((name, args, options))
        return getattr(self.stream, name)(*args, **options)

    method.__name__ = name
    return method


# The calls a text line makes, as methods of their own: looked up through __getattr__ they
# made a closure per call, a few percent of drawing a book's text.
for _name in _TEXT_CALLS:
    setattr(_Recorder, _name, _kept_call(_name))


def _replay(stream: Any, tape: Tape) -> None:
    fonts: dict[str, Any] = {}
    font = None
    shown = iter(tape.glyphs)
    for name, args, options in tape.calls:
        if name == "add_font":
            added, _ = stream.add_font(args[0])
            fonts[added.hash] = added
            continue
        if name == "set_font_size":
            font = fonts[args[0]]
        elif name == "show_text":
            to_unicode, widths = font.to_unicode, font.widths
            for glyph, text, width in next(shown):
                if glyph not in to_unicode:
                    to_unicode[glyph] = text
                if glyph not in widths:
                    widths[glyph] = width
        getattr(stream, name)(*args, **options)


def _movable(tape: Tape | None) -> Tape | bool:
    """``tape`` if it can be replayed from another place (its one text matrix is where it was drawn)."""
    if tape is None:
        return False
    _, x, y, baseline, *_ = tape.place
    matrices = [args for name, args, _ in tape.calls if name == "set_text_matrix"]
    return tape if matrices == [(1, 0, 0, -1, x, y + baseline)] else False


def _moved(tape: Tape, place: tuple) -> Tape:
    """A movable tape (see _movable) for a copy of its box drawn at ``place``."""
    _, x, y, baseline, *_ = place
    matrix = ("set_text_matrix", (1, 0, 0, -1, x, y + baseline), {})
    return Tape(place, tuple(matrix if call[0] == "set_text_matrix" else call for call in tape.calls), tape.glyphs)


class _PageRecorder:
    """Stands for the stream while a page is drawn (after its background): each call is made and
    kept, a text box as its own tape (see taped_text)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.calls: list[tuple[str, Any, dict]] = []  # (method, args, options), or ("", a text box's Tape, {})
        self.whole = True

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.stream, name)
        if isinstance(found, types.MethodType):
            self.whole = False  # a call no tape replays: drawn from the boxes in the next edition
        return found

    def text(self, tape: Tape | None) -> None:
        if tape is None:
            self.whole = False
        else:
            self.calls.append(("", tape, {}))

    @contextlib.contextmanager
    def stacked(self) -> Iterator[None]:
        self.push_state()
        try:
            yield
        finally:
            self.pop_state()

    def marked(self, box: Any, tag: str) -> Any:
        if self.stream._tags is not None:
            self.whole = False
        return self.stream.marked(box, tag)

    def artifact(self) -> Any:
        if self.stream._tags is not None:
            self.whole = False
        return self.stream.artifact()


for _name in _PAGE_CALLS:
    setattr(_PageRecorder, _name, _kept_call(_name))


def _replay_page(stream: Any, calls: tuple) -> None:
    for name, args, options in calls:
        if name:
            getattr(stream, name)(*args, **options)
        else:
            _replay(stream, args)


def taped_page(original: Callable, hooks: Callable) -> Callable:
    """``draw_page(page, stream)``: records a page's drawing for the next edition, or replays it.

    Recording draws the page as WeasyPrint 70's draw_page does, in its order: the page's
    background (with the bleed), then through a recorder its mask border, the canvas
    background, its border and its stacking context. Replaying draws the background with the
    new edition's bleed (xindelu.print.pdf._redraw lays it out again) and replays the rest."""
    draw = sys.modules["weasyprint.draw"]
    from weasyprint.stacking import StackingContext

    @functools.wraps(original)
    def draw_page(page, stream):
        mode = hooks().tapes
        tape = page.__dict__.get(PAGE_TAPE) if mode == "replay" else None
        if tape is not None:
            draw.draw_background(stream, page.background, clip_box=False, bleed=page.bleed, marks=page.style["marks"])
            return _replay_page(stream, tape)
        if mode != "record":
            return original(page, stream)
        stacking_context = StackingContext.from_page(page)
        draw.draw_background(
            stream, stacking_context.box.background, clip_box=False, bleed=page.bleed, marks=page.style["marks"]
        )
        recorder = _PageRecorder(stream)
        draw.set_mask_border(recorder, page)
        draw.draw_background(recorder, page.canvas_background, clip_box=False)
        draw.draw_border(recorder, page)
        draw.draw_stacking_context(recorder, stacking_context)
        if recorder.whole:
            page.__dict__[PAGE_TAPE] = tuple(recorder.calls)
        return None

    return draw_page


def taped_text(original: Callable, hooks: Callable) -> Callable:
    """``draw_text`` (as weasyprint.draw calls it): records or replays a text box's drawing.

    In any mode, copies of one text box on a page (a leader's dots: WeasyPrint makes one box
    per dot, each sharing the first one's Pango layout, and draws each from scratch) are drawn
    once and replayed at their own places: the second copy is drawn through a recorder, the
    others from its tape, moved. A copy differs from the box it was made from only in where
    it is, and the text matrix is the one call that says where.
    """

    @functools.wraps(original)
    def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis):
        page = stream if type(stream) is _PageRecorder else None
        if page is not None:
            # A taped page keeps the box's tape, not the calls it makes (they show glyphs of
            # the first edition's fonts): the box is drawn on the stream itself.
            stream = page.stream
        mode = hooks().tapes
        place = (
            offset_x,
            textbox.position_x,
            textbox.position_y,
            textbox.baseline,
            text_overflow,
            block_ellipsis,
        )
        kept = textbox.__dict__.get(TAPE)
        if mode == "replay" and kept and kept.place == place:
            return _replay(stream, kept)
        # What a copy shares with the box it was made from, besides the layout.
        layout = textbox.pango_layout
        alike = (
            stream,
            textbox.style,
            textbox.text,
            layout.text,
            textbox.__dict__.get(JUSTIFY),
            text_overflow,
            block_ellipsis,
        )
        copies = layout.__dict__.get(COPIES)  # (alike, tape): None, not recorded yet; False, not movable
        if copies is not None and copies[0] != alike:
            copies = None  # the first box of this layout drawn on this stream
        if copies is not None and copies[1]:
            tape = _moved(copies[1], place)
            drawn = _replay(stream, tape)
        elif mode == "record" or (copies is not None and copies[1] is None):
            # Recorded: for the next edition, or as the second copy of a box, whose tape serves the others.
            recorder = _Recorder(stream)
            drawn = original(recorder, textbox, offset_x, text_overflow, block_ellipsis)
            tape = recorder.tape(place)
            if copies is None or copies[1] is None:
                layout.__dict__[COPIES] = (alike, _movable(tape))
        else:
            tape = None
            drawn = original(stream, textbox, offset_x, text_overflow, block_ellipsis)
            if copies is None:
                layout.__dict__[COPIES] = (alike, None)  # seen once: a second copy gets recorded
        if mode == "record":
            # A box drawn twice in one edition (False) is drawn from scratch in the next.
            textbox.__dict__[TAPE] = tape if kept is None else False
        if page is not None:
            page.text(tape)
        return drawn

    return draw_text
