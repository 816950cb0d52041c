"""Login throttling per account and address and per address; failures on an account from many
addresses slow it down and mail its owner, but never lock the owner out."""

import pytest

from portal.extensions import db
from portal.models import LoginFailure, OutboxMessage
from tests.helpers import PASSWORD


def login(client, email, password=PASSWORD, address="192.0.2.1"):
    return client.submit("/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def security_events(caplog, name: str) -> list[dict]:
    return [record.fields for record in caplog.records
            if record.name == "portal.security" and record.fields["event"] == name]


@pytest.fixture
def slowdown(app):
    app.config.update(LOGIN_FAILURES_BEFORE_SLOWDOWN=6, LOGIN_SLOWDOWN_SECONDS=0.01)


def test_wrong_passwords_from_other_addresses_do_not_lock_the_owner_out(client, make_user, slowdown):
    user = make_user()
    for n in range(8):
        assert login(client, user.email, "wrong guess", address=f"198.51.100.{n}").status_code == 200
    response = login(client, user.email, address="203.0.113.7")  # the owner, from a fresh address
    assert response.status_code == 302
    assert response.headers["Location"] == "/my/"


def test_one_address_guessing_one_account_waits_but_the_owner_elsewhere_does_not(client, make_user):
    user = make_user()
    for _ in range(5):
        login(client, user.email, "wrong guess", address="198.51.100.9")
    throttled = login(client, user.email, address="198.51.100.9")
    assert throttled.status_code == 429 and "try again in 15 minutes" in throttled.text
    assert login(client, user.email, address="203.0.113.7").status_code == 302


def test_an_address_guessing_many_accounts_waits_for_every_account(client, make_user):
    users = [make_user() for _ in range(5)]
    for n in range(20):
        login(client, users[n % 5].email, "wrong guess", address="198.51.100.9")
    assert login(client, make_user().email, address="198.51.100.9").status_code == 429
    assert login(client, users[0].email, address="203.0.113.7").status_code == 302


def test_many_failures_on_an_account_slow_it_down_and_mail_the_owner_once(client, make_user, slowdown, caplog):
    user = make_user()
    for n in range(9):
        login(client, user.email, "wrong guess", address=f"198.51.100.{n}")
    alerts = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.topic == "login_alert")).all()
    assert [message.recipient for message in alerts] == [user.email]  # once per window, not per failure
    assert "6 failed attempts" in alerts[0].body and "not locked" in alerts[0].body
    assert "http://portal.test/password/forgot" in alerts[0].body
    slowed = security_events(caplog, "login.slowed")
    assert slowed and slowed[-1]["failures"] == 8 and slowed[-1]["email"] == user.email
    assert login(client, user.email, address="203.0.113.7").status_code == 302


def test_no_mail_about_failures_on_an_unknown_email(client, slowdown):
    for n in range(8):
        login(client, "nobody@example.org", "guess", address=f"198.51.100.{n}")
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_a_successful_login_forgets_only_the_failures_of_its_own_address(client, make_user):
    user = make_user()
    login(client, user.email, "wrong guess", address="198.51.100.1")
    login(client, user.email, "wrong guess", address="198.51.100.2")
    assert login(client, user.email, address="198.51.100.1").status_code == 302
    assert db.session.scalars(db.select(LoginFailure.address)).all() == ["198.51.100.2"]


def test_a_forged_forwarded_address_is_recorded_as_unknown(make_app, make_user):
    proxied = make_app(PROXY_COUNT=1).test_client()
    user = make_user()
    email = user.email
    token = proxied.csrf_token("/login")
    proxied.post("/login", data={"csrf_token": token, "email": email, "password": "wrong"},
                 headers={"X-Forwarded-For": "not-an-address-" + "x" * 100})
    assert db.session.scalars(db.select(LoginFailure.address)).all() == ["unknown"]
