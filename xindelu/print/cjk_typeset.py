"""Chinese justification and line-breaking fixes for WeasyPrint 70 (anthology and bulletin PDFs).

Why
---
WeasyPrint 70 implements ``text-align: justify`` by stretching only U+0020 and U+00A0
(``weasyprint.layout.inline.justify_line`` → ``count_expandable_spaces`` /
``add_word_spacing``).  Chinese text has no spaces, so justified Chinese lines stay
ragged.  Chinese books justify "inter-character": the leftover width of a line is
spread over the gaps between characters.

What it patches (and nothing else)
-----------------------------------------------
1. ``weasyprint.layout.inline.justify_line(context, line, extra_width)`` — called by
   ``text_align`` only for lines that must be justified (WeasyPrint already skips the
   last line of a paragraph and lines ending in a forced break, honouring
   ``text-align-last``).  If the line contains a CJK character, the wrapper counts the
   justification opportunities — every space/no-break space, plus every gap between two
   characters where at least one is CJK (ideograph, kana, hangul, CJK or full-width
   punctuation; “ ” ‘ ’ — … only when they do not touch a Latin letter or digit, so
   ``it’s`` or ``“OK”`` are not torn apart).  Gaps inside Latin words, before combining
   marks, inside —— / …… and at the end of the line are never opportunities.  Gaps that span two text
   boxes (``<em>``, ``<a>``…) count too.  ``extra_width`` is divided equally; each text
   box gets the extra widths of its characters (``box._cjk_justify = (text, {utf8 byte
   offset: points})``), its width grows and every later box on the line is shifted, like
   ``add_word_spacing`` does.  Lines without CJK (and RTL lines) go to the original.
2. ``weasyprint.draw.text.draw_first_line(stream, textbox, text_overflow,
   block_ellipsis, matrix)`` — before the original draws a box that carries
   ``_cjk_justify``, the wrapper widens, in the box's Pango line, the last glyph of each
   cluster that precedes a gap (``PangoGlyphInfo.geometry.width``), so the drawn glyphs
   are really moved (the original converts glyph widths into TJ adjustments).  Extra
   widths are quantised cumulatively to 1/1000 em, the unit of the TJ adjustments, so
   the drawn right edge matches the layout to ~0.01 pt.  Single-paragraph mode is set
   first, as the original does, so that the original does not re-layout and drop the
   change.  With ``text-overflow: ellipsis``/``block-ellipsis`` the original re-lays
   the text out and the line is drawn unjustified (box positions stay justified).
3. ``weasyprint.text.line_break.Layout.set_text(self, text, justify=False)`` — after
   the original, adds Pango ``allow_breaks=FALSE`` attributes (on a private copy of the
   layout's attribute list, so repeated ``set_text`` calls never leave stale ranges)
   that forbid a line break before closing punctuation (，。、；：？！）」』》〉…” ’ …), after
   opening punctuation (（「『《〈“‘ …) and inside —— or …….  Pango 1.50 (UAX #14 as
   of Unicode 14) already forbids most of these, and glues “ ” (class QU, rule LB19) to
   both neighbours; but Unicode 15.1 (LB19a) *allows* breaks around QU between East
   Asian characters, so a newer Pango could put “ at a line end or ” at a line start.
   These attributes make the rule independent of the Pango version. Attributes cost
   layout time, so under word wrapping only the breaks that this Pango's own rules
   allow (``pango_get_log_attrs``) get one; the full set waits for character wrapping.
4. ``weasyprint.layout.inline.can_break_text(text, lang)`` — WeasyPrint asks it whether
   a line may break *between two inline boxes* (``<em>《书》</em>，``); the wrapper
   applies the same punctuation rule there.
5. ``weasyprint.text.line_break.Layout.get_first_line(self)`` — WeasyPrint's last resort
   for a line that overflows is character wrapping (``PANGO_WRAP_CHAR``, set after
   ``set_text``), where every punctuation break counts: the wrapper then sets the
   attributes that (3) left out, before the layout is computed.
6. ``weasyprint.layout.inline.split_first_line(text, style, …)`` — the draft of text
   WeasyPrint lays out to find a line is sized for Latin text (four lines of Chinese); the
   wrapper hands it a line and a half of Chinese instead, and takes the result only when
   the break lies well inside that draft (see DRAFT_LINES). Same lines, less layout.

xindelu.weasy_patches installs them (with the other WeasyPrint patches), after checking
WeasyPrint's version and the signature of every function in :data:`PATCHES` and :data:`USED`;
its ``uninstall(("cjk",))`` undoes them.

Full-width quotes
-----------------
Measured with WeasyPrint 70 / Pango 1.50: the *Noto Serif CJK SC* face maps “ ” ‘ ’
to its full-width (1 em) glyphs, whatever ``lang`` is (zh-CN, en, none) — except
``lang="ja"`` (its ``locl`` gives proportional quotes) and except when a Latin font
that has quote glyphs comes earlier in ``font-family`` (DejaVu Serif: 0.51 em).
``@font-face { src: local(...); unicode-range: ... }`` tricks do not work in WeasyPrint
70 (``local()`` with a .ttc collection), and ``font-variant-east-asian: full-width``
also widens Latin letters and digits.  Hence :data:`CJK_BODY_CSS` puts the CJK face
first and relies on ``lang="zh-CN"`` on ``<html>``.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

# CSS for Chinese body text; the anthology and bulletin stylesheets include it.
CJK_BODY_CSS = """\
p:lang(zh) {
  /* CJK face first: its “ ” ‘ ’ are full width (1 em); Latin words use its Latin glyphs. */
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-variant-east-asian: normal;      /* no proportional-width / palt-style punctuation */
  font-feature-settings: normal;
  text-align: justify;                  /* inter-character, via xindelu.cjk_typeset */
  text-align-last: start;               /* last line of a paragraph stays natural */
  text-indent: 2em;                     /* two-character first-line indent */
  hyphens: manual;                      /* no hyphenation dictionary for Chinese */
  word-break: normal;
  overflow-wrap: break-word;            /* long URLs may break rather than overflow */
  letter-spacing: normal;
  word-spacing: normal;
  orphans: 2;
  widows: 2;
}
"""

# Line-start prohibited (closing punctuation, 行首禁则) and line-end prohibited (opening, 行尾禁则).
NO_LINE_START = frozenset(
    "，。、；：？！）」』》〉】〕〗〙〛｝］＞…‥”’·・々〻ゝゞヽヾー‼⁇⁈⁉．｡､｣）〞〟﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞"
)
NO_LINE_END = frozenset("（「『《〈【〔〖〘〚｛［＜“‘〝｢﹙﹛﹝")
# Full-width marks whose blank half is on the right (closing ones, and the comma, stops, colon…
# that Simplified Chinese sets at the left of their em) and on the left (opening ones).
BLANK_RIGHT = frozenset("，。、；：！？）」』》〉】〕〗〙〛”’")
BLANK_LEFT = frozenset("（「『《〈【〔〖〘〚“‘")
_PAIRED = BLANK_RIGHT | BLANK_LEFT
# Characters that must not be split when doubled (—— and ……).
NO_SPLIT_PAIRS = frozenset("—…‥")
# Punctuation that is full width in Chinese fonts but shared with Latin text.
_AMBIGUOUS = frozenset("“”‘’—…‥·")
_SPACES = frozenset(" \u00a0")
_ZERO_WIDTH = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")

_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FFF),  # radicals, ideographic description
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x33FF),  # kana, bopomofo, enclosed, compatibility
    (0x3400, 0x4DBF),  # ext. A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x20000, 0x3FFFF),  # ext. B–H
)


_CJK_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _CJK_RANGES)
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
# The combining marks inside _CJK_RANGES (ideographic tone marks, kana voicing marks);
# tests check this against unicodedata.
CJK_MARKS = "\u302a\u302b\u302c\u302d\u302e\u302f\u3099\u309a"
# A character that is not a plain CJK one: the gaps next to it need the full rule (is_gap).
# Between two plain CJK characters there is always an opportunity.
_NOT_PLAIN_CJK = re.compile(f"[^{_CJK_CLASS}]|[{CJK_MARKS}]")
# Characters whose UTF-8 form is not 3 bytes: the complement of U+0800-U+FFFF, spelt out
# (the negated class took 4 ms to compile, on every start of a process that makes a PDF).
_NOT_3_BYTES = re.compile("[\x00-\u07ff\U00010000-\U0010ffff]")


@functools.cache
def _c() -> tuple[Any, Any, int]:
    """WeasyPrint's cffi, its Pango library and TO_UNITS. Looked up once: the wrappers run
    several times per line, and an import statement there was about a percent of a book's CPU."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    return ffi, pango, TO_UNITS


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK ideograph, kana, hangul, or CJK/full-width punctuation."""
    return _CJK_CHAR.match(char) is not None


def utf8_offsets(text: str, indexes: list[int]) -> list[int]:
    """UTF-8 byte offsets of the character ``indexes`` (ascending) of ``text``."""
    if text.isascii():
        return list(indexes)
    if _NOT_3_BYTES.search(text) is None:  # all CJK / BMP punctuation: 3 bytes each
        return [3 * i for i in indexes]
    offsets, pos, byte = [], 0, 0
    for i in indexes:
        byte += len(text[pos:i].encode())
        pos = i
        offsets.append(byte)
    return offsets


def _is_mark(char: str) -> bool:
    return char in _ZERO_WIDTH or unicodedata.category(char) in ("Mn", "Mc", "Me") or 0xFE00 <= ord(char) <= 0xFE0F


def is_gap(before: str, after: str) -> bool:
    """Whether the gap between two non-space characters is an inter-character justification opportunity."""
    if before in _SPACES or after in _SPACES or _is_mark(after) or before in _ZERO_WIDTH:
        return False
    if before == after and before in NO_SPLIT_PAIRS:
        return False  # —— and …… are one two-em mark (often a single ligature glyph in CJK fonts)
    if is_cjk(before) or is_cjk(after):
        return True
    if before in _AMBIGUOUS:
        return not after.isalnum()
    if after in _AMBIGUOUS:
        return not before.isalnum()
    return False


def break_forbidden(before: str, after: str) -> bool:
    """Whether a line break between ``before`` and ``after`` violates the punctuation rules."""
    return after in NO_LINE_START or before in NO_LINE_END or (before == after and before in NO_SPLIT_PAIRS)


# --------------------------------------------------------------------------- justification (layout)


def _leaves(box) -> Iterator:
    """In-flow text boxes and atomic inline boxes of a line, in logical order."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _leaves(child)
    else:
        yield box


