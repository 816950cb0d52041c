"""In a real browser: each role logs in and out; the navigation shows what the role can do; a forgotten
password is reset by mail."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import OutboxMessage
from tests.e2e.conftest import log_in

NAVIGATION = {"partner": "My organisation", "moderator": "Desk", "admin": "Admin"}


@pytest.mark.parametrize("role", ["partner", "moderator", "admin"])
def test_each_role_logs_in_and_out(page, live_server, live_user, role):
    email, password = live_user(role)
    log_in(page, live_server, email, password)
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name=NAVIGATION[role], exact=True)).to_be_visible()
    expect(page.get_by_text("Welcome,")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    expect(navigation.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(f"{live_server}/my/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fmy%2F")


def test_a_wrong_password_is_told_plainly(page, live_server, live_user):
    email, _ = live_user("partner")
    log_in(page, live_server, email, "not my password at all")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(email)


def test_a_forgotten_password_is_reset_through_the_mailed_link(page, live_server, live_app, live_user):
    email, old_password = live_user("partner")
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    with live_app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body).where(
            OutboxMessage.recipient == email, OutboxMessage.topic == "password_reset")).one()
    path = re.search(r"http://portal\.test(/password/reset\?token=\S+)", body).group(1)  # BASE_URL of the tests
    page.goto(f"{live_server}{path}")
    new_password = "a brand new passphrase for the e2e partner"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    log_in(page, live_server, email, old_password)
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    log_in(page, live_server, email, new_password)
    expect(page.get_by_text("Welcome,")).to_be_visible()
