"""In a real browser: a partner submits an initiative and a resource with a file, finding every field by its label."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import samples
from tests.e2e.conftest import log_in


@pytest.fixture
def partner_page(page, live_server, live_user):
    email, password = live_user("partner", programmes=("spp", "sfs"))
    log_in(page, live_server, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My items").click()
    expect(page.get_by_role("heading", name="My items")).to_be_visible()
    return page


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_a_partner_submits_an_initiative(partner_page, live_server):
    page = partner_page
    page.get_by_role("link", name="New initiative").click()
    assert serious_violations(page) == []

    page.get_by_label("Title", exact=True).fill("Green canteens in every school")
    page.get_by_label("Summary", exact=True).fill("Public schools buy local, seasonal food and waste less of it.")
    page.get_by_label("Description", exact=True).fill("## Goals\n\nHalve food waste by **2030**.")
    page.get_by_label("Lead programme").select_option(label="Sustainable Food Systems")
    page.get_by_role("group", name="Other programmes").get_by_label("Sustainable Public Procurement").check()
    expect(page.get_by_role("group", name="SDGs")).to_contain_text("SDG 12 – Responsible consumption and production")
    page.get_by_label("SDG 2 – Zero hunger").check()
    page.get_by_label("SDG 13 – Climate action").check()
    page.get_by_label("Countries", exact=True).select_option(["KE", "global"])
    page.get_by_label("Activity category").select_option(label="Implementation and changes in practice")
    page.get_by_label("Start date").fill("2025-01-15")
    page.get_by_label("End date").fill("2027-06-30")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("“Green canteens in every school” is submitted for review.")).to_be_visible()
    expect(page.get_by_role("heading", name="Green canteens in every school", level=1)).to_be_visible()
    expect(page.locator(".item-status")).to_contain_text("Submitted")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Sustainable Food Systems (lead)")
    expect(facts).to_contain_text("SDG 2 – Zero hunger")
    expect(facts).to_contain_text("Global, Kenya")
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()  # the Markdown, rendered
    expect(page.locator(".history")).to_contain_text("submitted it for review")
    assert serious_violations(page) == []

    page.get_by_role("link", name="My items").first.click()
    row = page.get_by_role("row", name=re.compile("Green canteens in every school"))
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Sustainable Food Systems (lead): Not in portfolio")
    assert serious_violations(page) == []


def test_a_partner_submits_a_resource_with_a_file(partner_page, live_server, tmp_path):
    page = partner_page
    pdf = tmp_path / "tender-guide.pdf"
    pdf.write_bytes(samples.pdf("Green tenders"))
    page.get_by_role("link", name="New resource").click()

    page.get_by_label("Title", exact=True).fill("Guide to green tenders")
    page.get_by_label("Summary", exact=True).fill("How to write environmental criteria into public tenders.")
    page.get_by_label("Lead programme").select_option(label="Sustainable Public Procurement")
    page.get_by_label("SDG 9 – Industry, innovation and infrastructure").check()
    page.get_by_label("Resource type").select_option(label="Publication")
    page.get_by_label("File", exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("“Guide to green tenders” is submitted for review.")).to_be_visible()
    link = page.get_by_role("link", name="tender-guide.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "tender-guide.pdf"
    assert download.value.path().read_bytes() == pdf.read_bytes()


def test_a_mistake_is_shown_at_its_field_and_nothing_typed_is_lost(partner_page, live_server, tmp_path):
    page = partner_page
    page.goto(f"{live_server}/my/items/new/resource")
    page.get_by_label("Title", exact=True).fill("A page pretending to be a PDF")
    page.get_by_label("Summary", exact=True).fill("Should be refused.")
    page.get_by_label("Lead programme").select_option(label="Sustainable Public Procurement")
    for number in (1, 2, 3, 4, 5, 6):
        page.get_by_label(re.compile(rf"^SDG {number} – ")).check()
    page.get_by_label("Resource type").select_option(label="Tool")
    fake = tmp_path / "report.pdf"
    fake.write_bytes(samples.html())
    page.get_by_label("File", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#sdgs-error")).to_have_text("Choose at most 5 SDGs besides SDG 12: you chose 6.")
    expect(page.locator("#file-error")).to_contain_text("not an allowed type")
    expect(page.get_by_text("choose it again")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("A page pretending to be a PDF")
    expect(page.get_by_label("SDG 6 – Clean water and sanitation")).to_be_checked()
    expect(page.get_by_label("Resource type")).to_have_value("tool")
