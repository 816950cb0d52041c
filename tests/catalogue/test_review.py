"""The desk's queue, review facts and monitoring: the database says what waits and what a desk sees;
words and filters mean what they mean on /search."""

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from portal.catalogue import RuleViolation, desk_queue, portfolio, review
from portal.catalogue.filters import parse_filters
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import programme

pytestmark = pytest.mark.search_backends()


def queue(user, waiting=False, **args):
    found = desk_queue.queue(user, parse_filters(MultiDict(args), desk=True))
    return found.elsewhere if waiting else found.waiting.items


def submitted(make_item, days_ago, **kwargs):
    item = make_item(state="submitted", **kwargs)
    item.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return item


def test_the_queue_holds_the_submissions_of_the_desks_lead_programmes_oldest_first(make_item, make_user):
    desk = make_user("moderator", programmes=("spp", "sfs"))
    newer = submitted(make_item, 1, programmes=("spp",))
    older = submitted(make_item, 9, programmes=("sfs", "ci"), kind="resource")
    elsewhere = submitted(make_item, 5, programmes=("ci", "spp"))  # ci's desk decides first
    not_ours = submitted(make_item, 3, programmes=("ci",))
    for state in ("draft", "published", "rejected", "changes_requested", "withdrawn"):
        make_item(programmes=("spp",), state=state)

    assert queue(desk) == [older, newer]
    assert queue(desk, waiting=True) == [elsewhere]
    assert desk_queue.queue_count(desk) == 2
    assert desk_queue.pending_tasks(desk, older) == ["publication"]
    assert desk_queue.pending_tasks(desk, elsewhere) == ["waiting"]
    assert queue(desk, programme="sfs") == [older]
    assert queue(desk, kind="initiative") == [newer]
    assert queue(make_user("admin")) == [older, elsewhere, not_ours, newer]
    assert queue(make_user("moderator", programmes=("st",))) == []


def test_after_approval_the_other_programmes_desk_finds_the_portfolio_decision_in_its_queue(make_item, make_user):
    make_item(programmes=("sfs",), portfolio={"sfs": "core"})  # another item's decision counts not for this one
    item = submitted(make_item, 2, programmes=("spp", "sfs"))
    lead_desk = make_user("moderator", programmes=("spp",))
    sfs_desk = make_user("moderator", programmes=("sfs",))
    assert queue(sfs_desk) == [] and queue(sfs_desk, waiting=True) == [item]

    review.decide(item, lead_desk, "approve", status="core")
    db.session.commit()
    assert queue(lead_desk) == []
    assert queue(sfs_desk) == [item]
    assert desk_queue.pending_tasks(sfs_desk, item) == ["portfolio:sfs"]
    assert desk_queue.queue_count(sfs_desk) == 1

    portfolio.set_portfolio_status(item, sfs_desk, programme("sfs"), "none")
    db.session.commit()
    assert queue(sfs_desk) == []  # "Not in portfolio" is a decision too


def test_a_hidden_or_inactive_item_asks_no_portfolio_decision(make_item, make_user):
    lead_desk = make_user("moderator", programmes=("spp",))
    sfs_desk = make_user("moderator", programmes=("sfs",))
    hidden, aged = (submitted(make_item, 2, programmes=("spp", "sfs")) for _ in range(2))
    for item in (hidden, aged):
        review.decide(item, lead_desk, "approve")
    review.hide(hidden, lead_desk, "Broken link.")
    aged.updated_at = utcnow() - timedelta(days=800)
    db.session.commit()
    assert queue(sfs_desk) == [] and desk_queue.queue_count(sfs_desk) == 0


def test_published_items_without_a_desk_approval_do_not_flood_the_portfolio_queue(make_item, make_user):
    make_item(programmes=("spp", "sfs"))  # imported or demo data: no approval event by a person
    assert queue(make_user("moderator", programmes=("sfs",))) == []


