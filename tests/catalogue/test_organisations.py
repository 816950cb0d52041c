"""Organisations: reporting contacts, partnerships that end, merging duplicates, all audited."""

from datetime import date, datetime, timedelta

import pytest

from portal import search
from portal.catalogue import PermissionDenied, RuleViolation, organisations, reporting
from portal.catalogue.filters import CatalogueFilters
from portal.extensions import db
from portal.models import AuditEvent, Item, Organisation, Reminder, User, utcnow
from tests.helpers import contribute, programme, this_year

pytestmark = pytest.mark.search_backends()

LONG_AGO = datetime(2020, 1, 1)


def test_contacts_are_checked_normalised_and_audited(make_organisation, make_user):
    organisation = make_organisation("Green Buyers")
    partner = make_user(organisation=organisation)

    organisations.update_contacts(partner, organisation, " Focal@Green.ORG ",
                                  ["alt@green.org", "ALT@green.org", "focal@green.org", "second@green.org"])
    db.session.commit()

    assert organisation.focal_point_email == "focal@green.org"
    assert organisation.alternate_emails == ["alt@green.org", "second@green.org"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "organisation.contacts_changed"))
    assert (event.actor_id, event.organisation_id) == (partner.id, organisation.id)
    alternates = ["alt@green.org", "second@green.org"]
    assert event.details["new"] == {"focal_point": "focal@green.org", "alternates": alternates}


@pytest.mark.parametrize(
    ("focal", "alternates", "field", "message"),
    [
        ("not an address", [], "focal_point", "is not an email address"),
        ("focal@green.org", ["alt@green"], "alternates", "is not an email address"),
        ("", ["alt@green.org"], "focal_point", "Name the reporting focal point"),
        ("focal@green.org", [f"alt{n}@green.org" for n in range(6)], "alternates", "at most 5 alternates"),
    ],
)
def test_bad_contacts_are_refused_at_their_field(make_organisation, make_user, focal, alternates, field, message):
    organisation = make_organisation()
    with pytest.raises(RuleViolation) as refused:
        organisations.update_contacts(make_user(organisation=organisation), organisation, focal, alternates)
    assert refused.value.field == field
    assert message in refused.value.message


def test_a_partner_edits_only_its_own_organisations_contacts(make_organisation, make_user):
    mine, theirs = make_organisation(), make_organisation()
    partner = make_user(organisation=mine)
    with pytest.raises(PermissionDenied):
        organisations.update_contacts(partner, theirs, "x@example.org", [])
    with pytest.raises(PermissionDenied):
        organisations.update_contacts(make_user("moderator"), mine, "x@example.org", [])
    organisations.update_contacts(make_user("admin"), theirs, "x@example.org", [])
    assert theirs.focal_point_email == "x@example.org"


def test_an_ended_partnership_leaves_the_reporting_rate_from_its_end_date_and_stays_in_earlier_years(
    make_organisation, make_item, make_user
):
    staying, leaving = make_organisation("Staying"), make_organisation("Leaving")
    contribute(make_item(organisation=staying), "item.submitted", this_year())
    contribute(make_item(organisation=leaving), "item.submitted", this_year() - timedelta(days=200))
    admin = make_user("admin")
    scope = reporting.ReportScope(programme("spp"), reporting.reporting_period(reporting.current_year()), utcnow())
    assert reporting.summary(reporting.partner_rows(scope)).rate == 0.5

    organisations.end_partnership(admin, leaving, programme("spp"), utcnow().date())
    db.session.commit()

    rows = reporting.partner_rows(scope)
    assert [row.name for row in rows] == ["Staying"]
    assert reporting.summary(rows).rate == 1.0
    last_year = reporting.trend(scope)[-2]
    assert (last_year.partners, last_year.reported) == (2, 1)
    assert programme("spp") not in leaving.programmes
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "organisation.partnership_ended"))
    assert event.details["ended_on"] == utcnow().date().isoformat()


