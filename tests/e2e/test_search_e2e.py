"""In a real browser: search, tick two facets, open a result."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Item, Organisation, Programme, Sdg, utcnow


def _items(live_app) -> None:
    with live_app.app_context():
        organisation = Organisation(name="E2E Search Organisation")
        programmes = {p.slug: p for p in db.session.scalars(db.select(Programme))}
        for n, (slugs, sdgs) in enumerate([(("sfs",), (2,)), (("sfs", "spp"), (2, 7)), (("spp",), (2,)),
                                           (("sfs",), (13,))]):
            item = Item(kind="initiative", title=f"Compost cooperative number {n}", organisation=organisation,
                        summary="Community composting of food waste.", state="published",
                        updated_at=utcnow() - timedelta(days=n))
            item.programmes = [programmes[slug] for slug in slugs]
            item.sdgs = [db.session.get(Sdg, number) for number in sorted({12, *sdgs})]
            db.session.add(item)
        db.session.commit()


def test_search_tick_two_facets_and_open_a_result(live_app, live_server, page):
    _items(live_app)
    page.goto(f"{live_server}/search")
    page.get_by_label("Search for").fill("compost")
    page.locator("#main").get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("4 results for “compost”")).to_be_visible()
    expect(page.locator("mark").first).to_have_text(re.compile("compost", re.I))

    page.get_by_role("group", name="Programme").get_by_label(re.compile("Sustainable Food Systems")).check()
    page.get_by_role("group", name="SDG").get_by_label(re.compile("SDG 2 – Zero hunger")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 results for “compost”")).to_be_visible()
    expect(page.get_by_role("link", name="Remove filter Programme: Sustainable Food Systems")).to_be_visible()

    page.get_by_role("link", name="Compost cooperative number 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compost cooperative number 1")
    expect(page.get_by_text("SDG 7 – Affordable and clean energy")).to_be_visible()
