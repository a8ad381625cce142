"""WeasyPrint 70 shortcuts that change no byte: the same answers, asked for less.

A page of the book costs WeasyPrint about 27 ms of CPU, and a sixth of that went to Python
bookkeeping around the layout rather than to the layout: computing style values nobody set
(a property without a declaration is its parent's value or its initial one), asking each
value whether it is a ``calc()`` (70,000 times per chunk, nearly all plain strings and
lengths), resolving the same margins and paddings for the same style and containing block
once per line and per page attempt, measuring the same strut again, and walking every child
of a paragraph for its page name when only the first and last count; and the HTML parser
built its regexes again for every run of text, its own cache being keyed wrongly.

Each factory takes WeasyPrint's function and returns one that gives what it gives (or
calls it); xindelu.weasy_patches checks the signatures and installs them as the "speed"
group. Memos live on the style object they depend on: a style WeasyPrint changes during
layout (a ``::first-line``, a flex item) is always a fresh copy first, so no memo outlives
the values it was made from. tests/test_weasy_shortcuts.py renders with and without them.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable

from xindelu.print.cjk_typeset import GLYPH_INFO_INTS

_USED = "_xindelu_used"  # on a style: (containing block, page box?) → the used lengths of its box
_SQUARE = "_xindelu_square"  # on a style: whether every corner has a zero radius
_CONTEXTS = "_xindelu_contexts"  # on a FontConfiguration: (direction, lang) → its Pango context
_PAGE_STYLES = "_xindelu_page_styles"  # on a StyleFor: a page's declarations → its styles (new_page_pseudos)
_BARE = "_xindelu_bare"  # on a style: whether its box draws nothing behind it (bare_backgrounds)

# What resolve_percentages sets on a box: every one a function of the box's style and its
# containing block (and of whether the box is a page).
USED_LENGTHS = (
    *(f"{edge}_{side}" for edge in ("margin", "padding") for side in ("left", "right", "top", "bottom")),
    "width",
    "min_width",
    "max_width",
    "height",
    "min_height",
    "max_height",
    *(f"border_{side}_width" for side in ("top", "right", "bottom", "left")),
)


@functools.cache
def _plain_types() -> frozenset[type]:
    """The types of value that are never math: strings, numbers, lengths, None."""
    from weasyprint.css.properties import Dimension

    return frozenset({str, int, float, bool, type(None), Dimension})


def plain_check_math(original: Callable, hooks: Callable) -> Callable:
    """``check_math(token)``: plain values (strings, numbers, lengths, None) are never math, and a
    tuple is math when one of its items is; only the rest goes to WeasyPrint's own test."""
    plain = _plain_types()

    @functools.wraps(original)
    def check_math(token):
        kind = type(token)
        if kind in plain:
            return None
        if kind is tuple:
            return any(map(check_math, token))
        return original(token)

    return check_math


def unset_values(original: Callable, hooks: Callable) -> Callable:
    """``ComputedStyle.__missing__``: a property with no declaration (most of them, for most
    elements) computes to its parent's value when inherited and to its initial value when not
    (unless that one needs computing). The original reaches the same value through every
    special case; these keys have none (not float / display / position / page, not a text
    decoration or a custom property). A physical property (``padding_left``) is one of them
    when its logical counterpart for the style's direction (``padding_inline_start``) has no
    declaration either: the original takes the logical one's declaration in its place.
    A declared value of these keys that is plain (not a keyword, a ``var()`` or math) is
    computed as the original computes it, without its dozen checks for the other cases."""
    from weasyprint.css import COMPUTER_FUNCTIONS, PHYSICAL_FUNCTIONS, check_math
    from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES

    plain = _plain_types()

    simple = frozenset(
        key
        for key in INITIAL_VALUES
        if key not in ("float", "display", "position", "page") and not key.startswith(("text_decoration_", "__"))
    )

    @functools.wraps(original)
    def __missing__(self, key):
        if key not in simple:
            return original(self, key)
        cascaded = self.cascaded
        logical = PHYSICAL_FUNCTIONS.get(key)
        if key in cascaded:
            # Declared: computed from its declaration (when the logical counterpart's does not
            # win), unless it is a keyword, a var() or math the original resolves first.
            value, weight = cascaded[key]
            kind = type(value)
            if not (kind in plain or kind is tuple) or value == "inherit" or value == "initial":
                return original(self, key)
            if logical is not None:
                other = cascaded.get(logical(block="ttb", inline=self["direction"]))
                if other is not None and other[1] >= weight:
                    return original(self, key)
            if kind is tuple and check_math(value):
                return original(self, key)
            compute = COMPUTER_FUNCTIONS.get(key)
            if compute is not None:
                value = compute(self, key, value)
            self[key] = value
            return value
        if logical is not None and logical(block="ttb", inline=self["direction"]) in cascaded:
            return original(self, key)
        parent = self.parent_style
        if parent is not None and key in INHERITED:
            value = parent[key]
        elif key in INITIAL_NOT_COMPUTED:
            return original(self, key)
        else:
            value = INITIAL_VALUES[key]
        if type(value) in plain or not check_math(value):
            self[key] = value
            return value
        return original(self, key)

    return __missing__


