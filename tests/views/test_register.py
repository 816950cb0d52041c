"""Asking for a partner account, and its activation by an admin or a desk of the organisation."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Organisation, OutboxMessage, User
from tests.helpers import PASSWORD

GOOD = {"name": "Rosa Applicant", "email": "Rosa@Example.org", "password": PASSWORD, "confirm": PASSWORD}


def register(client, **fields):
    return client.submit("/register", {**GOOD, **fields})


def test_register_for_an_existing_organisation_waits_for_activation(client, make_organisation, make_user):
    admin = make_user("admin")
    organisation = make_organisation("Kenya Food Systems Network", programmes=("sfs",))
    desk = make_user("moderator", programmes=("sfs",))
    other_desk = make_user("moderator", programmes=("spp",))
    response = register(client, organisation=str(organisation.id))
    assert response.status_code == 201
    assert "waiting for activation" in response.text
    user = db.session.scalar(db.select(User).where(User.email == "rosa@example.org"))
    assert user.organisation == organisation and user.role == "partner" and not user.active
    assert client.submit("/login", {"email": "rosa@example.org", "password": PASSWORD}).status_code == 200
    recipients = set(db.session.scalars(db.select(OutboxMessage.recipient)))
    assert {admin.email, desk.email} <= recipients and other_desk.email not in recipients


def test_register_with_a_new_organisation_creates_it_with_its_programmes(client):
    response = register(client, organisation="new", organisation_name="Pacific Reuse Collective",
                        organisation_type="civil_society", organisation_country="FJ", programmes=["st", "sle"])
    assert response.status_code == 201
    organisation = db.session.scalar(db.select(Organisation).where(Organisation.name == "Pacific Reuse Collective"))
    assert sorted(p.slug for p in organisation.programmes) == ["sle", "st"]
    assert organisation.country == "FJ"


@pytest.mark.parametrize("fields, message", [
    ({"password": "short1", "confirm": "short1"}, "at least 8 characters"),
    ({"password": "password123", "confirm": "password123"}, "common"),
    ({"confirm": "something else"}, "The passwords differ."),
    ({"email": "not-an-email"}, "Invalid email address"),
    ({"organisation": "new", "organisation_name": ""}, "Name your organisation."),
    ({"organisation": "new", "organisation_name": "Solo Org", "programmes": []}, "at least one programme"),
])
def test_bad_registrations_are_refused_at_the_field_and_keep_what_was_typed(client, make_organisation, fields,
                                                                              message):
    organisation = make_organisation()
    response = register(client, **{"organisation": str(organisation.id), **fields})
    assert response.status_code == 200
    assert message in response.text
    assert "Rosa Applicant" in response.text
    assert db.session.scalar(db.select(User).where(User.email == "rosa@example.org")) is None


def test_an_email_is_registered_once_whatever_its_case(client, make_user, make_organisation):
    make_user(email="rosa@example.org")
    response = register(client, organisation=str(make_organisation().id))
    assert "already exists" in response.text


def test_a_moderator_of_the_organisations_programme_activates_the_account(app, client, auth, make_organisation,
                                                                         make_user):
    organisation = make_organisation(programmes=("sfs",))
    applicant = make_user(organisation=organisation, active=False)
    auth.login("moderator", programmes=("sfs",))
    page = client.get("/desk/accounts").text
    assert applicant.email in page
    response = client.submit(f"/desk/accounts/{applicant.id}/active", {"active": "1"}, page="/desk/accounts")
    assert response.status_code == 302
    db.session.refresh(applicant)
    assert applicant.active
    assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.user_id == applicant.id)
                             .order_by(AuditEvent.id.desc())) == "user.activated"
    assert db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == applicant.email))


def test_a_moderator_of_another_programme_can_neither_see_nor_activate_it(client, auth, make_organisation,
                                                                         make_user):
    applicant = make_user(organisation=make_organisation(programmes=("sfs",)), active=False)
    auth.login("moderator", programmes=("st",))
    assert applicant.email not in client.get("/desk/accounts").text
    response = client.submit(f"/desk/accounts/{applicant.id}/active", {"active": "1"}, page="/desk/accounts")
    assert response.status_code == 403
    db.session.refresh(applicant)
    assert not applicant.active
