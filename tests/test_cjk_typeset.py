"""xindelu.cjk_typeset: inter-character justification and punctuation line breaking in real WeasyPrint PDFs."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import pdfplumber
import pytest
import weasyprint
from hypothesis import given, settings
from hypothesis import strategies as st

from xindelu.core.errors import ContentErrors
from xindelu.print import cjk_typeset, weasy_patches

CJK = ("cjk",)

pytestmark = pytest.mark.skipif(
    not any(
        "Noto Serif CJK SC" in line
        for line in subprocess.run(["fc-list"], capture_output=True, text=True).stdout.splitlines()
    ),
    reason="fonts-noto-cjk (Noto Serif CJK SC) is not installed",
)

FONT_SIZE = 10.0
LINE_HEIGHT = 18.0
MARGIN = 20.0

PARAGRAPHS = [
    "清晨的雨刚停，街角那家书店便开了门。店主把昨夜淋湿的旧书一本本摊在窗台上晾晒，有人路过时问他：“这些书还能卖吗？”他笑着说：“书晒干了，字还在。”这句话我记了很多年。",
    "2026年春天，我们在县城的文化馆里办了一场读书会，来了三十多位老人和孩子。有人带来了《乡土中国》，有人带来了自己手抄的诗集（其中不少是五十年前写的），还有一位中学老师用5G手机现场直播，让外地的亲友也能听见。",
    "读书并不总是愉快的事。遇到艰涩的段落，我常常停下来，把句子抄在本子上，反复揣摩；等到某一天忽然明白，那种欣喜又是别的事情无法替代的。正如一位前辈所说：“慢慢读，读得慢，才读得进去。”",
    "这本文集用 Python 和 WeasyPrint 排版，每篇心得约1500字，全书共收录86篇；排版时我们反复比较了宋体与黑体的效果，最后选定了思源宋体。",
]

# Built so that naïve breaks put closing marks at a line start or opening marks at a line end:
# middle dots in names (Pango allows a break before ·), spaces inside quotes, punctuation at box boundaries.
TRICKY = [
    "俄国作家列夫·托尔斯泰写道：“幸福的家庭都是相似的。”读到这里，我想起玛丽·居里、约翰·斯图尔特·密尔，还有让-雅克·卢梭。",
    "他在黑板上写下“ 开始 ”两个字，又写下‘ 结束 ’，然后问：“你们懂了吗？”“懂了！”“真的？”“真的……”",
    "会上提到了<em>《人民日报》</em>，又提到了<em>“学讲话用讲话”</em>活动——大家都说：“好！”（掌声）「引号」『书名』【注】〔一〕。",
    "问：“为什么？” 答：“因为——” 再问：“然后呢？” 答：“……” 大家笑了，（笑声）又笑了，《书》《书》《书》。",
]


@dataclass
class Char:
    text: str
    x0: float
    x1: float


def render(paragraphs: list[str], width: float, css: str = "") -> bytes:
    style = (
        f"@page {{ size: {width}pt 3000pt; margin: {MARGIN}pt }} body {{ margin: 0 }}"
        f"{cjk_typeset.CJK_BODY_CSS}"
        f"p {{ font-size: {FONT_SIZE}pt; line-height: {LINE_HEIGHT}pt; margin: 0 0 {LINE_HEIGHT}pt }} {css}"
    )
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    html = f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{style}</style></head><body>{body}</body></html>'
    return weasyprint.HTML(string=html).write_pdf()


def paragraphs_lines(pdf: bytes) -> list[list[list[Char]]]:
    """Paragraphs → lines → visible chars (left to right), from the first page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[0].chars
    rows: dict[int, list[Char]] = {}
    for char in chars:
        if char["text"].strip():
            rows.setdefault(round(char["top"]), []).append(Char(char["text"], char["x0"], char["x1"]))
    paragraphs: list[list[list[Char]]] = []
    previous_top = None
    for top in sorted(rows):
        line = sorted(rows[top], key=lambda char: char.x0)
        if previous_top is None or top - previous_top > 1.5 * LINE_HEIGHT:
            paragraphs.append([])
        paragraphs[-1].append(line)
        previous_top = top
    return paragraphs


def text_of(line: list[Char]) -> str:
    return "".join(char.text for char in line)


@pytest.fixture
def patched() -> Iterator[None]:
    with weasy_patches.installed(CJK):
        yield


@pytest.fixture
def unpatched() -> Iterator[None]:
    was_installed = weasy_patches.is_installed("cjk")
    weasy_patches.uninstall(CJK)
    try:
        yield
    finally:
        if was_installed:
            weasy_patches.install(CJK)


def max_right_deviation(pdf: bytes, right: float) -> tuple[float, list[list[list[Char]]]]:
    paragraphs = paragraphs_lines(pdf)
    deviation = max(abs(line[-1].x1 - right) for lines in paragraphs for line in lines[:-1])
    return deviation, paragraphs