def in_flow_at_once(original: Callable, hooks: Callable) -> Callable:
    """``Box.is_in_normal_flow``: five questions to the style (float twice, position three
    times) asked as two lookups."""

    @functools.wraps(original)
    def is_in_normal_flow(self):
        style = self.style
        float_ = style["float"]
        if float_ in ("left", "right", "inline-start", "inline-end", "footnote"):
            return False
        position = style["position"]
        return not (position in ("absolute", "fixed") or position[0] in ("running()", "note()"))

    return is_in_normal_flow


def page_values_from_ends(original: Callable, hooks: Callable) -> Callable:
    """``ParentBox.page_values``: the page names come from the first and the last child in flow
    (or floated); the original lists every child to find them, for every sibling of every block
    laid out."""
    from weasyprint.formatting_structure.boxes import ParentBox

    def counts(child) -> bool:
        return child.is_in_normal_flow() or child.is_floated()

    @functools.wraps(original)
    def page_values(self):
        start_value, end_value = super(ParentBox, self).page_values()
        first = next((child for child in self.children if counts(child)), None)
        if first is None:
            return start_value, end_value
        last = next(child for child in reversed(self.children) if counts(child))
        if first is last:
            first_start, last_end = first.page_values()
        else:
            first_start, last_end = first.page_values()[0], last.page_values()[1]
        return first_start or start_value, last_end or end_value

    return page_values


def remembered_percentages(original: Callable, hooks: Callable) -> Callable:
    """``resolve_percentages(box, containing_block)``: the used lengths of a style in a containing
    block are resolved once; a box with the same style there (each line and page attempt lays
    a box out again, and split boxes share their style) takes them as they were. Not with
    collapsed borders, whose widths come from the table rather than the style."""
    from weasyprint.formatting_structure.boxes import Box, PageBox

    @functools.wraps(original)
    def resolve_percentages(box, containing_block):
        if isinstance(containing_block, Box):
            key = (containing_block.width, containing_block.height, isinstance(box, PageBox))
        else:
            key = (*containing_block, isinstance(box, PageBox))
        style = box.style
        memo = style.__dict__.get(_USED)
        if memo is None:
            memo = style.__dict__[_USED] = {}
        used = memo.get(key)
        if used is not None:
            box.__dict__.update(used)
            return
        original(box, containing_block)
        if style["border_collapse"] != "collapse":
            values = box.__dict__
            memo[key] = {name: values[name] for name in USED_LENGTHS}

    return resolve_percentages


def _once_per_style(attribute: str) -> Callable[[Callable, Callable], Callable]:
    """A factory: ``function(style)`` computed once per style, its answer kept on the style."""

    def factory(original: Callable, hooks: Callable) -> Callable:
        @functools.wraps(original)
        def once(style):
            found = style.__dict__.get(attribute)
            if found is None:
                found = style.__dict__[attribute] = original(style)
            return found

        return once

    return factory


