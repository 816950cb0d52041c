"""Logging in and out, sessions that end on the server, throttling, safe redirects."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, LoginFailure
from tests.helpers import PASSWORD


def login(client, email, password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.submit(url, {"email": email, "password": password})


@pytest.mark.parametrize("role, start", [("partner", "/my/"), ("moderator", "/desk/"), ("admin", "/admin/")])
def test_each_role_logs_in_to_its_start_page_and_sees_its_navigation(client, make_user, role, start):
    user = make_user(role)
    response = login(client, user.email.upper())  # email is case-insensitive
    assert response.status_code == 302
    assert response.headers["Location"] == start
    page = client.get(start).text
    assert user.name in page
    assert ('href="/admin/"' in page) == (role == "admin")
    assert ('href="/desk/"' in page) == (role in ("moderator", "admin"))
    assert ('href="/my/"' in page) == (role == "partner")


def test_unknown_email_and_wrong_password_get_the_same_message(client, make_user):
    user = make_user()
    wrong_password = login(client, user.email, "not the password")
    unknown_email = login(client, "nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert "Wrong email or password." in wrong_password.text
    assert "Wrong email or password." in unknown_email.text
    assert "nobody@example.org" in unknown_email.text  # the form keeps what was typed


def test_an_inactive_account_is_told_to_wait_for_activation(client, make_user):
    user = make_user(active=False)
    response = login(client, user.email)
    assert "waiting for activation" in response.text
    assert client.get("/my/").status_code == 302


def test_logout_ends_the_session_on_the_server_so_a_replayed_cookie_is_anonymous(app, client, auth):
    auth.login("partner")
    cookie = client.get_cookie("session").value
    assert client.get("/my/").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/my/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_deactivation_ends_every_session_of_the_user(app, client, auth, make_user):
    partner = auth.login("partner")
    admin_client = app.test_client()
    admin = make_user("admin")
    admin_client.submit("/login", {"email": admin.email, "password": PASSWORD})
    response = admin_client.submit(f"/desk/accounts/{partner.id}/active", {"active": "0"}, page="/admin/")
    assert response.status_code == 302
    assert client.get("/my/").status_code == 302
    assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.user_id == partner.id).order_by(
        AuditEvent.id.desc())) == "user.deactivated"


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth):
    user = auth.login("partner")
    other_device = app.test_client()
    other_device.submit("/login", {"email": user.email, "password": PASSWORD})
    assert other_device.get("/my/").status_code == 200
    new_password = "a much longer passphrase for 2026"
    response = client.submit(
        "/account/password", {"current_password": PASSWORD, "password": new_password, "confirm": new_password}
    )
    assert response.status_code == 302
    assert client.get("/my/").status_code == 200
    assert other_device.get("/my/").status_code == 302
    auth.logout()
    assert login(client, user.email, new_password).status_code == 302


def test_a_common_new_password_is_refused_with_a_message(client, auth):
    auth.login("partner")
    response = client.submit("/account/password", {"current_password": PASSWORD, "password": "password1",
                                                    "confirm": "password1"})
    assert response.status_code == 200
    assert "common" in response.text


def test_repeated_failures_for_one_account_get_a_429_page_that_says_when_to_retry(client, make_user):
    user = make_user()
    for _ in range(5):
        assert login(client, user.email, "wrong guess").status_code == 200
    response = login(client, user.email)  # even the right password waits
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.text
    assert int(response.headers["Retry-After"]) > 800


def test_twenty_wrong_passwords_from_one_address_get_429(client, make_user):
    users = [make_user() for _ in range(5)]
    statuses = [login(client, users[n % 5].email, "wrong guess").status_code for n in range(20)]
    assert statuses.count(200) == 20
    assert login(client, "someone@example.org", "x").status_code == 429


def test_the_throttle_counter_lives_in_the_database_shared_by_all_workers(make_app, client, make_user):
    """A second app instance on the same database (as a second gunicorn worker would be) sees the count."""
    user = make_user()
    for _ in range(5):
        login(client, user.email, "wrong guess")
    assert db.session.scalar(db.select(db.func.count(LoginFailure.id))) == 5
    email = user.email  # read it here: inside the other app, this session would load through that app's engine
    other_worker = make_app()
    with other_worker.app_context():
        assert login(other_worker.test_client(), email).status_code == 429


@pytest.mark.parametrize("target, expected", [
    ("/items/1", "/items/1"),
    ("https://evil.example/", "/my/"),
    ("//evil.example/", "/my/"),
    ("/\\evil.example", "/my/"),
    ("javascript:alert(1)", "/my/"),
])
def test_next_only_goes_to_a_path_on_this_site(client, make_user, target, expected):
    user = make_user()
    response = login(client, user.email, next_url=target)
    assert response.headers["Location"] == expected


def test_a_new_session_starts_at_login(client, make_user):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    user = make_user()
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
