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
"""

from __future__ import annotations

import contextlib
import functools
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TAPE = "_xindelu_tape"
# What draw_text and draw_first_line call on the stream for plain text; any other call
# (an underline's rectangle, an emoji's transform) leaves the box without a tape.
_TEXT_CALLS = frozenset(
    {"set_color", "begin_text", "end_text", "set_text_matrix", "set_font_size", "show_text", "set_text_rise"}
)
_GLYPHS = re.compile(r"<([0-9a-f]*)>")


def declare() -> None:
    from weasyprint.text.ffi import ffi

    with contextlib.suppress(Exception):  # already declared (identically) is fine
        ffi.cdef("gpointer g_object_ref (gpointer object);")


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
                for run in _GLYPHS.findall(args[0]):
                    for start in range(0, len(run), 4):
                        glyph = int(run[start : start + 4], 16)
                        text, width = font.to_unicode.get(glyph), font.widths.get(glyph)
                        if text is None or width is None or glyph >= font.glyph_count:
                            return None  # a missing glyph: its id depends on the font's state
                        shown.append((glyph, text, width))
                glyphs.append(tuple(shown))
        return Tape(place, tuple(self.calls), tuple(glyphs))


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


def taped_text(original: Callable, hooks: Callable) -> Callable:
    """``draw_text`` (as weasyprint.draw calls it): records or replays a text box's drawing."""

    @functools.wraps(original)
    def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis):
        mode = hooks().tapes
        if not mode:
            return original(stream, textbox, offset_x, text_overflow, block_ellipsis)
        place = (
            offset_x,
            textbox.position_x,
            textbox.position_y,
            textbox.baseline,
            text_overflow,
            block_ellipsis,
        )
        kept = textbox.__dict__.get(TAPE)
        if mode == "replay":
            if kept and kept.place == place:
                return _replay(stream, kept)
            return original(stream, textbox, offset_x, text_overflow, block_ellipsis)
        recorder = _Recorder(stream)
        drawn = original(recorder, textbox, offset_x, text_overflow, block_ellipsis)
        # A box drawn twice in one edition (False) is drawn from scratch in the next.
        textbox.__dict__[TAPE] = recorder.tape(place) if kept is None else False
        return drawn

    return draw_text
