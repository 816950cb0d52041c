"""The admin area: users, roles, organisations, outbox and audit log."""

from datetime import timedelta

from portal.extensions import db
from portal.models import AuditEvent, utcnow
from tests.helpers import programme


def test_admin_lists_and_searches_users(client, admin, make_user):
    alice = make_user(email="alice@fao.example")
    make_user(email="bob@example.org")
    page = client.get("/admin/?q=fao").text
    assert alice.email in page and "bob@example.org" not in page
    waiting = make_user(email="waiting@example.org", active=False)
    page = client.get("/admin/?active=no").text
    assert waiting.email in page and alice.email not in page


def test_admin_changes_role_and_programmes_and_each_change_is_audited(client, admin, make_user):
    user = make_user("partner")
    response = client.submit(f"/admin/users/{user.id}", {"role": "moderator", "organisation": "",
                                                          "programmes": ["sfs", "st"]})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == "moderator"
    assert set(user.moderated_programmes) == {programme("sfs"), programme("st")}
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.user_id == user.id,
                                                                   AuditEvent.actor_id == admin.id)).all()
    assert {"user.role_changed", "user.organisation_changed", "user.programmes_changed"} <= set(actions)
    history = client.get(f"/admin/users/{user.id}").text
    assert "changed the role from Partner to Desk moderator" in history
    assert "changed the moderated programmes from — to sfs, st" in history and "['" not in history


def test_a_role_change_ends_the_users_sessions(app, client, admin, make_user):
    from tests.helpers import PASSWORD

    user = make_user("partner")
    their_browser = app.test_client()
    their_browser.submit("/login", {"email": user.email, "password": PASSWORD})
    assert their_browser.get("/my/").status_code == 200
    client.submit(f"/admin/users/{user.id}", {"role": "moderator", "organisation": "", "programmes": ["spp"]})
    assert their_browser.get("/my/").status_code == 302


def test_a_partner_needs_an_organisation(client, admin, make_user):
    user = make_user("moderator")
    response = client.submit(f"/admin/users/{user.id}", {"role": "partner", "organisation": ""})
    assert response.status_code == 200
    assert "A partner belongs to an organisation." in response.text


def test_an_admin_cannot_demote_or_deactivate_themself(client, admin):
    response = client.submit(f"/admin/users/{admin.id}", {"role": "partner", "organisation": ""})
    assert "cannot take the admin role away from yourself" in response.text


def test_organisations_list_shows_partnerships(client, admin, make_organisation):
    make_organisation("Nordic Ecolabel Institute", programmes=("ci", "spp"))
    page = client.get("/admin/organisations?q=nordic").text
    assert "Nordic Ecolabel Institute" in page
    assert "Consumer Information" in page and "Sustainable Public Procurement" in page


def test_outbox_and_audit_log_pages(client, admin, make_user):
    make_user("partner", active=False)
    assert client.get("/admin/outbox").status_code == 200
    page = client.get("/admin/audit?action=user.").text
    assert "created the account" in page


def test_the_audit_log_is_newest_first_by_time(client, admin):
    now = utcnow()
    # Recorded in this order, but the second happened first (an import, a clock set right...).
    db.session.add(AuditEvent(action="item.approved", message="Later event", created_at=now - timedelta(hours=1)))
    db.session.add(AuditEvent(action="item.approved", message="Earlier event", created_at=now - timedelta(days=3)))
    db.session.commit()
    page = client.get("/admin/audit?action=item.").text
    assert page.index("Later event") < page.index("Earlier event")
    assert "Later event" not in client.get("/admin/audit?action=item%").text  # a prefix, taken literally