# ``strut(style)``: WeasyPrint caches it by a key it builds, each call, from sixteen of the
# style's values (a tenth of a line box's layout).
remembered_strut = _once_per_style("_xindelu_strut")
# ``get_font_description(style)`` for a Pango layout: Pango copies the description into each
# layout it is set on, so one serves every layout of the style.
remembered_font_description = _once_per_style("_xindelu_font")


def square_corners(original: Callable, hooks: Callable) -> Callable:
    """``resolve_radii_percentages(box)``: a style whose four corners each have a zero radius
    (every box of a book but a few) gives four (0, 0) at once, as the original does corner by
    corner, for every box drawn."""
    corners = (
        "border_top_left_radius",
        "border_top_right_radius",
        "border_bottom_right_radius",
        "border_bottom_left_radius",
    )

    @functools.wraps(original)
    def resolve_radii_percentages(box):
        style = box.style
        square = style.__dict__.get(_SQUARE)
        if square is None:
            square = style.__dict__[_SQUARE] = all((0, "px") in style[corner] for corner in corners)
        if not square:
            return original(box)
        for corner in corners:
            setattr(box, corner, (0, 0))

    return resolve_radii_percentages


def bare_backgrounds(original: Callable, hooks: Callable) -> Callable:
    """``layout_box_backgrounds(page, box, …)``: a box whose style draws nothing behind it (a
    transparent background colour, no background image, border image, mask border or shadow:
    every box of a book but a few) gets its corners and no background, as the original gives
    it after a dozen style lookups per box; its children are laid out as before."""
    import sys

    from weasyprint.draw.color import get_color

    module = sys.modules[original.__module__]

    def bare(style) -> bool:
        found = style.__dict__.get(_BARE)
        if found is None:
            found = style.__dict__[_BARE] = (
                style["border_image_source"][0] == "none"
                and style["mask_border_source"][0] == "none"
                and not style["box_shadow"]
                and (
                    style["visibility"] == "hidden"
                    or (
                        all(kind != "url" and not value for kind, value in style["background_image"])
                        and get_color(style, "background_color").alpha == 0
                    )
                )
            )
        return found

    @functools.wraps(original)
    def layout_box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
        if style is not None or box is page or not bare(box.style):
            return original(page, box, get_image_from_uri, layout_children, style)
        module.resolve_radii_percentages(box)
        if layout_children:
            for child in box.all_children():
                layout_box_backgrounds(page, child, get_image_from_uri)
        box.background = None

    return layout_box_backgrounds


