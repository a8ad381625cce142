"""Text and attribute values escaped for XML (feeds, sitemap, inline SVG).

The same bytes as ``xml.sax.saxutils.escape`` and ``quoteattr``, which are not imported:
``xml.sax.saxutils`` imports ``urllib.request`` (and with it ``http.client`` and ``email``),
20-28 ms of every build that makes a page.
"""

from __future__ import annotations

import html

_ATTR_CONTROLS = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def xml_text(text: str) -> str:
    """``text`` with &, < and > escaped, for XML character data."""
    return html.escape(text, quote=False)


def xml_attr(text: str) -> str:
    """``text`` escaped and quoted as an XML attribute value (double quotes unless it holds
    one and no single quote; a double quote is escaped only when it holds both)."""
    value = html.escape(text, quote=False).translate(_ATTR_CONTROLS)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'
