"""In a real browser: each role logs in and out; the navigation shows what the role can do."""

import pytest
from playwright.sync_api import expect

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