@pytest.mark.parametrize("width", [200, 233.7, 287, 341.3])
def test_non_final_lines_are_flush_and_final_lines_natural(patched, width: float) -> None:
    right = width - MARGIN
    deviation, paragraphs = max_right_deviation(render(PARAGRAPHS, width), right)
    assert deviation <= 0.5, f"max right-edge deviation {deviation:.3f} pt"
    assert len(paragraphs) == len(PARAGRAPHS)
    for lines in paragraphs:
        assert len(lines) >= 2
        # text-indent: 2em still applies on the first line
        assert lines[0][0].x0 == pytest.approx(MARGIN + 2 * FONT_SIZE, abs=0.05)
        assert all(line[0].x0 == pytest.approx(MARGIN, abs=0.05) for line in lines[1:])
        # last line: natural spacing (no gap between CJK advances), not flush
        last = lines[-1]
        assert last[-1].x1 < right - 1
        for before, after in pairwise(last):
            if cjk_typeset.is_cjk(before.text) and cjk_typeset.is_cjk(after.text):
                assert after.x0 - before.x1 == pytest.approx(0, abs=0.02), text_of(last)


def latin_inner_gaps(lines: list[list[Char]]) -> list[tuple[str, float]]:
    """Gaps between two adjacent ASCII letters/digits (inside Latin words and numbers); kerning included."""
    return [
        (before.text + after.text, round(after.x0 - before.x1, 2))
        for line in lines
        for before, after in pairwise(line)
        if before.text.isascii() and before.text.isalnum() and after.text.isascii() and after.text.isalnum()
    ]


@pytest.mark.parametrize("width", [200, 233.7])
def test_mixed_lines_stretch_spaces_and_cjk_gaps_not_latin_words(unpatched, width: float) -> None:
    (natural,) = paragraphs_lines(render([PARAGRAPHS[3]], width))
    with weasy_patches.installed(CJK):
        (lines,) = paragraphs_lines(render([PARAGRAPHS[3]], width))
    assert [text_of(line) for line in lines] == [text_of(line) for line in natural]
    assert len(lines) >= 3
    for line in lines[:-1]:
        assert line[-1].x1 == pytest.approx(width - MARGIN, abs=0.5), text_of(line)
    first = lines[0]
    assert "Python" in text_of(first)
    gaps = [after.x0 - before.x1 for before, after in pairwise(first)]
    assert sum(gap > 0.1 for gap in gaps) >= 5, "leftover width must be spread over many gaps"
    # same kerning, no extra space inside "Python", "WeasyPrint", "1500", "86"
    assert latin_inner_gaps(lines) == latin_inner_gaps(natural)
    assert len(latin_inner_gaps(lines)) >= 10


def test_without_install_lines_are_ragged(unpatched) -> None:
    width = 233.7
    deviation, _ = max_right_deviation(render(PARAGRAPHS, width), width - MARGIN)
    assert deviation > 2, "WeasyPrint alone does not justify Chinese: the flush test must measure something"


def line_break_violations(pdf: bytes) -> list[str]:
    problems = []
    for lines in paragraphs_lines(pdf):
        for number, line in enumerate(lines):
            text = text_of(line)
            if number and text[0] in cjk_typeset.NO_LINE_START:
                problems.append(f"starts with {text[0]}: {text}")
            if number < len(lines) - 1 and text[-1] in cjk_typeset.NO_LINE_END:
                problems.append(f"ends with {text[-1]}: {text}")
    return problems


WIDTHS = [112 + 9.7 * i for i in range(20)]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_forbidden_punctuation_at_line_edges(patched, width: float) -> None:
    pdf = render(TRICKY + PARAGRAPHS[:3], width)
    assert line_break_violations(pdf) == []
    deviation, _ = max_right_deviation(pdf, width - MARGIN)
    assert deviation <= 0.5


def test_tricky_text_breaks_badly_without_install(unpatched) -> None:
    problems = [problem for width in WIDTHS for problem in line_break_violations(render(TRICKY, width))]
    assert problems, "the tricky input must provoke at least one bad break in plain WeasyPrint/Pango"


def test_chinese_quotes_are_full_width(patched) -> None:
    text = "他说“你好”她答‘再见’然后“Hello”一声。"  # no two marks side by side: none compressed
    (lines,) = paragraphs_lines(render([text], 600))
    (line,) = lines
    quotes = [(char, after) for char, after in pairwise(line) if char.text in "“”‘’"]
    assert len(quotes) == 6
    for char, after in quotes:
        assert char.x1 - char.x0 == pytest.approx(FONT_SIZE, abs=0.01)
        assert after.x0 - char.x0 == pytest.approx(FONT_SIZE, abs=0.01)  # real advance, last line is unstretched