def glyph_runs_at_once(original: Callable, hooks: Callable) -> Callable:
    """``draw_first_line(stream, textbox, …)``: a line's glyphs read a run at a time (one cffi
    call for its glyph infos) instead of a field at a time, its TJ string joined once. The
    same calls on the stream, the same strings and the same fonts' glyphs and widths as the
    original's; a line it does not cover (an ellipsis, an empty or missing glyph, a raised
    glyph, a bitmap, colour or SVG font) is drawn by the original. The stream's fonts are
    asked in the same order either way (``Stream.add_font`` keeps each font it gives)."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    old_pango = pango.pango_version() < 14802  # WeasyPrint's workaround for Pango #530
    empty, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG

    @functools.wraps(original)
    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if text_overflow == "ellipsis" or block_ellipsis != "none":
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []
        layout = textbox.pango_layout
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        first_line, _ = layout.get_first_line()
        runs = []
        previous = font = font_size = None
        run = first_line.runs[0]
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            count = glyph_item.glyphs.num_glyphs
            pango_font = glyph_item.item.analysis.font
            new_font = pango_font != previous
            if new_font:
                previous = pango_font
                font, font_size = stream.add_font(pango_font)
                if font.bitmap or font.png or font.svg or font.colr:
                    return original(stream, textbox, text_overflow, block_ellipsis, matrix)
                if old_pango:
                    font_size = textbox.style["font_size"]
            # PangoGlyphInfo: glyph, width, x_offset, y_offset, attributes.
            infos = ffi.unpack(ffi.cast("int *", glyph_item.glyphs.glyphs), count * GLYPH_INFO_INTS)
            glyphs = infos[0::GLYPH_INFO_INTS]
            if any(glyph == empty or glyph & unknown for glyph in glyphs) or any(infos[3::GLYPH_INFO_INTS]):
                return original(stream, textbox, text_overflow, block_ellipsis, matrix)
            runs.append((new_font, pango_font, font, font_size, glyph_item, glyphs, infos))
        stream.set_text_matrix(*matrix.values)
        parts: list[str] = []
        utf8_text = None
        for new_font, pango_font, font, font_size, glyph_item, glyphs, infos in runs:
            if new_font:
                if parts:
                    stream.show_text("".join(parts))
                parts = []
                stream.set_font_size(font.hash, font_size)
            parts.append("<")
            to_unicode, widths = font.to_unicode, font.widths
            clusters = None
            count = len(glyphs)
            for i, glyph in enumerate(glyphs):
                if glyph not in to_unicode:
                    item = glyph_item.item
                    if clusters is None:
                        clusters = ffi.unpack(glyph_item.glyphs.log_clusters, count)
                    start = clusters[i]
                    if item.analysis.level % 2:  # right to left
                        end = item.length if i == 0 else clusters[i - 1]
                    else:
                        end = item.length if i == count - 1 else clusters[i + 1]
                    utf8_text = utf8_text or layout.text.encode()
                    to_unicode[glyph] = utf8_text[item.offset + start : item.offset + end].decode()
                offset = infos[i * GLYPH_INFO_INTS + 2] / font_size
                if offset:
                    parts.append(f">{-offset}<")
                parts.append(f"{glyph:04x}")
                logical_width = widths.get(glyph)
                if logical_width is None:
                    pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect, stream.logical_rect)
                    logical_width = widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
                kerning = logical_width + offset - infos[i * GLYPH_INFO_INTS + 1] * 1000 * FROM_UNITS / font_size
                if kerning:
                    parts.append(f">{int(kerning)}<")
            # Close the run's glyphs as the original does: a string ending with "<" loses it.
            if parts[-1][-1] == "<":
                parts[-1] = parts[-1][:-1]
            else:
                parts.append(">")
        stream.show_text("".join(parts))
        return []  # no emojis: a line with any is drawn by the original

    return draw_first_line


def shared_contexts(original: Callable, hooks: Callable) -> Callable:
    """``Layout.setup(self, style)``: WeasyPrint makes a Pango context for every layout (every
    line drafted, broken and drawn), each set alike from the style's direction and language.
    Here one context per font configuration, direction and language serves every layout made
    with them; nothing changes a context once made, so each layout is as the original makes it.
    The rest is the original's, step for step."""
    from weasyprint.text import line_break
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features

    def context(style) -> tuple:
        override = style["font_language_override"]
        lang = LST_TO_ISO.get(override.lower(), override) if override != "normal" else style["lang"] or None
        contexts = style.font_config.__dict__.setdefault(_CONTEXTS, {})
        key = (style["direction"], lang)
        found = contexts.get(key)
        if found is None:
            pango_context = ffi.gc(
                pango.pango_font_map_create_context(style.font_config.font_map), gobject.g_object_unref
            )
            pango.pango_context_set_round_glyph_positions(pango_context, False)
            pango.pango_context_set_base_dir(pango_context, PANGO_DIRECTION[style["direction"]])
            lang_p, lang_bytes = unicode_to_char_p(lang) if lang is not None else (None, b"")
            if lang_bytes:
                language = pango.pango_language_from_string(lang_p)
                pango.pango_context_set_language(pango_context, language)
            else:
                language = pango.pango_language_get_default()
            found = contexts[key] = (pango_context, language)
        return found

    @functools.wraps(original)
    def setup(self, style):
        self.style = style
        self.first_line_direction = 0
        pango_context, self.language = context(style)
        font_description = line_break.get_font_description(style)
        self.layout = ffi.gc(pango.pango_layout_new(pango_context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, font_description)
        if style["text_decoration_line"] != "none":
            metrics = ffi.gc(
                pango.pango_context_get_metrics(pango_context, font_description, self.language),
                pango.pango_font_metrics_unref,
            )
            self.ascent = FROM_UNITS * pango.pango_font_metrics_get_ascent(metrics)
            self.underline_position = FROM_UNITS * pango.pango_font_metrics_get_underline_position(metrics)
            self.strikethrough_position = FROM_UNITS * pango.pango_font_metrics_get_strikethrough_position(metrics)
            self.underline_thickness = FROM_UNITS * pango.pango_font_metrics_get_underline_thickness(metrics)
            self.strikethrough_thickness = FROM_UNITS * pango.pango_font_metrics_get_strikethrough_thickness(metrics)
        else:
            self.ascent = self.underline_position = self.strikethrough_position = None
        features = font_features(
            style["font_kerning"],
            style["font_variant_ligatures"],
            style["font_variant_position"],
            style["font_variant_caps"],
            style["font_variant_numeric"],
            style["font_variant_alternates"],
            style["font_variant_east_asian"],
            style["font_feature_settings"],
        )
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attr = style.font_config.font_features.setdefault(features, pango.pango_attr_font_features_new(features))
            attr_list = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attr_list, attr)
            pango.pango_layout_set_attributes(self.layout, attr_list)

    return setup


