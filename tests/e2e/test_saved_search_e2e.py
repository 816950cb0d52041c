"""In a real browser: save a search, get its digest after a matching item is published, unsubscribe from the
digest's link while signed out."""

import re
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import SavedSearch, utcnow
from tests.e2e.conftest import log_in
from tests.e2e.test_desk_e2e import approve_as_affiliated, submit_as_partner


def serious_violations(page) -> list[str]:
    return [
        f"{page.url}: {violation['id']} at {violation['nodes'][0]['target']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_save_a_search_read_its_digest_in_the_outbox_and_unsubscribe_signed_out(
    page, live_server, live_app, live_user
):
    word = "heliothermic"
    reader_email, reader_password = live_user("partner", programmes=("sfs",))

    # A signed-out visitor asks to save the search and is sent to log in, then back to the search.
    page.goto(f"{live_server}/search?q={word}")
    expect(page.get_by_text("0 results")).to_be_visible()
    page.get_by_role("link", name="Save this search").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill(reader_email)
    page.get_by_label("Password").fill(reader_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/search\?q={word}$"))
    page.get_by_role("group", name="Digest by mail").get_by_label("Daily").check()
    page.get_by_role("button", name="Save this search").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{word}” is saved")
    expect(page.get_by_role("heading", name=word)).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Log out").click()

    # Saved yesterday (the digest is daily); then a matching item is published.
    with live_app.app_context():
        saved = db.session.scalar(db.select(SavedSearch).where(SavedSearch.query == f"q={word}"))
        saved.created_at -= timedelta(days=1)
        db.session.commit()
    title = f"Heliothermic dryers for rural cooperatives {utcnow():%H%M%S%f}"
    partner_email, _ = live_user("partner", programmes=("spp",))
    submit_as_partner(live_app, partner_email, title)
    approve_as_affiliated(page, live_server, live_user, title)

    result = live_app.test_cli_runner().invoke(args=["mail", "digests"])
    assert "Digests mailed: 1 " in result.output, result.output

    # The digest is in the outbox, with the item and the unsubscribe link.
    admin_email, admin_password = live_user("admin")
    log_in(page, live_server, admin_email, admin_password)
    page.goto(f"{live_server}/admin/outbox")
    digest = page.locator("article.mail", has=page.get_by_role("heading", name=f"1 new item: {word}"))
    expect(digest).to_contain_text(title)
    expect(digest).to_contain_text(f"To {reader_email}")
    link = re.search(r"http://\S+/unsubscribe/\S+", digest.locator("pre").inner_text()).group(0)
    page.get_by_role("button", name="Log out").click()

    # Signed out, the link asks once and unsubscribes.
    page.goto(link.replace(live_app.config["BASE_URL"], live_server))
    expect(page.get_by_text(f"Stop the digest of the saved search “{word}”?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status").last).to_have_text(f"You are unsubscribed: no more digests for “{word}”.")
    with live_app.app_context():
        assert db.session.scalar(db.select(SavedSearch).where(SavedSearch.query == f"q={word}")) is None


def test_the_engagement_pages_have_no_serious_accessibility_violations(page, live_server, live_app, live_user):
    from portal.catalogue import accounts

    email, password = live_user("partner", programmes=("spp",))
    with live_app.app_context():
        organisation_id = accounts.find_user_by_email(email).organisation_id
    log_in(page, live_server, email, password)
    for path in ("/my/", f"/my/organisations/{organisation_id}", "/my/searches", "/search?q=solar"):
        page.goto(f"{live_server}{path}")
        assert serious_violations(page) == []
    page.get_by_role("button", name="Log out").click()
    admin_email, admin_password = live_user("admin")
    log_in(page, live_server, admin_email, admin_password)
    page.goto(f"{live_server}/admin/organisations/{organisation_id}")
    assert serious_violations(page) == []