def test_changes_since_the_last_published_version(make_item, make_user):
    item = submitted(make_item, 1, programmes=("spp",), title="Old title")
    assert review.changes_since_published(item) is None  # never approved: everything is new
    review.decide(item, make_user("moderator", programmes=("spp",)), "approve")
    db.session.commit()
    assert review.changes_since_published(item) == []

    item.title = "New title"
    item.programmes.append(programme("sfs"))
    item.state = "submitted"
    changes = {change.field: (change.before, change.after) for change in review.changes_since_published(item)}
    assert changes == {"title": ("Old title", "New title"), "programmes": ("spp", "spp, sfs")}


def test_the_organisations_other_items_in_every_state(make_item, make_organisation):
    organisation = make_organisation()
    item = make_item(organisation=organisation)
    others = [make_item(organisation=organisation, state=state) for state in ("draft", "rejected", "published")]
    make_item()  # another organisation
    found, total = review.other_items(item)
    assert total == 3 and set(found) == set(others)


def test_decisions_other_than_approval_need_their_message(make_item, make_user):
    item = make_item(programmes=("spp",), state="submitted")
    desk = make_user("moderator", programmes=("spp",))
    for decision in ("reject", "request_changes"):
        with pytest.raises(RuleViolation) as error:
            review.decide(item, desk, decision, "   ")
        assert error.value.field == "message"
    with pytest.raises(RuleViolation):
        review.decide(item, desk, "publish-everything")
    assert item.state == "submitted"


class TestMonitoring:
    def listing(self, user, **args):
        filters = parse_filters(MultiDict({"per_page": "100", **args}), desk=True)
        return {row.item for row in review.monitoring(user, filters).rows}

    def test_every_state_hidden_and_inactive_items_of_the_desks_programmes(self, make_item, make_user):
        desk = make_user("moderator", programmes=("spp",))
        states = ("draft", "submitted", "changes_requested", "published", "rejected", "withdrawn")
        mine = {state: make_item(programmes=("sfs", "spp"), state=state) for state in states}
        hidden = make_item(programmes=("spp",), hidden=True)
        inactive = make_item(programmes=("spp",), updated_days_ago=800)
        make_item(programmes=("ci",))
        assert self.listing(desk) == {*mine.values(), hidden, inactive}
        assert self.listing(desk, state=["rejected", "draft"]) == {mine["rejected"], mine["draft"]}
        assert self.listing(desk, inactive="1") == {inactive}

    def test_the_search_filters(self, make_item, make_user):
        desk = make_user("admin")
        food = make_item(
            programmes=("sfs",),
            title="Food waste pilot",
            sdgs=(2,),
            countries=("KE",),
            portfolio={"sfs": "core"},
            themes=["circular_economy"],
        )
        tools = make_item(
            "resource",
            programmes=("spp",),
            summary="A toolkit for green tenders",
            countries=("FR",),
            portfolio={"spp": "affiliated"},
        )
        world = make_item(programmes=("spp",), countries=(), is_global=True, activity_category="research")
        assert self.listing(desk, q="FOOD waste") == {food}
        assert self.listing(desk, q="tenders") == {tools}
        assert self.listing(desk, q="100%_") == set()
        assert self.listing(desk, kind="resource") == {tools}
        assert self.listing(desk, programme="sfs") == {food}
        assert self.listing(desk, sdg="2") == {food}
        assert self.listing(desk, status="core") == {food}
        assert self.listing(desk, status=["affiliated", "core"]) == {food, tools}
        assert self.listing(desk, status="none") == {world}
        assert self.listing(desk, status="core", programme="spp") == set()
        assert self.listing(desk, country="global") == {world}
        assert self.listing(desk, country=["KE", "FR"]) == {food, tools}
        assert self.listing(desk, region="EU") == {tools}
        assert self.listing(desk, category="research") == {world}
        assert self.listing(desk, resource_type="publication") == {tools}
        assert self.listing(desk, theme="circular_economy") == {food}
