"""Highlights, key figures and key messages: the limits, and what visitors see of them."""

import pytest

from portal.catalogue import PermissionDenied, RulesViolated, RuleViolation, highlights
from portal.catalogue.figures import FigureText, parse_number
from portal.extensions import db
from tests.conftest import programme

FIGURE = FigureText("1,200", "tonnes", "of food waste avoided")


@pytest.fixture
def desk(make_user):
    return make_user("moderator", programmes=("sfs",))


def portfolio_item(make_item, **fields):
    return make_item(programmes=("sfs",), portfolio={"sfs": "core"}, **fields)


@pytest.mark.parametrize("text, value", [("1200", 1200), ("1,200", 1200), ("1 200", 1200), ("3.5", 3.5),
                                          ("-30", -30), ("12 tonnes", None), ("1,2", None), ("lots", None),
                                          ("", None), ("1e400", None)])
def test_key_figure_values_are_plain_numbers(text, value):
    assert parse_number(text) == value


def test_the_seventh_highlight_is_refused_with_a_clear_message(desk, make_item):
    sfs = programme("sfs")
    for _ in range(highlights.MAX_HIGHLIGHTS):
        highlights.add_highlight(sfs, desk, portfolio_item(make_item).id, FIGURE)
    with pytest.raises(RuleViolation) as refused:
        highlights.add_highlight(sfs, desk, portfolio_item(make_item).id, FIGURE)
    assert refused.value.message == "A programme shows at most 6 highlights: remove one before adding another."
    assert refused.value.field == "item"


def test_only_public_items_of_the_programmes_portfolio_become_highlights(desk, make_item):
    sfs = programme("sfs")
    cases = [
        (make_item(programmes=("sfs",)), "Only items in the portfolio of Sustainable Food Systems"),
        (make_item(programmes=("sfs", "spp"), portfolio={"spp": "core"}), "Only items in the portfolio"),
        (portfolio_item(make_item, hidden=True), "Choose a public item of the programme"),
        (portfolio_item(make_item, state="draft"), "Choose a public item of the programme"),
    ]
    for item, message in cases:
        with pytest.raises(RuleViolation, match=message):
            highlights.add_highlight(sfs, desk, item.id, FIGURE)
    with pytest.raises(PermissionDenied):
        highlights.add_highlight(programme("spp"), desk, portfolio_item(make_item).id, FIGURE)


def test_a_highlight_needs_a_number_a_unit_and_what_it_measures(desk, make_item):
    with pytest.raises(RulesViolated) as refused:
        highlights.add_highlight(programme("sfs"), desk, portfolio_item(make_item).id, FigureText("lots", "", "x"))
    assert refused.value.errors == {
        "figure_value": ["The value must be a number such as 1200 or 3.5, without its unit."],
        "figure_unit": ["Give the unit, for example tonnes, people or %."],
    }


def test_visitors_see_highlights_of_public_items_only(desk, make_item):
    sfs = programme("sfs")
    kept, aged = portfolio_item(make_item, title="Kept"), portfolio_item(make_item, title="Aged")
    for item in (kept, aged):
        highlights.add_highlight(sfs, desk, item.id, FIGURE)
    db.session.commit()
    aged.updated_at = aged.updated_at.replace(year=aged.updated_at.year - 3)
    db.session.commit()
    story = highlights.programme_story(sfs)
    assert [(h.item.title, f.number, f.unit) for h, f in story.figures] == [("Kept", "1,200", "tonnes")]
    assert len(highlights.highlights(sfs, public=False)) == 2


def test_at_most_three_short_key_messages(desk):
    sfs = programme("sfs")
    assert highlights.set_key_messages(sfs, desk, [" Halve food waste. ", "", "Feed schools well."]) == [
        "Halve food waste.", "Feed schools well."]
    db.session.commit()
    with pytest.raises(RulesViolated) as refused:
        highlights.set_key_messages(sfs, desk, ["x" * 301, "b", "c", "d"])
    assert refused.value.errors == {
        "message1": ["Keep a key message under 300 characters.", "Write at most 3 key messages."]}
    db.session.rollback()
    assert highlights.key_messages(sfs) == ["Halve food waste.", "Feed schools well."]
