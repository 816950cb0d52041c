"""Accounts as services: creation, passwords, activation, roles, the lists of accounts and organisations.
(Logging in and its throttle, sessions and resets: ``test_login_throttle``, ``test_sessions``,
``test_password_reset`` under tests/views.)"""

import pytest

from portal.catalogue import PermissionDenied, RuleViolation, accounts, audit, sessions
from portal.extensions import db
from portal.models import AuditEvent
from tests.helpers import PASSWORD, programme


def test_emails_are_one_account_whatever_their_case(make_user):
    user = make_user("partner", email="Someone@Example.org")
    assert user.email == "someone@example.org"
    assert accounts.find_user_by_email(" SOMEONE@example.ORG ") == user
    with pytest.raises(RuleViolation) as error:
        accounts.create_user("someone@EXAMPLE.org", "Twin", PASSWORD, "admin")
    assert error.value.field == "email"


def test_a_common_or_short_password_is_refused_with_a_reason(app):
    assert "at least" in accounts.password_problem("short")
    assert accounts.password_problem("password123") is not None
    assert accounts.password_problem("adalovelace", ("ada@example.org", "adalovelace")) is not None  # own name
    assert accounts.password_problem(PASSWORD) is None


def test_a_password_change_ends_every_session(make_user):
    user = make_user("partner")
    token = sessions.start_session(user)
    assert sessions.session_user(str(user.id), token) == user
    assert sessions.session_user(str(user.id + 1), token) is None and sessions.session_user(str(user.id), "x") is None
    accounts.change_password(user, PASSWORD, "a much longer passphrase of words")
    assert sessions.session_user(str(user.id), token) is None
    with pytest.raises(RuleViolation) as error:
        accounts.change_password(user, PASSWORD, "another long passphrase here")
    assert error.value.field == "current_password"


def test_deactivation_is_for_those_who_manage_the_account_and_ends_its_sessions(make_user):
    partner = make_user("partner", programmes=("sfs",))
    token = sessions.start_session(partner)
    with pytest.raises(PermissionDenied):
        accounts.set_active(make_user("moderator", programmes=("spp",)), partner, False)
    accounts.set_active(make_user("moderator", programmes=("sfs",)), partner, False)
    assert not partner.active and sessions.session_user(str(partner.id), token) is None
    admin = make_user("admin")
    with pytest.raises(RuleViolation):
        accounts.set_active(admin, admin, False)


def test_each_change_of_role_organisation_and_programmes_is_audited_in_words(make_user, make_organisation):
    admin = make_user("admin")
    user = make_user("moderator", programmes=("spp",))
    accounts.update_user(admin, user, role="moderator", organisation=None,
                         moderated_programmes=[programme("ci"), programme("st")])
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.programmes_changed"))
    assert audit.describe(event) == f"{admin.name} changed the moderated programmes from spp to ci, st"
    organisation = make_organisation(name="Green Builders")
    accounts.update_user(admin, user, role="partner", organisation=organisation, moderated_programmes=[])
    assert [audit.describe(event) for event in audit.about_user(user)][:3] == [
        f"{admin.name} changed the moderated programmes from ci, st to —",
        f"{admin.name} changed the organisation from — to Green Builders",
        f"{admin.name} changed the role from Desk moderator to Partner",
    ]
    with pytest.raises(PermissionDenied):
        accounts.update_user(user, admin, role="partner", organisation=organisation, moderated_programmes=[])


def test_organisations_are_found_by_any_part_of_their_name_taken_literally(make_organisation):
    make_organisation(name="Green Builders")
    make_organisation(name="100% Recycled")
    make_organisation(name="Blue_Water")
    names = [o.name for o in db.session.scalars(accounts.organisations_query("green"))]
    assert names == ["Green Builders"]
    assert [o.name for o in db.session.scalars(accounts.organisations_query("%"))] == ["100% Recycled"]
    assert [o.name for o in db.session.scalars(accounts.organisations_query("_"))] == ["Blue_Water"]
