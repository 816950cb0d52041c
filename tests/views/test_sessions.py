"""Login sessions end on the server when idle and at the end of their lifetime, whatever the cookie
says; their last use is written at most once a minute; `sessions purge` clears what has ended."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AuthSession, LoginFailure, utcnow


def the_session() -> AuthSession:
    return db.session.scalars(db.select(AuthSession)).one()


def age(**changes) -> None:
    """Move the only session's times into the past."""
    row = the_session()
    for name, delta in changes.items():
        setattr(row, name, utcnow() - delta)
    db.session.commit()


def test_a_session_older_than_its_lifetime_is_refused(client, auth, caplog):
    auth.login("partner")
    age(created_at=timedelta(days=40))
    response = client.get("/my/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 200 and client.get("/my/").status_code == 302
    ended = [record.fields for record in caplog.records if record.name == "portal.security"
             and record.fields["event"] == "session.expired"]
    assert [entry["reason"] for entry in ended] == ["lifetime"]  # logged once: the cookie forgets it


@pytest.mark.parametrize("role, idle_minutes, accepted", [
    ("moderator", 29, True), ("moderator", 31, False), ("admin", 31, False),
    ("partner", 31, True), ("partner", 119, True), ("partner", 121, False),
])
def test_an_idle_session_ends_sooner_for_staff_than_for_partners(client, auth, role, idle_minutes, accepted):
    auth.login(role)
    age(last_seen_at=timedelta(minutes=idle_minutes))
    page = {"partner": "/my/", "moderator": "/desk/", "admin": "/admin/"}[role]
    assert (client.get(page).status_code == 200) == accepted


def test_the_idle_limits_are_settings(client, auth, app):
    app.config["SESSION_IDLE_MINUTES_PARTNER"] = 5
    auth.login("partner")
    age(last_seen_at=timedelta(minutes=6))
    assert client.get("/my/").status_code == 302


def test_last_use_is_written_at_most_once_a_minute(client, auth):
    auth.login("partner")
    age(last_seen_at=timedelta(seconds=30))
    before = the_session().last_seen_at
    assert client.get("/my/").status_code == 200
    db.session.expire_all()
    assert the_session().last_seen_at == before  # no write for this GET
    age(last_seen_at=timedelta(seconds=61))
    assert client.get("/my/").status_code == 200
    db.session.expire_all()
    assert utcnow() - the_session().last_seen_at < timedelta(seconds=5)


def test_use_keeps_a_session_alive_until_its_lifetime(client, auth):
    auth.login("moderator")
    age(last_seen_at=timedelta(minutes=20), created_at=timedelta(hours=11))
    assert client.get("/desk/").status_code == 200
    age(last_seen_at=timedelta(minutes=1), created_at=timedelta(hours=12, minutes=1))
    assert client.get("/desk/").status_code == 302


def test_sessions_purge_deletes_ended_sessions_and_old_failures(runner, make_user):
    partner, moderator = make_user("partner"), make_user("moderator")
    now = utcnow()
    db.session.add_all([
        AuthSession(id="live", user_id=partner.id, created_at=now, last_seen_at=now),
        AuthSession(id="old", user_id=partner.id, created_at=now - timedelta(days=40), last_seen_at=now),
        AuthSession(id="idle-partner", user_id=partner.id, created_at=now, last_seen_at=now - timedelta(hours=3)),
        AuthSession(id="idle-staff", user_id=moderator.id, created_at=now, last_seen_at=now - timedelta(minutes=45)),
        AuthSession(id="live-staff", user_id=moderator.id, created_at=now, last_seen_at=now - timedelta(minutes=5)),
        LoginFailure(email="a@example.org", address="192.0.2.1", created_at=now - timedelta(days=2)),
        LoginFailure(email="a@example.org", address="192.0.2.1", created_at=now),
    ])
    db.session.commit()
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 ended sessions and 1 old login failures." in result.output
    db.session.expire_all()
    assert sorted(db.session.scalars(db.select(AuthSession.id))) == ["live", "live-staff"]
    assert db.session.scalar(db.select(db.func.count(LoginFailure.id))) == 1
    again = runner.invoke(args=["sessions", "purge"])  # safe to run again (cron)
    assert "Deleted 0 ended sessions and 0 old login failures." in again.output
