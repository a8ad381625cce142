"""xindelu.weasy_shortcuts: WeasyPrint with the "speed" shortcuts gives the bytes and the values
it gives without them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import tinycss2
import weasyprint
from hypothesis import given, settings
from hypothesis import strategies as st

from xindelu.print import weasy_patches, weasy_shortcuts

weasy_patches.weasyprint()  # the patches' own imports first (fontTools deferred), then the names below
from weasyprint.css.properties import Dimension  # noqa: E402

SPEED = ("speed",)
T = TypeVar("T")

# Every case a shortcut leaves to WeasyPrint, beside the ones it takes: calc() and percentages
# in lengths, border-box sizing, collapsed table borders, a flex item (a style copied and
# changed during layout), ::first-line and ::first-letter, floats, running elements and a
# footnote, named pages, margin boxes, logical properties, custom properties and text
# decorations (inherited or propagated specially).
RICH = (
    """
<html lang="zh-CN"><style>
  :root { --gap: 3mm }
  @page { size: 120mm 150mm; margin: 16mm 14mm; @top-center { content: element(head) }
          @bottom-center { content: counter(page) } }
  @page :first { margin: 10mm 8mm }  /* wider than the pages after: a box split across them is resolved twice */
  @page wide { size: 150mm 120mm; margin: 10% }
  header { position: running(head); font-size: 8pt }
  body { font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt; line-height: 1.8 }
  p { text-align: justify; text-indent: 2em; margin: 0 0 var(--gap) }
  .padded { padding: 0 6% 0 8%; border-left: 2pt solid }
  p.first::first-line { color: #a00; letter-spacing: 0.1em }
  p.drop::first-letter { font-size: 200%; float: left }
  .box { box-sizing: border-box; width: calc(100% - 20mm); padding: 2mm 5%; border: 1pt solid;
         margin-inline-start: 4mm; min-height: 12mm; max-width: 90% }
  .flex { display: flex; gap: 2mm } .flex > div { flex: 1; min-width: auto; border: 0.5pt solid }
  table { border-collapse: collapse; width: 80% } td { border: 1pt solid; padding: 1mm 2% }
  .sep { border-spacing: 2pt; border-collapse: separate } .sep td { border: 0.5pt dashed }
  .float { float: right; width: 30%; margin-left: 2mm; border-radius: 10%; background: #eef; border: 1pt solid }
  .round { border-radius: 2mm 0 4mm 0 / 1mm; background: #fee; padding: 1mm } .pill { border-radius: 50% }
  @page { @top-left { content: "左" } @top-right { content: string(part) } @bottom-right { content: "右" } }
  h2 { string-set: part content() }
  .wide { page: wide } .abs { position: absolute; top: 5mm; right: 5mm; width: 20mm }
  u { text-decoration: underline wavy } .note { float: footnote }
  .both { margin-inline-start: 7mm; margin-left: 1mm; padding-inline-end: 2mm; padding-right: 5mm; border: 0.5pt solid }
  div.both.strong { margin-left: 3mm }
  h2 { break-before: page; font-size: calc(1em + 4pt); border-bottom: 2pt double }
</style><body>
<header>心得选编 · 第一辑</header>
<div class="padded"><p>"""
    + "从第一页跨到第二页的段落，两页的版心不一样宽。" * 24
    + """</p></div>
<p class="first">学习贯彻党的创新理论，要在学懂弄通做实上下功夫。“学而思、学而信”，在推动工作上见实效；
<u>以学促干</u>，把学习成果转化为推动高质量发展的具体举措，做到知行合一、学用相长。</p>
<p class="drop">调查研究是谋事之基、成事之道。<span class="note">注：见《调查研究工作方案》。</span>
我们走进田间地头、车间班组，听真话、察实情，形成问题清单十二项。</p>
<div class="box"><p>边框盒子里的段落，宽度用 calc() 与百分比，内边距也是百分比。</p></div>
<div class="flex"><div>左栏：理论学习</div><div>右栏：实践转化，篇幅稍长一些的说明文字</div></div>
<table><tr><td>单位</td><td>篇数</td></tr><tr><td>长沙市</td><td>12</td></tr></table>
<table class="sep"><tr><td>分隔边框</td><td>8</td></tr></table>
<div class="float">浮动的说明框，圆角边框。</div>
<p class="round">圆角的段落<span class="pill round">和圆角的行内框</span>。</p>
<p>"""
    + "认真学习，深入思考，" * 40
    + """</p>
<div class="abs">绝对定位</div>
<div><div><section class="wide"><h3>横排页面</h3><p>命名页面上的段落：它的名字经外层的块传到兄弟之间。</p></section></div></div>
<h2>第二部分</h2><p lang="en">Latin text with spaces, justified by word spacing when drawn.</p>
<p>零宽的字：甲\u200b乙\u00ad丙；没有字形的字：\U0001d11e\ue000；带附加符号的字母：x\u0301\u0323 e\u0308；
<bdo dir="rtl">鑫淼焱垚 xyz 犇骉</bdo>；<span style="font-family: DejaVu Sans, serif">שָׁלוֹם עולם</span>；<span style="font-family: monospace">mono 混排 fonts</span>；上标<sup>2</sup>。</p>
<p style="width: 30mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis">一行放不下时以省略号结尾的文字</p>
<p style="visibility: hidden">看不见的段落，也有边框 <span style="border: 1pt solid">框</span></p>
<div style="box-shadow: 1mm 1mm 2mm #888">有阴影的块</div>
<div style="background-image: linear-gradient(#fff, #ccd); color: #369; background-color: currentcolor">渐变与当前色</div>
<p lang="ja" style="font-language-override: 'ZHS'">語言覆蓋的段落</p><p lang="">没有语言的段落</p>
<p lang="ja">直骨曜</p><p lang="zh-CN">直骨曜</p><p lang="zh-TW">直骨曜</p>
<p>马克思·恩格斯选集</p><p style="font-family: DejaVu Sans, serif">x\u0323\u0301 q\u0307 a\u0330</p>
<div class="both">逻辑属性与物理属性都声明了：同权重时逻辑属性优先。</div>
<div class="both strong">物理属性的选择器更具体时，物理属性优先。</div>
<table style="border-spacing: calc(0.2em + 1pt) 2pt; border-collapse: separate"><tr><td>计算间距</td></tr></table>
<p style="background: #eee; word-spacing: calc(0.2em + 2pt)">计算的背景尺寸 and spacing</p>
<div dir="rtl" style="padding-inline-start: 3mm; margin-inline-end: 6mm; border-inline-start: 1pt solid">
<p>右起的段落 with Latin，句末。</p></div>
</body></html>
"""
)


def _render(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


def _fast_and_plain(make: Callable[[], T]) -> tuple[T, T]:
    """What ``make()`` gives with the shortcuts installed, then without them."""
    weasy_patches.weasyprint()
    fast = make()
    weasy_patches.uninstall(SPEED)
    try:
        assert not weasy_patches.is_installed("speed")
        return fast, make()
    finally:
        weasy_patches.install()


def test_the_shortcuts_are_installed_with_the_other_patches() -> None:
    weasy_patches.weasyprint()
    assert weasy_patches.is_installed("speed")
    speed = [p for p in weasy_patches.PATCHES if p.group == "speed"]
    assert len(speed) == len(weasy_shortcuts.PATCHES) + len(weasy_shortcuts.BENEATH)


def test_a_rich_document_gets_the_same_bytes_without_the_shortcuts() -> None:
    fast, plain = _fast_and_plain(lambda: _render(RICH))
    assert fast == plain
    assert len(weasyprint.HTML(string=RICH).render().pages) >= 4


def _every_value(html: str) -> list[dict]:
    """Every property of every element's computed style (and its pseudo-elements'), as computed."""
    from weasyprint.css import get_all_computed_styles
    from weasyprint.css.properties import INITIAL_VALUES

    document = weasyprint.HTML(string=html)
    styles = get_all_computed_styles(document)
    found = []
    for element in document.etree_element.iter():
        for pseudo in (None, "first-line", "first-letter", "before", "after"):
            style = styles(element, pseudo)
            if style is not None:
                # An object without a repr of its own (a gradient) is compared by its kind.
                found.append({key: re.sub(" at 0x[0-9a-f]+", "", repr(style[key])) for key in INITIAL_VALUES})
    return found


def test_unset_properties_compute_as_weasyprint_computes_them() -> None:
    fast, plain = _fast_and_plain(lambda: _every_value(RICH))
    assert len(fast) > 30
    assert fast == plain


def test_the_html_parser_finds_its_regexes_and_builds_the_same_tree() -> None:
    from xml.etree import ElementTree

    from tinyhtml5 import inputstream

    weasy_patches.weasyprint()
    inputstream.characters_until_regex.clear()
    fast = ElementTree.tostring(weasyprint.HTML(string=RICH).etree_element)
    assert (("&", "<", "\u0000"), False) in inputstream.characters_until_regex  # where it is looked for
    weasy_patches.uninstall(SPEED)
    try:
        plain = ElementTree.tostring(weasyprint.HTML(string=RICH).etree_element)
    finally:
        weasy_patches.install()
    assert fast == plain
    assert len(fast) > 3000


_CSS_VALUES = st.sampled_from(
    [
        "12pt",
        "50%",
        "calc(100% - 2mm)",
        "min(10px, 5%)",
        "auto",
        "var(--x)",
        "1.5",
        "attr(title)",
        "clamp(1px, 2px, 3px)",
    ]
)


def _tokens(text: str) -> tuple:
    return tuple(t for t in tinycss2.parse_component_value_list(text) if t.type != "whitespace")


PLAIN_VALUES = st.recursive(
    st.one_of(
        st.text(max_size=8),
        st.integers(),
        st.floats(allow_nan=False),
        st.none(),
        st.booleans(),
        st.builds(Dimension, st.floats(-5, 5), st.sampled_from(["px", "%", "em"])),
        _CSS_VALUES.map(_tokens).map(lambda t: t[0] if len(t) == 1 else t),
    ),
    lambda inner: st.lists(inner, max_size=4).map(tuple),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(PLAIN_VALUES)
def test_check_math_answers_as_weasyprints(value) -> None:
    from weasyprint.css import functions

    weasy_patches.weasyprint()
    original = functions.check_math.__wrapped__
    assert bool(functions.check_math(value)) == bool(original(value))


# Page rules that make pages' declarations differ, or not: sides, the first and blank pages,
# every n-th page of the document or of a named page's group, a counter reset on one of them,
# margin boxes set on some pages only, and a logical margin beside a physical one.
_PAGE_SELECTORS = st.sampled_from(
    [
        ":left",
        ":right",
        ":first",
        ":blank",
        ":nth(3)",
        ":nth(2n+1)",
        "chapter",
        "chapter:nth(2 of chapter)",
        "chapter:left",
    ]
)
_PAGE_DECLARATIONS = st.sampled_from(
    [
        "margin-left: 22mm",
        "margin-inline-start: 9mm",
        "counter-reset: page 7",
        "@top-center { content: string(head) }",
        "@top-center { content: '另一' ; color: #a00 }",
        "@bottom-right { content: counter(page, upper-roman) }",
        "@bottom-left { content: none }",
        "background: #eef",
        "@top-left { content: counter(page) '/' counter(pages); width: 30% }",
    ]
)


def _paged(rules: list[tuple[str, str]]) -> str:
    css = "".join(f"@page {selector} {{ {declaration} }}\n" for selector, declaration in rules)
    chapters = "".join(
        f'<h2 style="page: {"chapter" if i % 2 else "auto"}">第{i}章</h2>' + "<p>段落的文字，" * 40 + "</p>"
        for i in range(5)
    )
    return (
        "<html lang='zh-CN'><style>@page { size: 90mm 100mm; margin: 14mm 10mm;"
        " @top-center { content: '心得'; border-bottom: 0.4pt solid } @bottom-center { content: counter(page) } }\n"
        + css
        + "h2 { string-set: head content(); break-before: right; font-size: 12pt }"
        "body { font-family: 'Noto Serif CJK SC', serif; font-size: 9pt }</style><body>" + chapters + "</body></html>"
    )


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(_PAGE_SELECTORS, _PAGE_DECLARATIONS), max_size=4))
def test_pages_with_the_same_declarations_share_styles_and_others_do_not(rules) -> None:
    html = _paged(rules)
    fast, plain = _fast_and_plain(lambda: _render(html))
    assert fast == plain


def test_the_pages_of_a_running_head_share_one_style() -> None:
    weasy_patches.weasyprint()
    html = _paged([(":nth(3)", "@top-center { content: '第三页' }")])
    pages = weasyprint.HTML(string=html).render().pages
    assert len(pages) > 8
    styles = [page._page_box.style for page in pages]
    heads = [
        [box for box in page._page_box.children if getattr(box, "at_keyword", None) == "@top-center"] for page in pages
    ]
    by_side = {}
    for i, (page, style) in enumerate(zip(pages, styles, strict=True)):
        if i != 2 and not page._page_box.page_type.blank and i:
            by_side.setdefault(page._page_box.page_type.side, set()).add(id(style))
    assert all(len(ids) == 1 for ids in by_side.values())  # one style per side, shared
    third = [box.style for box in heads[2]]
    fifth = [box.style for box in heads[4]]
    assert third and fifth and third[0] is not fifth[0]
    assert third[0]["content"] != fifth[0]["content"]
