"""In a real browser: search, tick two facets, open a result."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Item, Organisation, Programme, Sdg, utcnow


def _items(live_app, word: str = "Compost") -> None:
    """Four public items titled "<word> cooperative number N" (the live app lives for the session)."""
    with live_app.app_context():
        organisation = Organisation(name=f"E2E {word} Organisation")
        programmes = {p.slug: p for p in db.session.scalars(db.select(Programme))}
        for n, (slugs, sdgs) in enumerate([(("sfs",), (2,)), (("sfs", "spp"), (2, 7)), (("spp",), (2,)),
                                           (("sfs",), (13,))]):
            item = Item(kind="initiative", title=f"{word} cooperative number {n}", organisation=organisation,
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


def test_on_a_phone_the_results_come_first_and_the_filters_open_without_javascript(live_app, live_server, page):
    _items(live_app, "Bamboo")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/search?q=bamboo")
    programme_group = page.get_by_role("group", name="Programme")
    expect(programme_group).to_be_hidden()
    first_result = page.get_by_role("link", name=re.compile("Bamboo cooperative number"))
    assert first_result.first.bounding_box()["y"] < 844  # on the first screen
    page.get_by_text("Filters", exact=True).click()
    expect(programme_group).to_be_visible()
    programme_group.get_by_label(re.compile("Sustainable Food Systems")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("3 results for “bamboo”")).to_be_visible()


def test_on_a_wide_screen_the_filters_are_a_column_beside_the_results(live_app, live_server, page):
    _items(live_app, "Mulch")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/search?q=mulch")
    programme_group = page.get_by_role("group", name="Programme")
    expect(programme_group).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()
    results = page.get_by_role("link", name=re.compile("Mulch cooperative number")).first.bounding_box()
    assert programme_group.bounding_box()["x"] < results["x"]
