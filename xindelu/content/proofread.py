"""Proofreading of article bodies: likely typos and punctuation slips, reported as warnings.

Pure: text in, ContentError(warning=True) out, each with the file line and a suggestion.
Code spans, fenced code, URLs and link targets are never checked. The rules:

- words from ``site_config.yaml`` ``proofreading`` (wrong → right), which editors extend;
- half-width , . ; : ? ! ( ) inside Chinese text;
- a doubled function word (的的, 了了), with the legitimate doubles (的的确确, 不了了之) spared;
- unbalanced “” 《》 （）;
- a space between two Han characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from xindelu.content.config import ProofreadingRule
from xindelu.core.errors import ContentError

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_MASK = "\ufffc"  # stands in for masked characters: neither Han, nor space, nor punctuation

# What is never proofread: fenced code, inline code, URLs, link/image targets, autolinks, e-mail.
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}).*?$.*?(?:^(?P=fence)[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE = (
    re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL),
    re.compile(r"\]\([^)\n]*\)"),
    re.compile(r"<(?:https?|mailto|ftp):[^>\s]*>"),
    re.compile(r"(?:https?|ftp)://[^\s<>\u3000-\u303f\uff00-\uffef" + _HAN + r"]+"),
    re.compile(r"www\.[A-Za-z0-9.-]+[^\s<>\u3000-\u303f\uff00-\uffef" + _HAN + r"]*"),
    re.compile(r"[\w.+-]+[@＠][\w-]+(?:\.[\w-]+)+"),
    re.compile(r"^\[[^^\]\n][^\]\n]*\]:[ \t]*\S+", re.MULTILINE),  # reference-style link definitions
    re.compile(r"<[A-Za-z/!][^>\n]*>"),  # raw HTML tags
)
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)")

_HALF_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}
_HALF_PUNCT = re.compile(rf"(?<=[{_HAN}])[ ]?(\.{{3,}}|[,;:?!.])[ ]?(?=[{_HAN}])")
_HALF_PARENS = re.compile(rf"\(([^()\n]*[{_HAN}][^()\n]*)\)")
_HAN_SPACE = re.compile(rf"(?<=[{_HAN}])[ \t\u3000\u00a0]+(?=[{_HAN}])")

# Function words that are (almost) never doubled, with the contexts where the double is right:
# (char, not-before regex, not-after regex).
_DOUBLES: tuple[tuple[str, str, str], ...] = (
    ("的", "[目标]", "确"),  # 目的的实现, 的的确确
    ("了", "[不时一]", "[之然]"),  # 不了了之, 小时了了, 了了然
    ("地", "", "[道]"),  # 地地道道
    ("得", "", ""),
    ("在", "[实自]", ""),  # 实实在在
    ("是", "", "[非否]"),  # 是是非非, 就是是否
    ("和", "", "[气美睦]"),  # 和和气气
    ("与", "", ""),
    ("及", "", ""),
    ("把", "", "[关脉]"),  # 把把关
    ("被", "", ""),
    ("就", "", ""),
    ("也", "", ""),
    ("都", "", ""),
    ("而", "", ""),
    ("并", "", ""),
    ("将", "", ""),
    ("从", "", "[容]"),  # 从从容容
    ("于", "", ""),
    ("其", "", ""),
    ("对", "", "[联]"),  # 对对联
)
_PAIRS = (("“", "”", "引号"), ("《", "》", "书名号"), ("（", "）", "括号"))


def proofread(path: str, body: str, first_line: int, words: Sequence[ProofreadingRule] = ()) -> list[ContentError]:
    """Every finding in ``body`` (which starts at file line ``first_line``), in line order."""
    original = body.split("\n")
    lines = mask_code_and_urls(body).split("\n")
    found: list[ContentError] = []
    for index, line in enumerate(lines):
        for column, message, hint in _line_findings(line, words):
            excerpt = _context(original[index], column)
            found.append(ContentError(path, first_line + index, f"{message}：{excerpt}", hint, warning=True))
    for index, column, message, hint in _unbalanced(lines):
        excerpt = _context(original[index], column)
        found.append(ContentError(path, first_line + index, f"{message}：{excerpt}", hint, warning=True))
    return sorted(set(found))


def mask_code_and_urls(body: str) -> str:
    """The body with code, URLs and link targets replaced by a neutral mark, lines kept in place."""

    def blank(match: re.Match[str]) -> str:
        return "".join(ch if ch == "\n" else _MASK for ch in match.group(0))

    text = _FENCE.sub(blank, body)
    for pattern in _INLINE:
        text = pattern.sub(blank, text)
    lines = text.split("\n")
    in_code = False
    for i, line in enumerate(lines):
        previous_blank = i == 0 or not lines[i - 1].strip()
        if _INDENTED_CODE.match(line) and line.strip() and (in_code or previous_blank) and not _is_list_item(lines, i):
            lines[i] = _MASK * len(line)
            in_code = True
        elif line.strip():
            in_code = False
    return "\n".join(lines)


def _is_list_item(lines: list[str], index: int) -> bool:
    """Indented lines right under a list item are its continuation, not code."""
    for line in reversed(lines[:index]):
        if not line.strip():
            continue
        return bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line))
    return False


def _line_findings(line: str, words: Sequence[ProofreadingRule]) -> Iterator[tuple[int, str, str]]:
    for rule in words:
        if not rule.wrong:
            continue
        right_spans = [(m.start(), m.end()) for m in re.finditer(re.escape(rule.right), line)] if rule.right else []
        for match in re.finditer(re.escape(rule.wrong), line):
            if any(start <= match.start() and match.end() <= end for start, end in right_spans):
                continue
            yield match.start(), f"疑似错别字“{rule.wrong}”", f"应为“{rule.right}”"
    for match in _HALF_PUNCT.finditer(line):
        mark = match.group(1)
        if mark.startswith("..."):
            yield match.start(1), f"中文里用了半角省略号“{mark}”", "改为中文省略号“……”"
        else:
            yield match.start(1), f"中文里用了半角标点“{mark}”", f"改为全角“{_HALF_WIDTH[mark]}”"
    for match in _HALF_PARENS.finditer(line):
        yield match.start(), "中文里用了半角括号“( )”", f"改为全角括号“（{match.group(1)}）”"
    for char, not_before, not_after in _DOUBLES:
        pattern = ""
        if not_before:
            pattern += f"(?<!{not_before})"
        pattern += char + char
        if not_after:
            pattern += f"(?!{not_after})"
        for match in re.finditer(pattern, line):
            if _run_length(line, match.start(), char) > 2:
                continue  # 哈哈哈-like runs are deliberate
            yield match.start(), f"重复的“{char}{char}”", f"一般应删去一个“{char}”"
    for match in _HAN_SPACE.finditer(line):
        yield match.start(), "汉字之间有空格", "删去空格；若是有意分隔（如标语），可不改"


def _run_length(line: str, start: int, char: str) -> int:
    end = start
    while end < len(line) and line[end] == char:
        end += 1
    while start > 0 and line[start - 1] == char:
        start -= 1
    return end - start


def _unbalanced(lines: list[str]) -> Iterator[tuple[int, int, str, str]]:
    """Per paragraph (lines up to a blank line): closers without openers, openers never closed.

    A quotation running over several paragraphs opens each one with “ and closes only the
    last, so an unclosed “ followed by a paragraph that opens with “ is not reported.
    """
    paragraphs: list[list[int]] = []
    for index, line in enumerate(lines):
        if line.strip():
            if paragraphs and paragraphs[-1][-1] == index - 1 and not _starts_block(line):
                paragraphs[-1].append(index)
            else:
                paragraphs.append([index])
    for number, paragraph in enumerate(paragraphs):
        following = lines[paragraphs[number + 1][0]].lstrip("#>-*+ \t\u3000") if number + 1 < len(paragraphs) else ""
        for opener, closer, name in _PAIRS:
            stack: list[tuple[int, int]] = []
            for index in paragraph:
                for column, ch in enumerate(lines[index]):
                    if ch == opener:
                        stack.append((index, column))
                    elif ch == closer:
                        if stack:
                            stack.pop()
                        else:
                            yield (
                                index,
                                column,
                                f"{name}不成对：有 {closer} 而前面没有 {opener}",
                                (f"在前面补上 {opener}，或删去这个 {closer}"),
                            )
            if opener == "“" and stack and following.startswith("“"):
                continue
            for index, column in stack:
                yield (
                    index,
                    column,
                    f"{name}不成对：有 {opener} 而后面没有 {closer}",
                    f"在后面补上 {closer}，或删去这个 {opener}",
                )


def _starts_block(line: str) -> bool:
    """Headings, list items, quotes and table rows are their own paragraphs."""
    return bool(re.match(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)", line))


def _context(line: str, column: int, width: int = 8) -> str:
    """A short excerpt around the finding, so the editor can find it with Ctrl+F."""
    start = max(0, column - width)
    end = min(len(line), column + width + 2)
    excerpt = line[start:end].strip()
    return f"“{'…' if start > 0 else ''}{excerpt}{'…' if end < len(line) else ''}”"
