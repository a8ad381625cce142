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
