"""Front-matter splitting and YAML loading: properties (only a record or a ContentError)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xindelu.source import decode_text, split_front_matter

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
