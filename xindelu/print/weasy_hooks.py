"""WeasyPrint 70 patches that are not typesetting: page layout speed-ups and the chunked book's hooks.

Only factories live here: ``factory(original, hooks)`` returns the wrapper of one WeasyPrint
function; ``hooks()`` gives the state of the render in progress (xindelu.weasy_patches.Hooks).
xindelu.weasy_patches checks the signatures and installs them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def skip_empty_margin_boxes(original: Callable, hooks: Callable) -> Callable:
    """WeasyPrint 70 makes all 16 margin boxes of every page (``make_margin_boxes``), resolving
    the lengths of each against its computed style, then sets the width, height, margins,
    paddings and borders of the boxes that generate nothing to 0 and lays out only the others.
    A book page has two with content (running head and folio): most of that style work was
    thrown away, a tenth of a page's layout. For an empty margin box, this sets only what is
    not reset afterwards (min/max sizes, which the margin-box layout never reads of it)."""
    from weasyprint.formatting_structure.boxes import MarginBox

    @functools.wraps(original)
    def resolve_percentages(box, containing_block):
        if type(box) is MarginBox and not box.is_generated:
            box.min_width = box.min_height = 0
            box.max_width = box.max_height = float("inf")
            return
        original(box, containing_block)

    return resolve_percentages


_KEPT = "_xindelu_kept"  # on a WeasyPrint Layout: its Pango objects, kept from line breaking for drawing
_DRAWN = "_xindelu_drawn"  # on a WeasyPrint Layout: reactivated for drawing (its Pango objects are not kept after)


def keep_for_drawing(original: Callable, hooks: Callable) -> Callable:
    """``Layout.deactivate``: a line's Pango layout, as line breaking leaves it, is kept for
    its drawing (see reuse_for_drawing) instead of dropped.

    Only when drawing would make it again the same: with no justification spacing (which
    drawing adds to Latin spaces; Chinese lines are justified by xindelu.print.cjk_typeset
    without it). Its text is the line's: WeasyPrint sets the broken line's text at no width,
    and a paragraph's last line is laid out alone, at the line's width, where it is one line
    as at no width. xindelu.print.cjk_typeset's break rules (Pango allow_breaks attributes)
    stay on it; they split no run of glyphs (a test checks this of the Pango installed), and
    the halt feature that does is set either way. A layout drawn once is dropped, as before:
    drawing widens its glyphs, and the next drawing of it starts from scratch."""

    @functools.wraps(original)
    def deactivate(self):
        if not self.__dict__.pop(_DRAWN, False) and not self.justification_spacing:
            self.__dict__[_KEPT] = (self.layout, self.language, self.style)
        original(self)

    return deactivate


def reuse_for_drawing(original: Callable, hooks: Callable) -> Callable:
    """``Layout.reactivate``: drawing a line takes the Pango layout its line breaking kept
    (keep_for_drawing) instead of making it again. WeasyPrint 70 made every line's Pango
    layout, set its text and shaped it twice (to break it, then to draw it): the second was
    3.5% of a book chunk's instructions. What it would make is the same: the style, text and
    attributes are those the line was broken with, at no width, in single-paragraph mode
    (set by xindelu.print.cjk_typeset's set_text)."""

    @functools.wraps(original)
    def reactivate(self, style):
        kept = self.__dict__.pop(_KEPT, None)
        self.__dict__[_DRAWN] = True
        if kept is not None and kept[2] is style:
            self.layout, self.language, self.style = kept
            return
        original(self, style)

    return reactivate


def after_pagination(original: Callable, hooks: Callable) -> Callable:
    """``make_all_pages``: calls ``hooks().paginated(pages, context, html)`` once the pages are
    made, before their margin boxes are (a book chunk learns its start folio there)."""

    @functools.wraps(original)
    def make_all_pages(context, root_box, html, pages):
        made = list(original(context, root_box, html, pages))
        paginated = hooks().paginated
        if paginated is not None:
            paginated(made, context, html)
        return made

    return make_all_pages


class _ExternalTarget:
    """Stands in for a target box laid out in another chunk (only page counters are asked)."""

    def __init__(self, counters: dict[str, list[int]]) -> None:
        self.cached_counter_values = counters

    def extract_text(self, _style: str) -> str:
        return ""


def external_targets(original: Callable, hooks: Callable) -> Callable:
    """``TargetCollector.lookup_target``: anchors laid out in other chunks (``hooks().external_targets``,
    anchor → folio) answer ``target-counter()`` as if they were in this document."""
    from weasyprint.css import targets

    @functools.wraps(original)
    def lookup_target(self, anchor_token, source_box, css_token, parse_again):
        external = hooks().external_targets
        if external:
            token = anchor_token
            if token[0] == "attr()":
                name, type_, fallback = token[1]
                if type_ == "string":
                    token = ("string", source_box.element.get(name, fallback))
            anchor = targets.anchor_name_from_token(token) if token[0] in ("string", "url") else None
            if anchor not in self.target_lookup_items and anchor in external:
                # Up to date, with the page counter known: no second pagination pass for it.
                counters = {"page": [external[anchor]]}
                item = targets.TargetLookupItem("up-to-date")
                item.target_box = _ExternalTarget(counters)
                item.cached_page_counter_values = counters
                return item
        return original(self, anchor_token, source_box, css_token, parse_again)

    return lookup_target


def mapped_colors(original: Callable, hooks: Callable) -> Callable:
    """``Stream.set_color``: draws ``hooks().colors[colour]`` in place of a colour the layout
    has (one edition of the book drawn from the layout of another: xindelu.print.pdf.Redraw)."""

    @functools.wraps(original)
    def set_color(self, color, stroke=False):
        colors = hooks().colors
        if colors:
            color = colors.get((color.space, *color), color)
        return original(self, color, stroke)

    return set_color