def new_page_pseudos(original: Callable, hooks: Callable) -> Callable:
    """``set_page_type_computed_styles(page_type, html, style_for)``: the styles of a page and
    its margin boxes, computed once per set of declarations rather than once per page.

    A page's type holds its index, so every page is a new type with styles of its own, and
    WeasyPrint computed them all again: the page's, then those of each margin box, looked for
    among the cascaded styles of every element of the document. A style is computed from its
    cascaded declarations, its parent's style and the root's, never from the element (the page
    type) it is for, so a page whose declarations are the very ones of an earlier page (the
    same values, from the same rules, with the same weights) takes that page's styles. Their
    values, and the memos kept on them (the strut, the used lengths), are computed once for
    all the pages of a running head. The margin boxes of a new page type are the cascaded
    styles its declarations have just added, the last keys of the (insertion-ordered) dict; a
    page type seen before adds nothing, and is looked for as the original does."""

    @functools.wraps(original)
    def set_page_type_computed_styles(page_type, html, style_for):
        cascaded = style_for.get_cascaded_styles()
        before = len(cascaded)
        style_for.add_page_declarations(page_type)
        added = len(cascaded) - before
        keys = list(itertools.islice(reversed(cascaded), added))[::-1] if added else list(cascaded)
        pseudos = [pseudo for element, pseudo in keys if pseudo and element == page_type]
        # The declarations' values are the stylesheet's own objects, alive as long as style_for;
        # a weight is (precedence, layer, specificity), the specificity a page selector's list.
        declared = tuple(
            (
                pseudo,
                tuple((name, id(value), *weight[:2], *weight[2]) for name, (value, weight) in declarations.items()),
            )
            for pseudo in (None, *pseudos)
            if (declarations := cascaded.get((page_type, pseudo))) is not None
        )
        shared = style_for.__dict__.setdefault(_PAGE_STYLES, {})
        computed = style_for.get_computed_styles()
        if (styles := shared.get(declared)) is not None:
            for pseudo, style in styles:
                computed[page_type, pseudo] = style
            return
        root = html.etree_element
        style_for.set_computed_styles(page_type, root=root, parent=root, base_url=html.base_url)
        for pseudo in pseudos:
            style_for.set_computed_styles(
                page_type, pseudo_type=pseudo, root=root, parent=page_type, base_url=html.base_url
            )
        shared[declared] = tuple((pseudo, computed[page_type, pseudo]) for pseudo in (None, *pseudos))

    return set_page_type_computed_styles