def _opportunities(line) -> dict[int, tuple]:
    """Map id(text box) → (box, [char indexes carrying one opportunity each])."""
    from weasyprint.formatting_structure import boxes

    leaves = list(_leaves(line))
    result: dict[int, tuple] = {}
    for index, leaf in enumerate(leaves):
        if not isinstance(leaf, boxes.TextBox) or not leaf.text:
            continue
        text = leaf.text
        following = ""  # first character of the next box when it is a text box
        for nxt in leaves[index + 1 :]:
            if isinstance(nxt, boxes.TextBox):
                if not nxt.text:
                    continue
                following = nxt.text[0]
            break
        chars = gap_indexes(text, following)
        if chars:
            result[id(leaf)] = (leaf, chars)
    return result


def gap_indexes(text: str, following: str = "") -> list[int]:
    """Indexes of the characters of ``text`` followed by a justification opportunity.

    ``following`` is the character after ``text`` on the line ("" at the line end). A space
    is always one; otherwise the gap to the next character is one when ``is_gap`` says so.
    Only gaps next to a character that is not plain CJK are checked one by one.
    """
    count = len(text)
    special = [m.start() for m in _NOT_PLAIN_CJK.finditer(text)]
    if not special:
        chars = list(range(count - 1))
    else:
        check = {i for s in special for i in (s - 1, s)}
        chars = [i for i in range(count - 1) if i not in check or text[i] in _SPACES or is_gap(text[i], text[i + 1])]
    if count and (text[-1] in _SPACES or (following and is_gap(text[-1], following))):
        chars.append(count - 1)
    return chars


