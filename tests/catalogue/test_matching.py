"""Matching country needs with public offers: what fits, in which order, why, and who is told."""

from dataclasses import replace

import pytest

from portal.catalogue import matching, needs
from portal.extensions import db
from portal.models import NeedNotice, OutboxMessage

pytestmark = pytest.mark.search_backends()


@pytest.fixture
def desk(make_user):
    return make_user("moderator", programmes=("spp",))


@pytest.fixture
def record(desk):
    def make(**fields):
        data = {"country": "KE", "title": "Training in green public procurement", "programmes": ["spp"], **fields}
        need = needs.create_need(desk, needs.NeedData(**data))
        db.session.commit()
        return need

    return make


def offer(make_item, **fields):
    values = {"is_offer": True, "programmes": ("ci",), "countries": ("BR",), "sdgs": (), **fields}
    return make_item(**values)


def titles(matches):
    return [match.item.title for match in matches.best]


def test_an_offer_fits_only_when_it_shares_something_besides_sdg_12(record, make_item):
    offer(make_item, title="Shares a theme", themes=["circular_economy"])
    offer(make_item, title="Shares SDG 12 only", sdgs=(12,), themes=["plastics"])
    offer(make_item, title="Green public procurement training words only", themes=["plastics"])
    make_item(title="Not offered", themes=["circular_economy"], programmes=("ci",), countries=("BR",))
    offer(make_item, title="Hidden offer", themes=["circular_economy"], hidden=True)
    offer(make_item, title="Draft offer", themes=["circular_economy"], state="draft")
    offer(make_item, title="Aged-out offer", themes=["circular_economy"], updated_days_ago=800)
    need = record(themes=["circular_economy"], sdgs=[7])

    found = matching.matches_for(need)

    assert titles(found) == ["Shares a theme"]
    assert found.total == 1


def test_matches_are_ranked_by_what_they_share_and_say_why(record, make_item):
    offer(make_item, title="Region only", countries=("UG", "TZ", "RW"))
    offer(make_item, title="Training toolkit for green public procurement", programmes=("spp",),
          themes=["circular_economy"], sdgs=(7,), countries=("KE",), kind="resource", resource_type="training_material")
    offer(make_item, title="Theme and programme", programmes=("spp", "ci"), themes=["circular_economy"])
    need = record(themes=["circular_economy", "plastics"], sdgs=[7, 13], category="capacity_building",
                  description="County buyers need **training**.")

    found = matching.matches_for(need)

    assert titles(found) == ["Training toolkit for green public procurement", "Theme and programme", "Region only"]
    best, second, third = found.best
    assert best.reasons == [
        "same theme: Circular economy",
        "SDG 7",
        "same kind of work: Capacity building",
        "used in Kenya",
        "same programme: Sustainable Public Procurement",
        "words in common: training, green, public, procurement",
    ]
    assert second.reasons == ["same theme: Circular economy", "same programme: Sustainable Public Procurement"]
    assert third.reasons == ["used in 3 countries of the region"]


def test_worldwide_offers_fit_global_needs_and_only_add_to_a_countrys(record, make_item):
    offer(make_item, title="Worldwide only", countries=(), is_global=True)
    offer(make_item, title="Worldwide with a theme", countries=(), is_global=True, themes=["water"])
    assert titles(matching.matches_for(record(themes=["water"]))) == ["Worldwide with a theme"]
    found = matching.matches_for(record(country="global", themes=["water"]))
    assert titles(found) == ["Worldwide with a theme", "Worldwide only"]
    assert found.best[1].reasons == ["used worldwide"]


def test_a_new_need_mails_each_organisation_behind_its_offers_once(record, make_item, make_organisation, make_user):
    alliance, institute = make_organisation("Procurement Alliance"), make_organisation("Research Institute")
    for organisation in (alliance, institute):
        make_user("partner", organisation=organisation)
    offer(make_item, title="Toolkit", organisation=alliance, themes=["circular_economy"])
    offer(make_item, title="Course", organisation=alliance, themes=["circular_economy"])
    offer(make_item, title="Study", organisation=institute, themes=["circular_economy"])

    need = record(themes=["circular_economy"])

    mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(mails) == 2
    assert all(mail.subject == "A need fits your offers: Training in green public procurement" for mail in mails)
    alliance_mail = next(mail for mail in mails if "Toolkit" in mail.body)
    assert "Course" in alliance_mail.body and "Study" not in alliance_mail.body
    assert f"/needs/{need.id}" in alliance_mail.body

    needs.update_need(need, need.created_by, replace(needs.NeedData.from_need(need), description="Now with details."))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 2  # never twice
    assert db.session.scalar(db.select(db.func.count()).select_from(NeedNotice)) == 2


def test_a_closed_need_mails_nobody(record, make_item, make_user):
    make_user("partner", organisation=offer(make_item, themes=["water"]).organisation)
    record(themes=["water"], is_open=False)
    assert db.session.scalar(db.select(OutboxMessage.id)) is None
