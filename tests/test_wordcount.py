"""The 字数 rule (../shared/DESIGN.md §3): hand-checked examples and properties."""

from hypothesis import given
from hypothesis import strategies as st

from xindelu.core.markdown import render_markdown
from xindelu.core.wordcount import count_zi


def test_hand_checked_examples():
    assert count_zi("") == 0
    assert count_zi("学而思") == 3
    assert count_zi("学习，思考。") == 6  # full-width punctuation counts 1 each
    assert count_zi("2026年") == 2  # a number is one word
    assert count_zi("Hello world") == 2
    assert count_zi("  \n\t　") == 0  # ASCII and ideographic spaces count 0
    assert count_zi("“学讲话用讲话”") == 8  # two quote marks + six ideographs
    assert count_zi("增长3.5%") == 4  # 增, 长, 3.5, %
    assert count_zi("𠀀𪜀") == 2  # CJK extension B and C ideographs
    assert count_zi("《湖南日报》") == 6
    assert count_zi("GDP增长") == 3


def test_five_g_example_spelled_out():
    # 5G | 基 | 站 | 建 | 成 | 120 | 座
    assert count_zi("5G基站建成120座") == 7


def test_markdown_syntax_is_not_counted():
    body = render_markdown("## 一、标题\n\n**重点**内容，见[链接](https://example.org)。\n\n- 甲\n- 乙\n")
    assert count_zi(body.text) == count_zi("一、标题重点内容，见链接。甲乙")


def test_footnote_markers_are_not_counted():
    body = render_markdown("正文[^1]。\n\n[^1]: 注释。\n")
    assert count_zi(body.text) == count_zi("正文。注释。")


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
space = st.sampled_from([" ", "\n", "\t", "\u3000"])
word = st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)


@given(st.lists(han, max_size=50))
def test_each_ideograph_counts_one(chars):
    assert count_zi("".join(chars)) == len(chars)


@given(st.lists(st.one_of(han, word), max_size=30), st.lists(space, max_size=30))
def test_white_space_never_counts(pieces, spaces):
    text = "".join(pieces)
    assert count_zi(text) <= len(text)
    spaced = "".join(p + (spaces[i] if i < len(spaces) else " ") for i, p in enumerate(pieces))
    # With a space after every piece, each piece is counted on its own and the spaces add nothing.
    assert count_zi(spaced) == sum(count_zi(p) for p in pieces)
    assert count_zi("".join(spaces)) == 0


@given(st.lists(st.one_of(han, word), max_size=30))
def test_count_is_additive_across_han_boundaries(pieces):
    # Joining with a Han character never merges two words, so counts add up.
    joined = "的".join(pieces)
    assert count_zi(joined) == sum(count_zi(p) for p in pieces) + max(len(pieces) - 1, 0)


@given(st.text(max_size=200))
def test_never_negative_and_bounded_by_length(text):
    assert 0 <= count_zi(text) <= len(text)