def cached_char_runs(original: Callable, hooks: Callable) -> Callable:
    """tinyhtml5's ``HTMLUnicodeInputStream.chars_until`` (WeasyPrint's HTML parser) keeps a regex
    per set of characters, but stores it under the regex itself (``characters = cache[key] =
    regex`` binds ``characters`` first), so it is never found: every call builds the pattern
    again, a quarter of parsing a chunk's HTML. The same regex, put where it is looked for."""
    from tinyhtml5 import inputstream

    cache = getattr(inputstream, "characters_until_regex", None)
    if not isinstance(cache, dict):  # another tinyhtml5: its own way
        cache = None

    @functools.wraps(original)
    def chars_until(self, characters, opposite=False):
        key = (characters, opposite)
        if cache is not None and key not in cache:
            regex = "".join([f"\\x{ord(character):02x}" for character in characters])
            if not opposite:
                regex = f"^{regex}"
            cache[key] = re.compile(f"[{regex}]+")
        return original(self, characters, opposite)

    return chars_until


def _everywhere(
    name: str, modules: tuple[str, ...], parameters: tuple[str, ...], factory: Callable
) -> tuple[tuple[str, str, tuple[str, ...], Callable], ...]:
    # A function other modules took with ``from … import``: each of them holds it by name.
    return tuple((module, name, parameters, factory) for module in modules)


# (module, attribute path, expected parameters, factory): installed by xindelu.weasy_patches.
PATCHES = (
    *_everywhere(
        "check_math",
        (
            "weasyprint.css.functions",
            "weasyprint.css",
            "weasyprint.css.tokens",
            "weasyprint.css.computed_values",
            "weasyprint.layout.inline",
            "weasyprint.layout.preferred",
            "weasyprint.layout.percent",
        ),
        ("token",),
        plain_check_math,
    ),
    ("weasyprint.css", "ComputedStyle.__missing__", ("self", "key"), unset_values),
    ("weasyprint.formatting_structure.boxes", "Box.is_in_normal_flow", ("self",), in_flow_at_once),
    ("weasyprint.formatting_structure.boxes", "ParentBox.page_values", ("self",), page_values_from_ends),
    # Not weasyprint.layout.page's: it lays out margin boxes only, and is patched there already
    # (xindelu.weasy_hooks.skip_empty_margin_boxes).
    *_everywhere(
        "resolve_percentages",
        (
            "weasyprint.layout.percent",
            "weasyprint.layout.inline",
            "weasyprint.layout.block",
            "weasyprint.layout.float",
            "weasyprint.layout.absolute",
            "weasyprint.layout.column",
            "weasyprint.layout.table",
            "weasyprint.layout.grid",
        ),
        ("box", "containing_block"),
        remembered_percentages,
    ),
    *_everywhere(
        "strut",
        (
            "weasyprint.text.line_break",
            "weasyprint.layout.inline",
            "weasyprint.css.units",
            "weasyprint.css.computed_values",
        ),
        ("style",),
        remembered_strut,
    ),
    ("weasyprint.text.line_break", "get_font_description", ("style",), remembered_font_description),
    ("weasyprint.text.line_break", "Layout.setup", ("self", "style"), shared_contexts),
    ("weasyprint.layout.background", "resolve_radii_percentages", ("box",), square_corners),
    (
        "weasyprint.layout.background",
        "layout_box_backgrounds",
        ("page", "box", "get_image_from_uri", "layout_children", "style"),
        bare_backgrounds,
    ),
    ("weasyprint.layout.page", "set_page_type_computed_styles", ("page_type", "html", "style_for"), new_page_pseudos),
    (
        "tinyhtml5.inputstream",
        "HTMLUnicodeInputStream.chars_until",
        ("self", "characters", "opposite"),
        cached_char_runs,
    ),
)
# Shortcuts that stand in for WeasyPrint's own function beneath other groups' wrappers of it
# (xindelu.weasy_patches installs them first): xindelu.print.cjk_typeset widens a line's
# glyphs before WeasyPrint draws them.
BENEATH = (
    (
        "weasyprint.draw.text",
        "draw_first_line",
        ("stream", "textbox", "text_overflow", "block_ellipsis", "matrix"),
        glyph_runs_at_once,
    ),
)
