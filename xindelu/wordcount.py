"""The 字数 rule of DESIGN.md §3, as Chinese word processors count it.

Each CJK ideograph (all extensions) is 1, each CJK or full-width punctuation
mark is 1, each run of Latin letters and/or digits is 1, white space is 0.
Other symbols (ASCII punctuation, emoji) count 1 each, as WPS and Word do.
"""

from __future__ import annotations

import re
import unicodedata

# Runs of ASCII/full-width/Latin-1 letters and digits count as one word.
_ALNUM = r"[0-9A-Za-z\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
# A decimal point or apostrophe inside a run keeps it one word: 3.5, 1,200, don't.
_WORD = re.compile(_ALNUM + r"(?:[.,'’]" + _ALNUM + ")*")


def count_zi(text: str) -> int:
    """Count 字 in plain text (Markdown syntax already removed)."""
    total = 0
    for piece in _WORD.split(text):
        for ch in piece:
            if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ":
                total += 1
    return total + len(_WORD.findall(text))
