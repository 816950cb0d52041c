"""A forgotten password is reset by a mailed link that works once and expires; every session ends."""

import re
import time

import pytest

from portal.catalogue import resets
from portal.extensions import db
from portal.models import AuditEvent, AuthSession, OutboxMessage
from tests.helpers import PASSWORD

NEW_PASSWORD = "seven unrelated words for my new login"
SAME_ANSWER = "If an active account uses"


def ask(client, email):
    return client.submit("/password/forgot", {"email": email})


def reset_mails() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.topic == "password_reset")).all()


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://portal\.test(/password/reset\?token=\S+)", message.body).group(1)


def choose(client, link, password=NEW_PASSWORD):
    """Post the form of ``link`` as a browser does (the token in its hidden field)."""
    token = link.partition("token=")[2]
    return client.submit("/password/reset", {"token": token, "password": password, "confirm": password}, page=link)


def test_the_login_page_offers_the_reset(client):
    page = client.get("/login").text
    assert '<a href="/password/forgot">Forgot your password?</a>' in page
    assert 'for="email">Email</label>' in client.get("/password/forgot").text


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_account_a_mail(client, make_user):
    user = make_user()
    known, unknown = ask(client, user.email.upper()), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.text and SAME_ANSWER in unknown.text
    assert known.text.replace(user.email.upper(), "X") == unknown.text.replace("nobody@example.org", "X")
    assert [message.recipient for message in reset_mails()] == [user.email]


def test_inactive_accounts_get_no_link(client, make_user):
    user = make_user(active=False)
    assert SAME_ANSWER in ask(client, user.email).text
    assert reset_mails() == []


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client, make_user):
    user = make_user()
    other_device = app.test_client()
    other_device.submit("/login", {"email": user.email, "password": PASSWORD})
    ask(client, user.email)
    link = link_in(reset_mails()[0])
    form = client.get(link)
    assert form.status_code == 200 and 'for="password">New password</label>' in form.text
    assert '<meta name="referrer" content="no-referrer">' in form.text
    response = choose(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert other_device.get("/my/").status_code == 302  # logged out everywhere
    assert db.session.scalar(db.select(db.func.count(AuthSession.id))) == 0
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.submit("/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.user_id == user.id)
                             .order_by(AuditEvent.id.desc())) == "user.password_reset"


def test_a_second_use_of_the_link_fails(client, make_user):
    user = make_user()
    ask(client, user.email)
    link = link_in(reset_mails()[0])
    assert choose(client, link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "expired or was already used" in again.text
    assert client.submit("/password/reset", {"token": link.partition("token=")[2], "password": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD}, page="/password/forgot").status_code == 400


def test_an_expired_or_forged_link_fails(app, client, make_user, monkeypatch):
    user = make_user()
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: int(time.time()) - 3601)
    expired = resets.reset_token(user)
    monkeypatch.undo()
    for token in (expired, "forged", resets.reset_token(user)[:-2] + "xx"):
        response = client.get(f"/password/reset?token={token}")
        assert response.status_code == 400 and "expired or was already used" in response.text


def test_the_new_password_follows_the_same_rules(client, make_user):
    user = make_user()
    ask(client, user.email)
    link = link_in(reset_mails()[0])
    for password, message in (("short", "at least 8 characters"), ("p" * 1025, "at most 1,024"),
                              ("One Planet Catalogue", "name of the portal")):
        response = choose(client, link, password)
        assert response.status_code == 200 and message in response.text
    assert choose(client, link).status_code == 302  # still valid after refused attempts


def test_an_account_gets_at_most_three_reset_mails_an_hour(client, make_user):
    user = make_user()
    for _ in range(5):
        assert SAME_ANSWER in ask(client, user.email).text
    assert len(reset_mails()) == 3


def test_the_reset_form_is_rate_limited_per_address(make_app, make_user):
    # The one Limiter keeps the default limits of the first app that enabled it: the same as test_api's.
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute").test_client()
    token = limited.csrf_token("/password/forgot")
    statuses = [limited.post("/password/forgot", data={"csrf_token": token, "email": f"x{n}@example.org"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]


@pytest.mark.parametrize("email", ["not an email", ""])
def test_a_malformed_address_is_refused_at_the_field(client, email):
    response = ask(client, email)
    assert response.status_code == 200 and SAME_ANSWER not in response.text
