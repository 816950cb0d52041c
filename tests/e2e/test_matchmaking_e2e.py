"""In a real browser: a desk records Kenya's need for green public procurement training and reads its best
offers with their reasons; the partners behind them are mailed once; one expresses interest and the desk
reads it; the country page shows the need and its offers; the programme page shows highlights, key
messages and links to other programmes; its pitch prints on one A4 page."""

import io
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.catalogue import accounts, highlights
from portal.catalogue.figures import FigureText
from portal.extensions import db
from portal.models import Item, Organisation, OutboxMessage, PortfolioEntry, Programme, Sdg, utcnow
from tests.e2e.conftest import log_in

NEED = "Training in green public procurement for county buyers"
LONG = " with partners from many countries, cities, ministries, universities and businesses of the region"


def publish(live_app, organisation: str, title: str, *, kind="initiative", programmes=("spp",), sdgs=(), themes=(),
            countries=(), offer=True, **fields) -> int:
    """A published item of ``organisation`` in the portfolio of its first programme (core)."""
    with live_app.app_context():
        by_slug = {p.slug: p for p in db.session.scalars(select(Programme))}
        item = Item(kind=kind, title=title, summary=f"{title}.", organisation=db.session.scalar(
            select(Organisation).where(Organisation.name == organisation)), state="published", is_offer=offer,
            published_at=utcnow(), **fields)
        if kind == "initiative":
            item.activity_category = item.activity_category or "implementation"
            item.initiative_status = "ongoing"
        else:
            item.link_url = "https://example.org/toolkit.pdf"
        item.programmes = [by_slug[slug] for slug in programmes]
        item.sdgs = list(db.session.scalars(select(Sdg).where(Sdg.number.in_({12, *sdgs}))))
        item.countries, item.themes = list(countries), list(themes)
        item.portfolio_entries = [PortfolioEntry(programme=by_slug[programmes[0]], status="core")]
        db.session.add(item)
        db.session.commit()
        return item.id


