"""In a real browser: a partner's submission, approved as affiliated by the desk, found by a visitor."""

import re
from itertools import count

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.catalogue import accounts, workflow
from portal.extensions import db
from portal.models import Item, Programme, Sdg
from tests.e2e.conftest import log_in

CHECKS = (
    "Organisation verified",
    "Aligned with the programme's objectives",
    "Information complete and accurate",
    "No conflict of interest",
)
_titles = count(1)


def submit_as_partner(live_app, partner_email: str, title: str) -> int:
    """The partner's submission, through the workflow service (as the submission form does)."""
    with live_app.app_context():
        partner = accounts.find_user_by_email(partner_email)
        item = Item(
            kind="initiative",
            title=title,
            organisation=partner.organisation,
            created_by=partner,
            summary="Cities buy low-carbon concrete together.",
            description="Joint **tenders**.",
            activity_category="implementation",
            initiative_status="ongoing",
        )
        item.programmes = [db.session.scalar(db.select(Programme).where(Programme.slug == "spp"))]
        item.sdgs = [db.session.get(Sdg, 12)]
        item.countries = ["KE"]
        db.session.add(item)
        db.session.flush()
        workflow.submit(item, partner)
        db.session.commit()
        return item.id


def approve_as_affiliated(page, live_server: str, live_user, title: str) -> None:
    """A desk moderator opens the submission from the queue and approves it as affiliated, by label."""
    email, password = live_user("moderator", programmes=("spp",))
    log_in(page, live_server, email, password)
    page.goto(f"{live_server}/desk/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Portfolio status").select_option(label="Affiliated")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("needs the whole due-diligence checklist")).to_be_visible()
    checklist = page.get_by_role("group", name="Due diligence")
    for check in CHECKS:
        checklist.get_by_label(check).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text(f"Approved “{title}”.")
    page.get_by_role("button", name="Log out").click()


def test_a_submission_approved_as_affiliated_is_public_and_in_the_programme_portfolio(
    page, live_server, live_app, live_user
):
    title = f"Joint procurement of low-carbon concrete {next(_titles)}"
    partner_email, _ = live_user("partner", programmes=("spp",))
    item_id = submit_as_partner(live_app, partner_email, title)
    page.goto(f"{live_server}/items/{item_id}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    approve_as_affiliated(page, live_server, live_user, title)

    page.goto(f"{live_server}/programmes/spp")
    page.get_by_role("list", name="Portfolio").get_by_role("link", name=re.compile("affiliated items")).click()
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(rf"/items/{item_id}$"))
    expect(page.locator(".badge-affiliated")).to_have_text("Affiliated")


def test_a_visitor_finds_the_affiliated_item_with_the_status_filter(page, live_server, live_app, live_user):
    if not any(rule.rule == "/search" for rule in live_app.url_map.iter_rules()):
        pytest.skip("the search page (/search) is not on this branch yet")
    title = f"Regional ecolabel for public buyers {next(_titles)}"
    partner_email, _ = live_user("partner", programmes=("spp",))
    submit_as_partner(live_app, partner_email, title)
    approve_as_affiliated(page, live_server, live_user, title)

    page.goto(f"{live_server}/search?status=affiliated")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto(f"{live_server}/search?status=core")
    expect(page.get_by_role("link", name=title)).to_have_count(0)


def test_the_desk_pages_have_no_serious_accessibility_violations(page, live_server, live_app, live_user):
    partner_email, _ = live_user("partner", programmes=("spp",))
    item_id = submit_as_partner(live_app, partner_email, f"Accessible desk check {next(_titles)}")
    email, password = live_user("moderator", programmes=("spp",))
    log_in(page, live_server, email, password)
    axe = Axe()
    for path in ("/desk/", f"/desk/items/{item_id}", "/desk/monitoring"):
        page.goto(f"{live_server}{path}")
        serious = [
            f"{path}: {violation['id']} ({violation['impact']}) at {violation['nodes'][0]['target']}"
            for violation in axe.run(page).response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert serious == []
