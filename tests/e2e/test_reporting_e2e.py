"""In a real browser: a desk reads its reporting rate, reminds a silent partner and downloads the CSV."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_desk_reads_its_rate_reminds_a_partner_and_downloads_the_csv(page, live_server, live_user):
    live_user("partner", programmes=("sbc",), organisation_name="E2E Silent Builders")
    email, password = live_user("moderator", programmes=("sbc",))
    log_in(page, live_server, email, password)

    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Reporting").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reporting: Sustainable Buildings and Construction")
    expect(page.locator(".stats").first).to_contain_text("reporting rate")
    expect(page.get_by_role("heading", name="How these numbers are counted")).to_be_visible()
    silent = page.locator("#not-reported")
    expect(silent).to_contain_text("E2E Silent Builders")
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []

    page.get_by_role("button", name="Send reminder to E2E Silent Builders").click()
    expect(page.locator(".flashes")).to_contain_text("Reminder sent to 1 partner")
    expect(silent.get_by_role("row", name="E2E Silent Builders")).to_contain_text("Next reminder from")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the partner table (CSV)").first.click()
    assert download.value.suggested_filename.startswith("reporting-sbc-")
    with open(download.value.path(), encoding="utf-8-sig") as csv_file:
        assert "E2E Silent Builders" in csv_file.read()