def no_serious_violations(page) -> None:
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_a_need_finds_its_offers_the_partners_answer_and_the_programme_tells_its_story(
    page, live_server, live_app, live_user
):
    partners = {name: live_user("partner", programmes=("spp",), organisation_name=name)
                for name in ("E2E Training Alliance", "E2E Course Makers", "E2E Canteen Network", "E2E Far Away")}
    toolkit = publish(live_app, "E2E Training Alliance", "GPP training toolkit for procurement officers",
                      kind="resource", resource_type="training_material", sdgs=(8,), countries=("UG", "TZ"),
                      themes=("resource_efficiency", "circular_economy"))
    course = publish(live_app, "E2E Course Makers", "E-learning course on sustainable public procurement",
                     themes=("resource_efficiency",), countries=("KE",))
    canteen = publish(live_app, "E2E Canteen Network", "Green canteen tenders", programmes=("spp", "sfs"),
                      themes=("circular_economy",), countries=("FR",))
    publish(live_app, "E2E Far Away", "Ecolabel network in Brazil", programmes=("ci",), sdgs=(8,), countries=("BR",))
    publish(live_app, "E2E Far Away", "Not offered procurement training", offer=False, themes=("resource_efficiency",))

    desk_email, password = live_user("moderator", programmes=("spp",))
    log_in(page, live_server, desk_email, password)
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Match-making").click()
    page.get_by_role("link", name="Record a need").first.click()
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Title").fill(NEED)
    page.get_by_label("Description").fill("Counties ask for **training** of their procurement officers.")
    page.get_by_role("group", name="SDGs").get_by_label("SDG 8 – Decent work and economic growth").check()
    page.get_by_role("group", name="Themes").get_by_label("Resource efficiency").check()
    page.get_by_role("group", name="Themes").get_by_label("Circular economy").check()
    page.get_by_role("group", name="Programmes").get_by_label("Sustainable Public Procurement").check()
    page.get_by_label("Activity category").select_option(label="Capacity building")
    page.get_by_label("Contact").fill("National Treasury, procurement@treasury.example.org")
    page.get_by_role("button", name="Save need").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NEED)
    matches = page.get_by_role("list", name=f"Offers that fit {NEED}").get_by_role("listitem")
    expect(matches).to_have_count(4)
    expect(matches.nth(0)).to_contain_text("GPP training toolkit for procurement officers")
    expect(matches.nth(0)).to_contain_text("same theme: Resource efficiency; SDG 8; same kind of work: Capacity")
    expect(matches.nth(1)).to_contain_text("E-learning course on sustainable public procurement")
    expect(matches.nth(1)).to_contain_text("used in Kenya")
    expect(matches.nth(2)).to_contain_text("Green canteen tenders")
    expect(matches.nth(2)).to_contain_text("same theme: Circular economy; same programme: Sustainable Public")
    no_serious_violations(page)
    need_url = page.url

    with live_app.app_context():
        mailed = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.subject.contains(NEED))).all()
    assert sorted(mailed) == sorted(email for email, _ in partners.values())  # one mail each

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, *partners["E2E Course Makers"])
    page.goto(need_url)
    page.get_by_label("Message").fill("Our e-learning course runs in Nairobi; we can open a cohort for counties.")
    page.get_by_role("button", name="Express interest").click()
    expect(page.get_by_role("status")).to_contain_text("Your interest is sent to the desks of this need.")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, desk_email, password)
    page.goto(need_url)
    interest = page.get_by_role("region", name="Interest expressed")
    expect(interest).to_contain_text("E2E Course Makers")
    expect(interest).to_contain_text("we can open a cohort for counties")

    page.get_by_role("link", name="Kenya").first.click()
    expect(page).to_have_url(re.compile(r"/countries/KE$"))
    expect(page.get_by_role("link", name=NEED)).to_be_visible()
    expect(page.get_by_role("list", name=f"Offers that fit {NEED}")).to_contain_text("GPP training toolkit")
    no_serious_violations(page)

    # The programme's story: the highlights (five set up, the sixth added here), three key messages of the
    # longest length, and a link to another programme set by a partner from its item page.
    admin_email, _ = live_user("admin")
    pilots = [publish(live_app, "E2E Canteen Network", f"Highlight {n}: procurement pilot{LONG}", offer=False)
              for n in range(5)]
    with live_app.app_context():
        spp = db.session.scalar(select(Programme).where(Programme.slug == "spp"))
        for number, item_id in enumerate(pilots, start=1):
            figure = FigureText(str(1200 * number), "public buyers", "trained in green tendering")
            highlights.add_highlight(spp, accounts.find_user_by_email(admin_email), item_id, figure)
        db.session.commit()
    page.goto(f"{live_server}/desk/")
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Highlights").click()
    page.get_by_label("Item").fill(f"{live_server}/items/{course}")
    key_figure = page.get_by_role("group", name="Key figure")
    key_figure.get_by_label("Value").fill("1,800")
    key_figure.get_by_label("Unit").fill("public buyers")
    key_figure.get_by_label("What it measures").fill("trained since 2021")
    page.get_by_role("button", name="Add highlight").click()
    expect(page.get_by_role("status")).to_contain_text("is a highlight of Sustainable Public Procurement")
    for number in (1, 2, 3):
        page.get_by_label(f"Key message {number}").fill(f"Message {number}: " + "buying green moves markets. " * 10)
    page.get_by_role("button", name="Save key messages").click()
    expect(page.get_by_role("status")).to_contain_text("key messages of Sustainable Public Procurement are saved")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, *partners["E2E Training Alliance"])
    page.goto(f"{live_server}/my/items/{toolkit}")
    page.get_by_label("Relation").select_option(label="Produced by")
    page.get_by_label("Item to link").fill(str(canteen))
    page.get_by_role("button", name="Add link").click()
    expect(page.get_by_role("region", name="Related items")).to_contain_text("Produced by: Green canteen tenders")
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{live_server}/programmes/spp")
    expect(page.get_by_role("region", name="Highlights")).to_contain_text("1,800 public buyers")
    expect(page.get_by_role("region", name="Highlights")).to_contain_text("E-learning course on sustainable")
    expect(page.get_by_role("region", name="Key messages")).to_contain_text("Message 3: buying green")
    links = page.get_by_role("region", name="Links to other programmes")
    expect(links.get_by_role("row", name=re.compile("Sustainable Food Systems"))).to_be_visible()
    no_serious_violations(page)
    assert page.evaluate("document.documentElement.scrollHeight") < 4000  # an overview, not a list of titles

    page.get_by_role("link", name="The programme in one page (to print)").click()
    expect(page.get_by_role("heading", name="Key facts")).to_be_visible()
    expect(page.locator(".pitch-highlights li")).to_have_count(6)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    assert "Message 1: buying green" in pdf.pages[0].extract_text()