def _has_cjk(line) -> bool:
    from weasyprint.formatting_structure import boxes

    return any(isinstance(leaf, boxes.TextBox) and _CJK_CHAR.search(leaf.text) for leaf in _leaves(line))


def _shift(box, per_gap: float, opportunities: dict, x_advance: float) -> float:
    """Apply extra widths and shift boxes, mirroring ``weasyprint.layout.inline.add_word_spacing``."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if (entry := opportunities.get(id(box))) is not None:
            chars = entry[1]
            # One opportunity per character index, so each offset gets one share.
            byte_offsets = dict.fromkeys(utf8_offsets(box.text, chars), per_gap)
            box._cjk_justify = (box.text, byte_offsets)
            extra = per_gap * len(chars)
            box.width += extra
            x_advance += extra
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        previous = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _shift(child, per_gap, opportunities, x_advance)
        box.width += x_advance - previous
    else:
        box.translate(x_advance, 0)
    return x_advance


def _make_justify_line(original):
    @functools.wraps(original)
    def justify_line(context, line, extra_width):
        if line.style["direction"] != "ltr" or extra_width <= 0 or not _has_cjk(line):
            return original(context, line, extra_width)
        opportunities = _opportunities(line)
        count = sum(len(chars) for _, chars in opportunities.values())
        if not count:
            return original(context, line, extra_width)
        _shift(line, extra_width / count, opportunities, 0)
        return None

    return justify_line


# --------------------------------------------------------------------------- justification (drawing)


# A PangoGlyphInfo is five 32-bit ints: glyph, geometry (width, x_offset, y_offset), attr
# (checked by declare()).
GLYPH_INFO_INTS = 5


def _widen_glyphs(textbox) -> None:
    ffi, pango, TO_UNITS = _c()
    text, extras = textbox._cjk_justify
    layout = textbox.pango_layout
    if layout.text != text:
        return
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    line, _ = layout.get_first_line()
    font_size = textbox.style["font_size"]
    offsets = sorted(extras)
    wanted = done = 0.0  # cumulative extra, in points
    quantum = font_size / 1000  # TJ adjustments are in 1/1000 em
    run = line.runs[0] if line.runs != ffi.NULL else ffi.NULL
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item = glyph_item.item
        if item.analysis.level % 2:
            continue  # RTL runs are never justified here
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        # Read at once, not one cffi access per glyph; widths written through the int array
        # the glyph infos are (see GLYPH_INFO_INTS).
        clusters = ffi.unpack(glyphs.log_clusters, count)
        ends = [*clusters[1:], item.length]
        infos = ffi.cast("int *", glyphs.glyphs)
        offset = item.offset
        # The glyphs' clusters follow each other (left to right): the offsets in a glyph's
        # cluster start where the last glyph's ended, so one index walks them all.
        k = bisect_left(offsets, offset + clusters[0]) if count else len(offsets)
        for i in range(count):
            if i + 1 < count and ends[i] == clusters[i]:
                continue  # not the last glyph of its cluster
            end = offset + ends[i]
            if k == len(offsets) or offsets[k] >= end:
                continue
            extra = extras[offsets[k]]
            k += 1
            while k < len(offsets) and offsets[k] < end:  # a cluster of several characters
                extra += extras[offsets[k]]
                k += 1
            wanted += extra
            quanta = round(wanted / quantum) - round(done / quantum)
            if quanta <= 0:
                continue
            step = quanta * quantum
            done += step
            # Round up so that WeasyPrint's int() truncation of the TJ value keeps every quantum.
            units = -int(-step * TO_UNITS // 1)
            infos[i * GLYPH_INFO_INTS + 1] += units  # geometry.width


def _make_draw_first_line(original):
    @functools.wraps(original)
    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if getattr(textbox, "_cjk_justify", None) and textbox.text.strip():
            _widen_glyphs(textbox)
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)

    return draw_first_line


# --------------------------------------------------------------------------- line breaking


def _class(chars: frozenset[str]) -> str:
    return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"


_CLOSING = re.compile(_class(NO_LINE_START))
_AFTER_OPENING = re.compile(_class(NO_LINE_END) + "[ \u00a0]*(?=[^ \u00a0])")  # ends at the next non-space
_DOUBLED = re.compile("(" + _class(NO_SPLIT_PAIRS) + ")[ \u00a0]*(?=\\1)")  # ends at the second of ——
_NON_SPACE = re.compile("[^ \u00a0]")


def _forbidden_breaks(text: str) -> list[tuple[int, int, int]]:
    """(index, start, end) of each forbidden break: before character ``index``, and the
    UTF-8 byte range covering the two characters around it.

    A break before character ``i`` is forbidden when ``i`` is closing punctuation, the last
    non-space before it is opening punctuation, or both are the same of —— / ……; trailing
    spaces do not count (a line end drops them). Each range runs from the character before
    ``i`` (a space, maybe) to the end of ``i``. Found with regular expressions: this runs on
    every text WeasyPrint sets into a Pango layout, several times per line.
    """
    first = _NON_SPACE.search(text)
    if first is None:
        return []
    lead = first.start()  # no break before the first non-space can be forbidden
    starts = {m.start() for m in _CLOSING.finditer(text, lead + 1)}
    starts.update(m.end() for m in _AFTER_OPENING.finditer(text, lead))
    starts.update(m.end() for m in _DOUBLED.finditer(text, lead))
    if not starts:
        return []
    ordered = sorted(starts)
    points = sorted({j for i in ordered for j in (i - 1, i + 1)})
    where = dict(zip(points, utf8_offsets(text, points), strict=True))
    return [(i, where[i - 1], where[i + 1]) for i in ordered]


def _forbidden_ranges(text: str) -> list[tuple[int, int]]:
    """UTF-8 byte ranges covering the two characters around each forbidden break."""
    return [(start, end) for _, start, end in _forbidden_breaks(text)]


# --------------------------------------------------------------------------- punctuation compression

# In a pair of adjacent marks the two blanks that meet become one (clreq §3.1.6, 标点挤压);
# Noto CJK's OpenType ``halt`` sets a mark half width. An opening mark after another mark
# loses its left half (”“  ：“  ，《  《“); else a closing mark before a closing one its right
# half (”，  。”  ）。). Never the first mark of a pair that a line may break inside (”|“):
# the line before would be measured with a half-width mark and drawn with a full one.
# Either rule, as one pattern: each match is one mark, so one scan finds them all, in order.
_HALT = re.compile(
    _class(BLANK_RIGHT) + "(?=" + _class(BLANK_RIGHT) + ")|(?<=" + _class(_PAIRED) + ")" + _class(BLANK_LEFT)
)
_PAIRED_PAIR = re.compile(_class(_PAIRED) + _class(_PAIRED))


def halt_indexes(text: str) -> list[int]:
    """Indexes of the marks of ``text`` set half width (punctuation compression)."""
    return [m.start() for m in _HALT.finditer(text)]


def _halt_ranges(text: str) -> list[tuple[int, int]]:
    """UTF-8 byte ranges of the marks set half width."""
    indexes = halt_indexes(text)
    if not indexes:
        return []
    points = sorted({j for i in indexes for j in (i, i + 1)})
    where = dict(zip(points, utf8_offsets(text, points), strict=True))
    return [(where[i], where[i + 1]) for i in indexes]


# The Pango functions the wrappers call beyond WeasyPrint's own declarations; xindelu.weasy_patches
# declares them (with the other modules') to WeasyPrint's cffi in one pass.
DECLARATIONS = (
    "PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);",
    "PangoAttrList * pango_attr_list_copy (PangoAttrList *list);",
    "PangoAttrList * pango_attr_list_ref (PangoAttrList *list);",
    "PangoWrapMode pango_layout_get_wrap (PangoLayout *layout);",
    "int pango_layout_get_width (PangoLayout *layout);",
)


def _set_forbidden(layout, ranges: list[tuple[int, int]]) -> None:
    """Give the Pango layout of ``layout`` (a WeasyPrint Layout) allow_breaks=FALSE on ``ranges``.

    On a private copy of its attribute list: the original list is kept, so that the next
    ``set_text`` starts from clean attributes.
    """
    ffi, pango, _ = _c()
    own = layout.__dict__.get("_cjk_attrs")
    if own is not None and pango.pango_layout_get_attributes(layout.layout) == own[1]:
        pango.pango_layout_set_attributes(layout.layout, own[0] if own[0] is not None else ffi.NULL)
    base = pango.pango_layout_get_attributes(layout.layout)
    if base == ffi.NULL:
        base_ref = None
        attrs = pango.pango_attr_list_new()
    else:
        base_ref = ffi.gc(pango.pango_attr_list_ref(base), pango.pango_attr_list_unref)
        attrs = pango.pango_attr_list_copy(base)
    attrs = ffi.gc(attrs, pango.pango_attr_list_unref)
    for start, end in ranges:
        attr = pango.pango_attr_allow_breaks_new(False)
        attr.start_index, attr.end_index = start, end
        pango.pango_attr_list_insert(attrs, attr)
    for start, end in layout.__dict__.get("_cjk_halts", ()):
        attr = pango.pango_attr_font_features_new(b"halt")
        attr.start_index, attr.end_index = start, end
        pango.pango_attr_list_insert(attrs, attr)
    pango.pango_layout_set_attributes(layout.layout, attrs)
    layout._cjk_attrs = (base_ref, attrs)


def _apply_forbidden(layout) -> None:
    """Forbid the punctuation breaks in the Pango layout of ``layout`` for its current wrap mode."""
    ffi, pango, _ = _c()
    breaks = _forbidden_breaks(layout.text)
    if not breaks:
        if layout.__dict__.get("_cjk_halts"):
            _set_forbidden(layout, [])
        return
    every = [(start, end) for _, start, end in breaks]
    if pango.pango_layout_get_wrap(layout.layout) != pango.PANGO_WRAP_WORD:
        _set_forbidden(layout, every)
        return
    # Word wrapping breaks only where Pango's own rules (UAX #14) allow a line break, and
    # those already forbid most of ours: an attribute is needed only where they allow it.
    # Asking Pango is cheaper than laying out with an attribute per punctuation mark.
    encoded = layout.text.encode()
    log_attrs = ffi.new("PangoLogAttr[]", len(layout.text) + 1)
    pango.pango_get_log_attrs(encoded, len(encoded), -1, layout.language, log_attrs, len(layout.text) + 1)
    needed = [(start, end) for index, start, end in breaks if log_attrs[index].is_line_break]
    if needed or layout.__dict__.get("_cjk_halts"):  # the compressed marks, in any case
        _set_forbidden(layout, needed)
    if len(needed) < len(every):
        # Character wrapping (WeasyPrint's last resort for an overlong line) needs them all.
        layout._cjk_char_breaks = every


_PARAGRAPH_BREAK = re.compile("[\n\r\x85\u2029]")  # where Pango may start a paragraph


def _make_set_text(original):
    @functools.wraps(original)
    def set_text(self, text, justify=False):
        ffi, pango, _ = _c()
        own = self.__dict__.pop("_cjk_attrs", None)
        self.__dict__.pop("_cjk_char_breaks", None)
        self.__dict__.pop("_cjk_pending", None)
        self.__dict__.pop("_cjk_halts", None)

        if own is not None and pango.pango_layout_get_attributes(self.layout) == own[1]:
            # Put back the original list, so that the original (and we) start from clean attributes.
            pango.pango_layout_set_attributes(self.layout, own[0] if own[0] is not None else ffi.NULL)
        original(self, text, justify)
        halts = _halt_ranges(self.text)
        if halts:
            # Widths change with them: set whether or not the line is broken here.
            self._cjk_halts = halts
        if not _PARAGRAPH_BREAK.search(self.text):
            # As it will be drawn (draw_first_line sets this mode, and a change throws the
            # lines away): a line's layout, kept for drawing (weasy_hooks.keep_for_drawing),
            # is shaped once. With no paragraph break in the text, the mode changes nothing else.
            pango.pango_layout_set_single_paragraph_mode(self.layout, True)
        if pango.pango_layout_get_width(self.layout) < 0:
            # No width, no line breaks: WeasyPrint sets the text of a line it has already
            # broken (and of every line it draws) this way, two of the three set_text calls
            # per line. The attributes wait until a width is set (see get_first_line).
            self._cjk_pending = True
            if halts:
                _set_forbidden(self, [])
            return
        _apply_forbidden(self)

    return set_text


def _make_get_first_line(original):
    @functools.wraps(original)
    def get_first_line(self):
        _, pango, _ = _c()
        if self.__dict__.get("_cjk_pending") and pango.pango_layout_get_width(self.layout) >= 0:
            del self._cjk_pending
            _apply_forbidden(self)
        every = self.__dict__.get("_cjk_char_breaks")
        if every is not None and pango.pango_layout_get_wrap(self.layout) != pango.PANGO_WRAP_WORD:
            del self._cjk_char_breaks
            _set_forbidden(self, every)
        return original(self)

    return get_first_line


def _make_can_break_text(original):
    @functools.wraps(original)
    def can_break_text(text, lang):
        if not original(text, lang):
            return False
        if not any(char in NO_LINE_START or char in NO_LINE_END or char in NO_SPLIT_PAIRS for char in text):
            return True
        from weasyprint.text.line_break import get_log_attrs

        log_attrs = get_log_attrs(text, lang)
        return any(
            log_attrs[i].is_line_break and not break_forbidden(text[:i].rstrip(" \u00a0")[-1:], text[i])
            for i in range(1, len(text))
        )

    return can_break_text


# --------------------------------------------------------------------------- the draft of a line

# WeasyPrint lays out a draft of the first max_width / font_size * 4 characters of a text to
# find its first line: for Latin text (about 2 characters per em) that is a line and a bit,
# for Chinese (1 em per character) four lines, each shaped, broken and given break
# attributes, and more than half of them thrown away. Chinese drafts here are a line and a
# half; the line found is the same because a break point depends only on the characters
# around it (UAX #14 and NO_LINE_START / NO_LINE_END look one character ahead), and a
# result is only taken when the draft runs on well past it.
DRAFT_LINES = 1.5
_DRAFT_SLACK = 8  # characters after the break point, at least, for a draft line to count
_DRAFT_UNSAFE = re.compile("[ \u00ad\n\r\t]")  # spaces and soft hyphens: WeasyPrint looks ahead for them


def _make_split_first_line(original):
    @functools.wraps(original)
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        def lay_out(draft: str):
            return original(draft, style, context, max_width, justification_spacing, is_line_start, minimum)

        font_size = style["font_size"]
        if (
            minimum
            or not font_size
            or max_width is None
            or max_width == math.inf
            or style["white_space"] != "normal"
            or style["hyphens"] == "auto"
            or font_size * 4 > max_width
        ):
            return lay_out(text)
        draft = int(max_width / font_size * DRAFT_LINES) + _DRAFT_SLACK
        weasyprint_draft = int(max_width / font_size * 4)
        if len(text) <= draft + _DRAFT_SLACK or _DRAFT_UNSAFE.search(text, 0, weasyprint_draft):
            return lay_out(text)
        if _PAIRED_PAIR.search(text, 0, draft + 1):
            # Compressed marks (halt_indexes) change widths with their neighbours: the whole
            # text decides, as WeasyPrint's own draft would (measured identical only so).
            return lay_out(text)
        result = lay_out(text[:draft])
        layout, _, resume_index, width = result[:4]
        if resume_index is None or width > max_width or len(layout.text) + _DRAFT_SLACK > draft:
            # The draft fits on one line (narrow characters), or the line overflows (an
            # unbreakable run): the whole text decides.
            return lay_out(text)
        return result

    return split_first_line


# --------------------------------------------------------------------------- what xindelu.weasy_patches installs

# (module path, attribute path, expected parameters, wrapper factory)
PATCHES = (
    ("weasyprint.layout.inline", "justify_line", ("context", "line", "extra_width"), _make_justify_line),
    ("weasyprint.layout.inline", "can_break_text", ("text", "lang"), _make_can_break_text),
    (
        "weasyprint.draw.text",
        "draw_first_line",
        ("stream", "textbox", "text_overflow", "block_ellipsis", "matrix"),
        _make_draw_first_line,
    ),
    ("weasyprint.text.line_break", "Layout.set_text", ("self", "text", "justify"), _make_set_text),
    ("weasyprint.text.line_break", "Layout.get_first_line", ("self",), _make_get_first_line),
    (
        "weasyprint.layout.inline",
        "split_first_line",
        ("text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"),
        _make_split_first_line,
    ),
)
# Internals the wrappers rely on without patching them.
USED = (
    ("weasyprint.layout.inline", "text_align", ("context", "line", "available_width", "last")),
    ("weasyprint.layout.inline", "add_word_spacing", ("context", "box", "justification_spacing", "x_advance")),
    ("weasyprint.text.line_break", "get_log_attrs", ("text", "lang")),
)


def check_glyph_info() -> None:
    """RuntimeError unless this Pango's glyph infos are laid out as _widen_glyphs writes them."""
    ffi, _, _ = _c()
    if (ffi.sizeof("PangoGlyphInfo"), ffi.offsetof("PangoGlyphInfo", "geometry")) != (4 * GLYPH_INFO_INTS, 4):
        raise RuntimeError("PangoGlyphInfo is not laid out as _widen_glyphs writes it")