def test_a_partnership_ends_after_it_starts_and_only_once(make_organisation, make_user):
    admin = make_user("admin")
    organisation = make_organisation(joined_on=date(2024, 3, 1))
    with pytest.raises(RuleViolation, match="after the start"):
        organisations.end_partnership(admin, organisation, programme("spp"), date(2024, 3, 1))
    organisations.end_partnership(admin, organisation, programme("spp"), date(2025, 1, 1))
    with pytest.raises(RuleViolation, match="no current partnership"):
        organisations.end_partnership(admin, organisation, programme("spp"), date(2025, 6, 1))
    with pytest.raises(PermissionDenied):
        organisations.add_partnership_by(make_user("moderator"), organisation, programme("spp"), date(2025, 6, 1))

    organisations.add_partnership_by(admin, organisation, programme("spp"), date(2025, 6, 1))
    (partnership,) = organisation.partnerships
    assert (partnership.joined_on, partnership.ended_on) == (date(2025, 6, 1), None)


def test_merging_moves_items_users_partnerships_and_history_and_is_audited(make_organisation, make_user, make_item):
    admin = make_user("admin")
    keep = make_organisation("UNEP", programmes=("spp",), joined_on=date(2022, 1, 1))
    duplicate = make_organisation("U.N.E.P.", programmes=("spp", "sfs"), joined_on=date(2020, 1, 1),
                                  focal_point_email="focal@unep.org", country="KE")
    item = make_item(organisation=duplicate, title="Sustainable food in schools")
    user = make_user(organisation=duplicate)
    db.session.add(Reminder(organisation_id=duplicate.id, programme_id=programme("spp").id, year=2026))
    db.session.execute(db.update(Item).values(changed_at=LONG_AGO))
    db.session.commit()
    duplicate_id = duplicate.id

    started = utcnow()
    moved = organisations.merge(admin, keep, duplicate)
    db.session.commit()

    assert moved == {"items": 1, "users": 1, "partnerships": 2}
    assert db.session.get(Organisation, duplicate_id) is None
    assert db.session.get(Item, item.id).organisation_id == keep.id
    assert db.session.get(Item, item.id).changed_at >= started  # harvesters learn of its new publisher
    assert db.session.get(User, user.id).organisation_id == keep.id
    assert {(p.programme.slug, p.joined_on) for p in keep.partnerships} == {
        ("spp", date(2020, 1, 1)), ("sfs", date(2020, 1, 1))
    }
    assert (keep.focal_point_email, keep.country) == ("focal@unep.org", "KE")
    assert db.session.scalar(db.select(Reminder.organisation_id)) == keep.id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "organisation.merged"))
    assert (event.organisation_id, event.details["merged"]) == (keep.id, "U.N.E.P.")
    (hit,) = search.search(CatalogueFilters(q="schools")).hits
    assert hit.organisation == "UNEP"


def test_an_organisation_cannot_be_merged_into_itself_or_by_a_non_admin(make_organisation, make_user):
    organisation = make_organisation()
    with pytest.raises(RuleViolation):
        organisations.merge(make_user("admin"), organisation, organisation)
    with pytest.raises(PermissionDenied):
        organisations.merge(make_user("moderator"), organisation, make_organisation())


def test_renaming_refuses_an_existing_name_and_reaches_the_search_index(make_organisation, make_user, make_item):
    admin = make_user("admin")
    organisation = make_organisation("Old name")
    make_organisation("Taken")
    item = make_item(organisation=organisation, title="Eco canteens")
    db.session.execute(db.update(Item).values(changed_at=LONG_AGO))
    db.session.commit()
    details = organisations.OrganisationDetails
    with pytest.raises(RuleViolation, match="merge the two"):
        organisations.update_details(admin, organisation, details("taken", "other", None, None))
    started = utcnow()
    organisations.update_details(admin, organisation, details("New  name", "business", "FR", ""))
    db.session.commit()
    assert (organisation.name, organisation.type, organisation.country) == ("New name", "business", "FR")
    assert db.session.get(Item, item.id).changed_at >= started  # its OAI-PMH record names the new name
    (hit,) = search.search(CatalogueFilters(q="canteens")).hits
    assert hit.organisation == "New name"
