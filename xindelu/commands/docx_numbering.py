"""Word's automatic numbering, computed the way Word shows it.

numbering.xml holds abstract lists (w:abstractNum: one definition per level — start value,
number format, label text such as "%1.%2" or "（%2）", restart rule) and list instances
(w:num: a numId pointing at an abstract list, optionally overriding a level's start value or
whole definition). A paragraph names a numId and a level (ilvl), directly or through its style.

Counter semantics (what Word does, and what the importer must reproduce so that "（六）" stays
"（六）"):
- paragraphs whose numIds share an abstract list share one set of counters, so a list that is
  split by ordinary paragraphs, or restarted as a "new" list by copy and paste, continues;
- a numId with a startOverride is its own list instance: it starts from the override value;
- numbering a level resets every deeper level (or only those whose lvlRestart allows it);
- a parent level that was never used shows its start value minus one (Word's "0.1").

`Numbering.parse` reads the XML once; `Counter` walks the paragraphs in document order and
returns the visible label for each. Both are local to one import: no module state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(element: Any, default: str = "") -> str:
    if element is None:
        return default
    return element.get(_w("val"), default)


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""  # lvlText, e.g. "%1." or "第%1章"; "" when the level has none
    restart: int = -1  # lvlRestart: -1 default (restart after any higher level), 0 never, n after level n
    legal: bool = False  # isLgl: show every level's number in decimal
    suffix: str = "tab"  # what separates the label from the text: tab, space, nothing
    style: str = ""  # pStyle: the paragraph style bound to this level


@dataclass(frozen=True)
class Instance:
    abstract: str
    starts: dict[int, int]  # lvlOverride/startOverride
    levels: dict[int, Level]  # lvlOverride/lvl: a whole level redefined


@dataclass(frozen=True)
class Label:
    text: str  # the label exactly as Word shows it, e.g. "（六）", "1.2", "第三章"; "" for none
    fmt: str  # the level's number format ("bullet" for a bullet)
    value: int
    level: int
    suffix: str
    simple: bool  # a plain "%n." decimal label that Markdown's ordered list can show as is


@dataclass(frozen=True)
class Numbering:
    abstracts: dict[str, dict[int, Level]]
    instances: dict[str, Instance]

    @classmethod
    def parse(cls, root: Any, style_num_ids: dict[str, str] | None = None) -> Numbering:
        """``root`` is numbering.xml's root element (or None); ``style_num_ids`` maps a numbering
        style id to its numId, for abstract lists that only point at a style (numStyleLink)."""
        if root is None:
            return cls({}, {})
        abstracts: dict[str, dict[int, Level]] = {}
        links: dict[str, str] = {}
        for node in root.iterchildren(_w("abstractNum")):
            aid = node.get(_w("abstractNumId"), "")
            abstracts[aid] = {int(lvl.get(_w("ilvl"), "0")): _level(lvl) for lvl in node.iterchildren(_w("lvl"))}
            link = node.find(_w("numStyleLink"))
            if link is not None:
                links[aid] = _val(link)
        instances: dict[str, Instance] = {}
        for num in root.iterchildren(_w("num")):
            ref = num.find(_w("abstractNumId"))
            if ref is None:
                continue
            starts: dict[int, int] = {}
            levels: dict[int, Level] = {}
            for override in num.iterchildren(_w("lvlOverride")):
                ilvl = int(override.get(_w("ilvl"), "0"))
                start = override.find(_w("startOverride"))
                if start is not None and _val(start).lstrip("-").isdigit():
                    starts[ilvl] = int(_val(start))
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
            instances[num.get(_w("numId"), "")] = Instance(_val(ref), starts, levels)
        # An abstract list that only says "use the list of numbering style X" takes X's levels.
        for aid, style_id in links.items():
            target = instances.get((style_num_ids or {}).get(style_id, ""))
            if target is not None and target.abstract != aid and abstracts.get(target.abstract):
                abstracts[aid] = abstracts[target.abstract]
        return cls(abstracts, instances)

    def levels(self, num_id: str) -> dict[int, Level]:
        instance = self.instances.get(num_id)
        if instance is None:
            return {}
        merged = dict(self.abstracts.get(instance.abstract, {}))
        merged.update(instance.levels)
        return merged

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        """The level bound to ``style_id`` (heading styles carry a numId but often no ilvl)."""
        for ilvl, level in self.levels(num_id).items():
            if level.style == style_id:
                return ilvl
        return None


def _level(lvl: Any) -> Level:
    start = lvl.find(_w("start"))
    fmt = lvl.find(_w("numFmt"))
    text = lvl.find(_w("lvlText"))
    restart = lvl.find(_w("lvlRestart"))
    style = lvl.find(_w("pStyle"))
    suffix = lvl.find(_w("suff"))
    start_value = _val(start, "1")
    restart_value = _val(restart, "")
    return Level(
        start=int(start_value) if start_value.lstrip("-").isdigit() else 1,
        fmt=_val(fmt, "decimal") or "decimal",
        text=_val(text, "") if text is not None else "",
        restart=int(restart_value) if restart_value.isdigit() else -1,
        legal=lvl.find(_w("isLgl")) is not None and _val(lvl.find(_w("isLgl")), "1") not in ("0", "false", "off"),
        suffix=_val(suffix, "tab") or "tab",
        style=_val(style, ""),
    )


@dataclass
class Counter:
    """Counters of one document walk, per list instance (abstract list, or a numId with overrides)."""

    numbering: Numbering
    values: dict[str, dict[int, int]] = field(default_factory=dict)

    def next(self, num_id: str, ilvl: int) -> Label | None:
        """Count one numbered paragraph; its label, or None when the numId has no such list."""
        instance = self.numbering.instances.get(num_id)
        if instance is None:
            return None
        levels = self.numbering.levels(num_id)
        if ilvl not in levels:
            if not levels:
                return None
            ilvl = max(k for k in levels if k <= ilvl) if any(k <= ilvl for k in levels) else min(levels)
        key = f"num:{num_id}" if instance.starts else f"abstract:{instance.abstract}"
        counters = self.values.setdefault(key, {})
        level = levels[ilvl]
        if ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = instance.starts.get(ilvl, level.start)
        for deeper in [k for k in counters if k > ilvl]:
            rule = levels.get(deeper, Level()).restart
            if rule == -1 or (rule > 0 and ilvl < rule):
                del counters[deeper]
        if level.fmt == "bullet":
            return Label(level.text, "bullet", 0, ilvl, level.suffix, False)

        def number(match: re.Match[str]) -> str:
            which = int(match.group(1)) - 1
            lvl = levels.get(which, Level())
            value = counters.get(which, instance.starts.get(which, lvl.start) - 1)
            fmt = "decimal" if (level.legal and lvl.fmt != "decimalZero") else lvl.fmt
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        simple = level.fmt == "decimal" and level.text == f"%{ilvl + 1}."
        return Label(text, level.fmt, counters[ilvl], ilvl, level.suffix, simple)


_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str = "零一二三四五六七八九", units: str = "十百千") -> str:
    """Chinese counting: 10 → 十, 21 → 二十一, 105 → 一百零五."""
    if n <= 0:
        return digits[0]
    if n >= 10000:
        return str(n)
    parts = []
    text = str(n)
    zero = False
    for i, ch in enumerate(text):
        d = int(ch)
        place = len(text) - i - 1
        if d == 0:
            zero = True
            continue
        if zero and parts:
            parts.append(digits[0])
        zero = False
        parts.append(digits[d] + (units[place - 1] if place else ""))
    result = "".join(parts)
    if 10 <= n < 20 and digits[1] == "一":
        result = result[1:]  # 十一, not 一十一
    return result


def _letters(n: int, upper: bool) -> str:
    if n <= 0:
        return str(n)
    letter = chr((ord("A") if upper else ord("a")) + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)  # Word repeats: Z, AA, BB


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """One number in a Word number format (ST_NumberFormat); unknown formats fall back to decimal."""
    if fmt in ("none", "bullet"):
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}" if n < 10 else str(n)
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        return _letters(n, fmt == "upperLetter")
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "ideographTraditional_counting", "koreanCounting", "taiwaneseCountingThousand",
               "japaneseDigitalTenThousand"):  # fmt: skip
        return _chinese(n)
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional", "japaneseLegal"):
        return _chinese(n, _LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "koreanDigital"):
        return "".join(_DIGITS[int(c)] for c in str(n)) if n >= 0 else str(n)
    if fmt == "ideographTraditional":
        return _STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(c)) for c in str(n)) if n >= 0 else str(n)
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return str(n)
