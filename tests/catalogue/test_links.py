"""Links between items: who sets them, what they may point to, who sees them, how programmes count them."""

import pytest

from portal.catalogue import NotFound, PermissionDenied, RuleViolation, links
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import programme


@pytest.fixture
def toolkit(make_item):
    return make_item(kind="resource", title="Procurement toolkit", programmes=("spp",))


@pytest.fixture
def course(make_item):
    return make_item(title="Procurement course", programmes=("sle",))


def test_the_items_organisation_links_it_and_both_items_show_the_link(app, make_user, toolkit, course):
    partner = make_user("partner", organisation=toolkit.organisation)
    links.add_link(toolkit, partner, course.id, "produced_by")
    db.session.commit()
    anonymous = app.login_manager.anonymous_user()
    assert [(r.label, r.other.title) for r in links.related_items(toolkit, anonymous)] == [
        ("Produced by", "Procurement course")]
    assert [(r.label, r.other.title) for r in links.related_items(course, anonymous)] == [
        ("Produced", "Procurement toolkit")]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "item.link_added"))
    assert (event.item_id, event.details["target_id"]) == (toolkit.id, course.id)
    assert event.details["relation"] == "produced_by"


def test_a_link_never_points_to_itself_twice_or_to_an_item_the_editor_may_not_see(make_user, make_item, toolkit,
                                                                                    course):
    partner = make_user("partner", organisation=toolkit.organisation)
    draft_elsewhere = make_item(state="draft", programmes=("ci",))
    for target, message in [
        (toolkit.id, "An item cannot be linked to itself."),
        (draft_elsewhere.id, "No item with that number that you may see."),
        (10**9, "No item with that number that you may see."),
        (None, "No item with that number that you may see."),
    ]:
        with pytest.raises(RuleViolation, match=message):
            links.add_link(toolkit, partner, target, "related_to")
    with pytest.raises(RuleViolation, match="Choose how the items are related"):
        links.add_link(toolkit, partner, course.id, "sponsored_by")
    links.add_link(toolkit, partner, course.id, "related_to")
    with pytest.raises(RuleViolation, match="linked already"):
        links.add_link(course, make_user("admin"), toolkit.id, "replicates")  # the other way round counts too


def test_desks_of_the_items_programmes_link_it_others_may_not(make_user, toolkit, course):
    links.add_link(toolkit, make_user("moderator", programmes=("spp",)), course.id, "part_of")
    for outsider in (make_user("moderator", programmes=("sfs",)), make_user("partner")):
        with pytest.raises(PermissionDenied):
            links.add_link(toolkit, outsider, course.id, "related_to")


def test_visitors_see_only_links_to_public_items_and_either_end_may_remove_a_link(app, make_user, make_item, toolkit):
    partner = make_user("partner", organisation=toolkit.organisation)
    hidden = make_item(organisation=toolkit.organisation, hidden=True, title="Hidden sibling")
    link = links.add_link(toolkit, partner, hidden.id, "related_to")
    db.session.commit()
    assert links.related_items(toolkit, app.login_manager.anonymous_user()) == []
    assert [r.other.title for r in links.related_items(toolkit, partner)] == ["Hidden sibling"]
    with pytest.raises(NotFound):
        links.remove_link(link.id, make_user("partner"))
    links.remove_link(link.id, make_user("moderator", programmes=("spp",)))
    assert links.related_items(toolkit, partner) == []


def test_programme_pages_count_shared_and_linked_items_per_other_programme(make_user, make_item, toolkit, course):
    make_item(programmes=("spp", "sfs"))
    make_item(programmes=("spp", "sfs", "ci"))
    make_item(programmes=("spp", "sfs"), hidden=True)
    links.add_link(toolkit, make_user("admin"), course.id, "produced_by")
    db.session.commit()
    counted = {line.programme.slug: (line.shared, line.linked) for line in links.programme_links(programme("spp"))}
    assert counted == {"sfs": (2, 0), "ci": (1, 0), "sle": (0, 1), "st": (0, 0), "sbc": (0, 0)}
    assert {line.programme.slug: line.linked for line in links.programme_links(programme("sle"))}["spp"] == 1
