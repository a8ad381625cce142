"""xindelu.core.xmltext gives xml.sax.saxutils' bytes (it stands in for it to spare its imports)."""

from xml.sax.saxutils import escape, quoteattr

from hypothesis import given
from hypothesis import strategies as st

from xindelu.core.xmltext import xml_attr, xml_text

# Characters the functions treat specially, mixed with any text.
_TEXT = st.text(st.one_of(st.sampled_from("&<>\"'\n\r\t;#"), st.characters()), max_size=40)


@given(_TEXT)
def test_text_is_escaped_as_saxutils_does(text: str) -> None:
    assert xml_text(text) == escape(text)


@given(_TEXT)
def test_attribute_is_quoted_as_saxutils_does(text: str) -> None:
    assert xml_attr(text) == quoteattr(text)


def test_each_quoting_case() -> None:
    assert xml_attr("a&b") == '"a&amp;b"'
    assert xml_attr('say "x"') == "'say \"x\"'"
    assert xml_attr('it\'s "x"') == '"it\'s &quot;x&quot;"'
    assert xml_attr("a\nb\tc") == '"a&#10;b&#9;c"'
