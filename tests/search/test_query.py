"""The search box syntax: words, phrases, OR, exclusions, prefixes; malformed input as plain words."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from portal.search.query import highlight, parse

SYNTAX = st.lists(
    st.sampled_from([*list('ab fo "-*()\\:^~?+<>&\''), "\x00", "é", " OR ", " AND ", " NOT ", "food", "wast*"]),
    max_size=25,
).map("".join)


def test_words_are_all_required():
    parsed = parse("food waste")
    assert parsed.positive
    assert parsed.terms == {"food", "wast"}
    assert parsed.words == ["food", "waste"]
    assert "AND" in str(parsed.query)


def test_phrases_or_exclusions_and_prefixes():
    parsed = parse('"food waste" OR plastics -hotel procure*')
    text = str(parsed.query)
    assert '"food wast"' in text
    assert " OR " in text and "ANDNOT" in text and "hotel" in text
    assert parsed.prefixes == ["procure"]
    assert "hotel" not in parsed.terms  # an excluded word is not highlighted


def test_only_exclusions_match_everything_else():
    parsed = parse("-plastic")
    assert parsed.query is not None and not parsed.positive


def test_malformed_input_is_searched_as_plain_words():
    assert parse('"unclosed phrase').terms == {"unclos", "phrase"}
    assert parse("OR OR -").query is None
    assert parse("a* food?waste").terms == {"food", "wast"}
    assert parse("ab*").prefixes == []  # too short for a prefix: a plain word
    assert parse("title:secret").terms == {"titl", "secret"}  # no field syntax


def test_stop_words_alone_match_everything():
    assert parse("the and of").query is None


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=60), SYNTAX))
def test_parsing_never_fails(text):
    parsed = parse(text)
    assert parsed.query is None or parsed.key


def test_highlight_escapes_and_marks():
    html = highlight("Reducing <b>food</b> waste & procurement", parse("food procure* wasted"))
    assert isinstance(html, Markup)
    assert html == (
        "Reducing &lt;b&gt;<mark>food</mark>&lt;/b&gt; <mark>waste</mark> &amp; <mark>procurement</mark>"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.text(max_size=20))
def test_highlight_never_lets_markup_through(text, query):
    html = str(highlight(text, parse(query)))
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