def test_install_is_idempotent_and_uninstall_restores(unpatched) -> None:
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    originals = (inline.justify_line, inline.can_break_text, draw_text.draw_first_line, line_break.Layout.set_text)
    weasy_patches.install(CJK)
    once = (inline.justify_line, inline.can_break_text, draw_text.draw_first_line, line_break.Layout.set_text)
    weasy_patches.install(CJK)
    assert (inline.justify_line, inline.can_break_text, draw_text.draw_first_line, line_break.Layout.set_text) == once
    assert all(new is not old for new, old in zip(once, originals, strict=True))
    weasy_patches.uninstall(CJK)
    assert (
        inline.justify_line,
        inline.can_break_text,
        draw_text.draw_first_line,
        line_break.Layout.set_text,
    ) == originals


def test_install_refuses_other_weasyprint_versions(unpatched, monkeypatch) -> None:
    assert weasyprint.__version__ == weasy_patches.EXPECTED_VERSION, (
        f"WeasyPrint is now {weasyprint.__version__}: re-check the internals patched by xindelu.weasy_patches"
    )
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(ContentErrors, match=r"WeasyPrint 是 71\.0 版"):
        weasy_patches.install(CJK)
    assert not weasy_patches.is_installed("cjk")


def test_install_refuses_changed_internals(unpatched, monkeypatch) -> None:
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    monkeypatch.setattr(inline, "justify_line", lambda context, line, extra_width, method: None)
    with pytest.raises(ContentErrors, match="justify_line"):
        weasy_patches.install(CJK)
    monkeypatch.undo()
    monkeypatch.delattr(line_break.Layout, "set_text")
    with pytest.raises(ContentErrors, match="set_text"):
        weasy_patches.install(CJK)
    monkeypatch.undo()
    assert not weasy_patches.is_installed("cjk")


def test_install_in_fresh_interpreter() -> None:
    """Importing and installing works before anything else has imported WeasyPrint's internals."""
    code = (
        "from xindelu.print import weasy_patches; weasy_patches.install(); weasy_patches.install();"
        "import weasyprint.layout.inline as i; assert all(map(weasy_patches.is_installed, weasy_patches.GROUPS))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(cjk_typeset.__file__).rsplit("/xindelu/", 1)[0])


def test_line_before_forced_break_stays_natural(patched) -> None:
    width = 233.7
    text = "第一段诗句写在这里，<br>第二行很短。<br>" + PARAGRAPHS[0]
    (lines,) = paragraphs_lines(render([text], width))
    assert text_of(lines[0]) == "第一段诗句写在这里，"
    assert text_of(lines[1]) == "第二行很短。"
    for line in lines[:2]:
        assert line[-1].x1 < width - MARGIN - 10
        assert all(after.x0 - before.x1 == pytest.approx(0, abs=0.02) for before, after in pairwise(line))
    for line in lines[2:-1]:
        assert line[-1].x1 == pytest.approx(width - MARGIN, abs=0.5), text_of(line)


# ---------------------------------------------------------------- the fast paths against the plain rules


def _gaps_by_rule(text: str, following: str) -> list[int]:
    """The opportunity rule, character by character (what gap_indexes computes faster)."""
    chars = []
    for i, char in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else following
        if char in " \u00a0" or (after and cjk_typeset.is_gap(char, after)):
            chars.append(i)
    return chars


def _ranges_by_rule(text: str) -> list[tuple[int, int]]:
    """The forbidden-break rule, character by character (what _forbidden_ranges computes faster)."""
    ranges, offset, previous, last = [], 0, None, ""
    for char in text:
        size = len(char.encode())
        if last and char not in " \u00a0" and cjk_typeset.break_forbidden(last, char):
            ranges.append((previous, offset + size))
        if char not in " \u00a0":
            last = char
        previous, offset = offset, offset + size
    return ranges


ALPHABET = [
    *"，。、；：？！）」』》…”’（「『《“‘——……‥ \u00a0abcXYZ12中文字词·・　\u302a\u3099\u0301\u200b\ufe0fé",
    "\U00020000",
]


def test_fast_paths_follow_the_rules_on_random_text() -> None:
    import random

    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        following = rng.choice(["", "中", "a", "”", " ", "—", "\u0301"])
        assert cjk_typeset.gap_indexes(text, following) == _gaps_by_rule(text, following), (text, following)
        assert cjk_typeset._forbidden_ranges(text) == _ranges_by_rule(text), text
    for text in (*PARAGRAPHS, *TRICKY):
        assert cjk_typeset._forbidden_ranges(text) == _ranges_by_rule(text)
        assert cjk_typeset.gap_indexes(text) == _gaps_by_rule(text, "")


def test_cjk_marks_are_the_combining_marks_in_the_cjk_ranges() -> None:
    import unicodedata

    marks = {
        chr(code)
        for low, high in cjk_typeset._CJK_RANGES
        for code in range(low, high + 1)
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
    }
    assert marks == set(cjk_typeset.CJK_MARKS)


def test_utf8_offsets() -> None:
    for text in ("abc", "中文字", "a中\U00020000b。", ""):
        indexes = list(range(len(text) + 1))
        assert cjk_typeset.utf8_offsets(text, indexes) == [len(text[:i].encode()) for i in indexes]


# The edges of the 3-byte UTF-8 range, alone (a text of them is often all 3-byte but one
# character) or beside any other (surrogates cannot be encoded).
_UTF8_EDGES = "\x7f\x80\u07ff\u0800\ud7ff\ue000\uffff\U00010000\U0010ffff中。"
_UTF8_TEXT = st.text(st.sampled_from(_UTF8_EDGES), max_size=8) | st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=12
)


