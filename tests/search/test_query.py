"""The search box syntax: words, phrases, OR, exclusions, prefixes; malformed input as plain words."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from portal.search import analysis
from portal.search.query import WORD, highlight, highlight_all, parse

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


def _marked_word_by_word(text: str, query: str, language: str) -> str:
    """Highlighting read plainly: each word of ``text`` on its own, marked when its term or its start matches."""
    parsed, name = parse(query), analysis.analyser(language)
    pieces, position = [], 0
    for match in WORD.finditer(text):
        folded = analysis.fold(match.group())
        if analysis.term(folded, name) in parsed.terms or folded.startswith(tuple(parsed.prefixes) or "\x00"):
            pieces += [str(escape(text[position : match.start()])), f"<mark>{match.group()}</mark>"]
            position = match.end()
    return "".join(pieces) + str(escape(text[position:]))


# Words of results and the pieces of the character references that escaping writes (&amp; &#39; &lt;).
TEXT = st.lists(st.sampled_from(["food", "Foods", "wasted", "procurement", "amp", "lt", "gt", "39", "34", "#",
                                 "&", "'", '"', "<", ">", ";", " ", "_", "é", "déchets"]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4), st.lists(st.sampled_from(
    ["food", "waste", "procure*", "amp", "39", "lt", "déchet", "-food", "OR"]), min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["en", "fr", None]))
def test_highlighting_a_page_at_once_marks_what_each_word_on_its_own_would(texts, query, language):
    marked = highlight_all([(text, language) for text in texts], parse(query))
    assert marked == [_marked_word_by_word(text, query, language) for text in texts]
