"""Country needs: the rules of the form, the public list with its filters and counts, interest."""

from dataclasses import replace

import pytest
from werkzeug.datastructures import MultiDict

from portal.catalogue import PermissionDenied, RulesViolated, RuleViolation, needs
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage

KENYA = needs.NeedData(country="ke", title="  Training in green public procurement ", programmes=["spp"],
                       sdgs=[12, 8], themes=["circular_economy"], category="capacity_building")


@pytest.fixture
def desk(make_user):
    return make_user("moderator", programmes=("spp",))


def errors(actor, data) -> dict:
    with pytest.raises(RulesViolated) as refused:
        needs.create_need(actor, data)
    db.session.rollback()
    return refused.value.errors


def test_a_need_is_recorded_trimmed_with_sdg_12_and_audited(desk):
    need = needs.create_need(desk, KENYA)
    db.session.commit()
    assert (need.country, need.title, need.sdg_numbers, need.is_open) == ("KE", KENYA.title.strip(), [8, 12], True)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "need.created"))
    assert event.actor_id == desk.id and event.details["need_id"] == need.id


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"country": "XX"}, "country", "Choose a country from the list (ISO 3166), or “Global”."),
        ({"country": ""}, "country", "Choose a country from the list (ISO 3166), or “Global”."),
        ({"title": " "}, "title", "Give the need a title."),
        ({"themes": ["space_travel"]}, "themes", "Choose themes from the list."),
        ({"sdgs": [18]}, "sdgs", "Choose SDGs from the list."),
        ({"category": "lobbying"}, "category", "Choose a kind of work from the list."),
        ({"programmes": []}, "programmes", "Choose the programmes whose desks follow this need."),
        ({"programmes": ["nope"]}, "programmes", "Choose programmes from the list."),
        ({"programmes": ["ci"]}, "programmes",
         "Choose at least one programme of your desk: only its desks edit the need."),
    ],
)
def test_bad_needs_are_refused_at_their_field(desk, change, field, message):
    assert errors(desk, replace(KENYA, **change))[field] == [message]


def test_global_needs_exist_partners_record_none_and_admins_any_programme(desk, make_user):
    assert needs.create_need(desk, replace(KENYA, country="Global")).country == "global"
    assert needs.create_need(make_user("admin"), replace(KENYA, programmes=["ci"])).programmes[0].slug == "ci"
    with pytest.raises(PermissionDenied):
        needs.create_need(make_user("partner"), KENYA)


def test_closing_and_editing_are_audited_and_closed_needs_leave_the_list(desk):
    need = needs.create_need(desk, KENYA)
    db.session.commit()
    assert needs.update_need(need, desk, replace(needs.NeedData.from_need(need), is_open=False)) == ["is_open"]
    db.session.commit()
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.like("need.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["need.created", "need.closed"]
    assert needs.list_needs(needs.NeedFilters()).total == 0
    assert needs.list_needs(needs.NeedFilters(closed=True)).needs == [need]


def test_the_list_filters_like_the_search_and_counts_what_each_box_would_give(desk):
    needs.create_need(desk, KENYA)
    needs.create_need(desk, replace(KENYA, country="FR", themes=["plastics"], sdgs=[14]))
    needs.create_need(desk, replace(KENYA, country="FR", themes=["circular_economy", "water"], sdgs=[]))
    db.session.commit()

    listed = needs.list_needs(needs.parse_need_filters(MultiDict([("country", "fr"), ("theme", "circular_economy")])))

    assert listed.total == 1
    assert listed.facets["country"] == {"KE": 1, "FR": 1}  # with the theme filter, without the country one
    assert listed.facets["theme"] == {"circular_economy": 1, "plastics": 1, "water": 1}
    assert listed.facets["sdg"] == {}
    with pytest.raises(RuleViolation, match="Unknown country 'ZZ'"):
        needs.parse_need_filters(MultiDict({"country": "ZZ"}))


def test_a_partner_expresses_interest_once_and_the_needs_desks_are_mailed(desk, make_user):
    other_desk = make_user("moderator", programmes=("sfs",))
    need = needs.create_need(desk, replace(KENYA, programmes=["spp", "sfs"]))
    partner = make_user("partner")
    db.session.commit()

    with pytest.raises(RuleViolation, match="Say in a few words"):
        needs.express_interest(need, partner, "  ")
    needs.express_interest(need, partner, "We train buyers in Nairobi.")
    db.session.commit()
    assert [interest.message for interest in needs.interests(need)] == ["We train buyers in Nairobi."]
    recipients = set(db.session.scalars(db.select(OutboxMessage.recipient)))
    assert recipients == {desk.email, other_desk.email}
    with pytest.raises(RuleViolation, match="expressed interest in this need already"):
        needs.express_interest(need, make_user("partner", organisation=partner.organisation), "Again.")
    with pytest.raises(PermissionDenied):
        needs.express_interest(need, desk, "Desks do not.")


def test_a_closed_need_takes_no_interest(desk, make_user):
    need = needs.create_need(desk, replace(KENYA, is_open=False))
    with pytest.raises(RuleViolation, match="This need is closed"):
        needs.express_interest(need, make_user("partner"), "We could help.")
