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
"""

from __future__ import annotations

import functools
import re
import struct
import types
from collections.abc import Callable
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

    def _text_call(self, name: str, *args: Any, **options: Any) -> Any:
        self.calls.append((name, args, options))
        return getattr(self.stream, name)(*args, **options)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.stream, name)
        if not isinstance(found, types.MethodType):
            return found  # the rectangles draw_first_line measures glyphs with (callable cdata)
        if name not in _TEXT_CALLS:
            self.whole = False

        def call(*args: Any, **options: Any) -> Any:
            self.calls.append((name, args, options))
            return found(*args, **options)

        return call

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


def _text_method(name: str) -> Callable[..., Any]:
    def method(self: _Recorder, *args: Any, **options: Any) -> Any:
        return self._text_call(name, *args, **options)

    method.__name__ = name
    return method


# The calls a text line makes, as methods of their own: looked up through __getattr__ they
# made a closure per call, a few percent of drawing a book's text.
for _name in _TEXT_CALLS:
    setattr(_Recorder, _name, _text_method(_name))


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
        return drawn

    return draw_text
