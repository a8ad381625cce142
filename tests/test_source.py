"""Front-matter splitting and YAML loading: properties (only a record or a ContentError)."""

from __future__ import annotations

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xindelu.core.source import StrictLoader, decode_text, simple_mapping, split_front_matter

PATH = "content/articles/x.md"
yaml_ish = st.lists(st.sampled_from([*"ab:- \n\"'[]{}&*!#|>%@`\t中文，。", "---", "\n---\n"]), max_size=60).map("".join)


@settings(max_examples=300)
@given(yaml_ish, st.text(max_size=80))
def test_splitter_returns_a_source_or_errors_inside_the_file(front, body):
    text = f"---\n{front}\n---\n{body}"
    source, errors = split_front_matter(PATH, text)
    total_lines = text.count("\n") + 1
    assert (source is None) == bool(errors)
    for error in errors:
        assert 1 <= error.line <= total_lines
        assert error.path == PATH and error.message
    if source is not None:
        assert isinstance(source.front_matter, dict)
        assert 1 <= source.body_line <= total_lines + 1
        for line in source.key_lines.values():
            assert 2 <= line < source.body_line


@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(alphabet="甲乙丙丁abc ", max_size=10)))
@example({"null": "", "true": "甲", "false": "乙"})  # field names, not None / True / False
def test_round_trip_of_simple_front_matter(fields):
    front = "\n".join(f'{key}: "{value}"' for key, value in fields.items())
    source, errors = split_front_matter(PATH, f"---\n{front}\n---\n正文\n")
    assert errors == []
    assert dict(source.front_matter) == fields
    assert source.body == "正文\n"
    for index, key in enumerate(fields):
        assert source.key_lines[key] == index + 2


@given(st.binary(max_size=200))
def test_decoding_never_raises_and_never_garbles(data):
    text, errors = decode_text(PATH, data)
    if text is None:
        assert errors and 0 <= errors[0].line <= data.count(b"\n") + 1
    else:
        assert text.encode("utf-8") == data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def test_body_line_points_at_the_first_body_line():
    source, _ = split_front_matter(PATH, "---\ntitle: 标题\nunit: 长沙市\n---\n第一行\n")
    assert source.body_line == 5
    assert source.key_lines == {"title": 2, "unit": 3}


# The front-matter fast path (simple_mapping) must give exactly what PyYAML gives, or step aside.
_KEYS = st.sampled_from(["title", "author", "tags", "true", "null", "on", "yes", "_x", "a-b", "Title", "date"])
_VALUE_CHARS = st.sampled_from(
    list("学习讲话：，。") + list(" -?:,[]{}#&*!|>'\"%@`~=.0123456789eE+_xo") + ["\t", "\x07", "\u2028", "\x85"]
)
_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from(list("学习讲话：，。ab'%@:- ")), min_size=1, max_size=8),
    st.text(alphabet=st.sampled_from(list("学习讲话：，。ab'%@:- ")), min_size=1, max_size=8),
    st.text(alphabet=_VALUE_CHARS, max_size=12),
    st.sampled_from(["true", "False", "yes", "no", "null", "~", "1984", "0x1F", "1_000", "10:30", "1e3", ".inf",
                     "2026-04-08", "2026-02-30", "[a, b]", "[学习, 调查研究]", "[]", "[a, [b]]", "[1, 2]", "'q'"]),
)  # fmt: skip
_LINES = st.lists(
    st.tuples(_KEYS, st.sampled_from([": ", ": ", ": ", ":", ":  ", " : "]), _VALUES), min_size=1, max_size=6
)


@settings(max_examples=1500, deadline=None)
@given(_LINES)
def test_simple_front_matter_reads_as_yaml_does(lines: list[tuple[str, str, str]]) -> None:
    text = "\n".join(f"{key}{colon}{value}" for key, colon, value in lines)
    fast = simple_mapping(text)
    if fast is None:
        return
    assert fast == yaml.load(text, Loader=StrictLoader)


def test_common_front_matter_takes_the_fast_path() -> None:
    text = "title: 在读原著中悟原理\nauthor: 张三\ndate: 2026-04-08\ntags: [调查研究, 基层治理]\nfeatured: true"
    assert simple_mapping(text) == {
        "title": "在读原著中悟原理",
        "author": "张三",
        "date": "2026-04-08",
        "tags": ["调查研究", "基层治理"],
        "featured": True,
    }
    for other in ("title: 1984", "true: x", "title: a # c", "title: 'q'", "outlets:\n  - {name: x}", "a: b\na: c"):
        assert simple_mapping(other) is None, other