@settings(max_examples=300)
@given(_UTF8_TEXT, st.data())
def test_utf8_offsets_are_those_of_the_encoded_text(text: str, data) -> None:
    indexes = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    assert cjk_typeset.utf8_offsets(text, indexes) == [len(text[:i].encode()) for i in indexes]


# Latin words longer than the line: WeasyPrint falls back to character wrapping (PANGO_WRAP_CHAR).
OVERLONG = [
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz，好的。ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz。”对！"
]
NARROW = [60 + 3 * i for i in range(24)]


def test_character_wrapping_keeps_the_punctuation_rules(patched) -> None:
    assert [problem for width in NARROW for problem in line_break_violations(render(OVERLONG, width))] == []


def test_character_wrapping_breaks_badly_without_install(unpatched) -> None:
    assert [problem for width in NARROW for problem in line_break_violations(render(OVERLONG, width))]


def _text_boxes(html: str) -> list[tuple[str, float, float, float]]:
    """(text, x, y, width) of every laid-out text box: the lines as WeasyPrint broke them."""
    from weasyprint.formatting_structure import boxes

    document = weasyprint.HTML(string=html).render()
    return [
        (box.text, round(box.position_x, 3), round(box.position_y, 3), round(box.width, 3))
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    ]


DRAFT_ALPHABET = [*"中文字词读书学习，。、；：？！（）《》“”——……·abcXYZ12 \u00ad", "2026", "WeasyPrint"]


def test_short_drafts_break_lines_where_weasyprint_own_drafts_do(patched, monkeypatch) -> None:
    import random

    import weasyprint.layout.inline as inline

    rng = random.Random(11)
    paragraphs = [*PARAGRAPHS, *TRICKY, *OVERLONG]
    for _ in range(40):
        # Mostly Chinese, like the books; sometimes Latin words, spaces and soft hyphens (the slow path).
        weights = [30] * 26 + [1] * (len(DRAFT_ALPHABET) - 26)
        paragraphs.append("".join(rng.choices(DRAFT_ALPHABET, weights, k=rng.randint(20, 400))))
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    cases = []
    for width, size in ((150, 10.0), (233.7, 10.5), (341.3, 9.0), (400, 14.0)):
        style = (
            f"@page {{ size: {width}pt 800pt; margin: {MARGIN}pt }} body {{ margin: 0 }}"
            f"{cjk_typeset.CJK_BODY_CSS} p {{ font-size: {size}pt; line-height: 1.8; margin: 0 }}"
        )
        cases.append(f'<html lang="zh-CN"><head><style>{style}</style></head><body>{body}</body></html>')
    short = [_text_boxes(html) for html in cases]
    drafted = inline.split_first_line
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[0])
        return drafted.__wrapped__(*args, **kwargs)

    monkeypatch.setattr(inline, "split_first_line", counting)
    own = [_text_boxes(html) for html in cases]
    assert short == own
    # The short draft was really taken: most lines start from texts longer than a draft.
    assert sum(len(text) > 200 for text in calls) > 100


@settings(max_examples=300)
@given(st.text(st.sampled_from("，。”“（）《》：‘’、中文a —"), max_size=12))
def test_halt_indexes_are_the_marks_of_either_rule(text: str) -> None:
    """A closing mark before a closing one, or an opening mark after any paired mark."""
    paired = cjk_typeset.BLANK_RIGHT | cjk_typeset.BLANK_LEFT
    expected = [
        i
        for i, char in enumerate(text)
        if (char in cjk_typeset.BLANK_RIGHT and text[i + 1 : i + 2] in cjk_typeset.BLANK_RIGHT and i + 1 < len(text))
        or (char in cjk_typeset.BLANK_LEFT and i > 0 and text[i - 1] in paired)
    ]
    assert cjk_typeset.halt_indexes(text) == expected
