"""Organisation settings (partners: reporting contacts) and organisation admin (details, partnerships, merge)."""

from datetime import timedelta

from portal.extensions import db
from portal.models import AuditEvent, Organisation, utcnow
from tests.helpers import contribute, this_year


def test_a_partner_sets_the_focal_point_and_alternates_from_the_settings_page_linked_from_my(client, partner):
    dashboard = client.get("/my/").text
    url = f"/my/organisations/{partner.organisation_id}"
    assert f'href="{url}"' in dashboard
    page = client.get(url).text
    assert '<label for="focal_point">Reporting focal point</label>' in page
    assert '<label for="alternates">Alternates</label>' in page

    response = client.submit(url, {"focal_point": "focal@green.org", "alternates": "one@green.org\ntwo@green.org"})

    assert response.status_code == 302
    organisation = db.session.get(Organisation, partner.organisation_id)
    assert (organisation.focal_point_email, organisation.alternate_emails) == (
        "focal@green.org", ["one@green.org", "two@green.org"]
    )
    assert "one@green.org\ntwo@green.org" in client.get(url).text


def test_a_bad_address_is_shown_at_its_field_and_nothing_is_saved(client, partner):
    url = f"/my/organisations/{partner.organisation_id}"
    response = client.submit(url, {"focal_point": "focal@green.org", "alternates": "one@green.org\nnot-an-address"})
    assert response.status_code == 400
    assert "“not-an-address” is not an email address" in response.text
    assert db.session.get(Organisation, partner.organisation_id).focal_point_email is None


def test_a_partner_cannot_see_or_edit_another_organisations_settings(client, partner, make_organisation):
    other = make_organisation("Someone else")
    assert client.get(f"/my/organisations/{other.id}").status_code == 404
    response = client.submit(f"/my/organisations/{other.id}", {"focal_point": "me@evil.org"},
                             page=f"/my/organisations/{partner.organisation_id}")
    assert response.status_code == 404
    assert db.session.get(Organisation, other.id).focal_point_email is None


def test_an_admin_edits_an_organisation_and_its_contacts(client, admin, make_organisation):
    organisation = make_organisation("Old name")
    url = f"/admin/organisations/{organisation.id}"
    assert f'href="{url}"' in client.get("/admin/organisations").text

    response = client.submit(url, {"name": "New name", "type": "business", "country": "FR", "website": ""})
    assert response.status_code == 302
    response = client.submit(f"{url}/contacts", {"focal_point": "focal@new.org", "alternates": "alt@new.org"},
                             page=url)
    assert response.status_code == 302

    db.session.refresh(organisation)
    assert (organisation.name, organisation.country) == ("New name", "FR")
    assert organisation.focal_point_email == "focal@new.org"
    page = client.get(url).text
    assert "edited the organisation" in page and "changed the reporting contacts" in page


def test_an_admin_ends_a_partnership_and_the_reporting_rate_changes(client, admin, make_organisation, make_item):
    reported, silent = make_organisation("Reported"), make_organisation("Silent")
    contribute(make_item(organisation=reported), "item.submitted", this_year())
    dashboard = "/desk/reporting?programme=spp"
    assert "<strong>50%</strong> reporting rate" in client.get(dashboard).text
    url = f"/admin/organisations/{silent.id}"
    assert '<label for="spp-ended_on">End date of the partnership with Sustainable Public Procurement</label>' in (
        client.get(url).text
    )

    response = client.submit(f"{url}/partnerships/spp/end", {"spp-ended_on": utcnow().date().isoformat()}, page=url)

    assert response.status_code == 302
    assert "<strong>100%</strong> reporting rate" in client.get(dashboard).text
    page = client.get(url).text
    assert "ended the partnership with Sustainable Public Procurement on" in page


def test_an_admin_adds_a_partnership_with_its_date(client, admin, make_organisation):
    organisation = make_organisation(programmes=())
    url = f"/admin/organisations/{organisation.id}"
    since = (utcnow() - timedelta(days=30)).date()
    response = client.submit(f"{url}/partnerships", {"programme": "sfs", "joined_on": since.isoformat()}, page=url)
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert [(p.programme.slug, p.joined_on) for p in organisation.partnerships] == [("sfs", since)]
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    response = client.submit(f"{url}/partnerships", {"programme": "spp", "joined_on": future}, page=url)
    assert response.status_code == 400
    assert "cannot start in the future" in response.text


def test_an_admin_merges_a_duplicate_from_the_organisation_page(client, admin, make_organisation, make_item):
    keep, duplicate = make_organisation("UNEP"), make_organisation("UNEP (duplicate)")
    make_item(organisation=duplicate)
    url = f"/admin/organisations/{keep.id}"
    response = client.submit(f"{url}/merge", {"duplicate": str(duplicate.id)}, page=url)
    assert response.status_code == 302
    assert "UNEP (duplicate) is merged into UNEP: 1 items, 0 accounts and 1 partnerships moved." in client.get(url).text
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1
    merged = db.select(AuditEvent.actor_id).where(AuditEvent.action == "organisation.merged")
    assert db.session.scalar(merged) == admin.id


def test_organisation_admin_is_for_admins_only(client, moderator, make_organisation):
    organisation = make_organisation()
    assert client.get(f"/admin/organisations/{organisation.id}").status_code == 403


def test_an_unknown_organisation_is_not_found(client, admin):
    assert client.get("/admin/organisations/999999").status_code == 404
