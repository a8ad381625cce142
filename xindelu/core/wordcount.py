"""The 字数 rule of ../shared/DESIGN.md §3, as Chinese word processors count it.

Each CJK ideograph (all extensions) is 1, each CJK or full-width punctuation
mark is 1, each run of Latin letters and/or digits is 1, white space is 0.
Other symbols (ASCII punctuation, emoji) count 1 each, as WPS and Word do.
"""

from __future__ import annotations

import re

# Runs of ASCII/full-width/Latin-1 letters and digits count as one word.
_ALNUM = r"[0-9A-Za-z\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
# A decimal point or apostrophe inside a run keeps it one word: 3.5, 1,200, don't.
_WORD = re.compile(_ALNUM + r"(?:[.,'’]" + _ALNUM + ")*")


# What counts 0: white space (incl. U+3000) and invisible control/format characters.
_UNCOUNTED = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")


def count_zi(text: str) -> int:
    """Count 字 in plain text (Markdown syntax already removed).

    Regex substitutions instead of a per-character loop: this runs on every
    article of every build (10,000 in the benchmark).
    """
    rest, words = _WORD.subn("", text)
    return words + len(_UNCOUNTED.sub("", rest))
