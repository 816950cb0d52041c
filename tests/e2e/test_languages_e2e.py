"""In a real browser, in the six languages: a French browser lands on French pages and switches to Arabic
(right to left, nothing overlapping) and back; Chinese lays out as well; axe finds no serious violation
in Arabic and Chinese; a Spanish partner submits through Spanish forms and reads Spanish errors.

Texts are read from the shipped catalogues (``messages.po``): where a string is not translated yet the
page shows the English, and so do these tests, except the Spanish error, which must be Spanish.
Screenshots of each page and language are saved under the test's temporary folder for a person to look at.
"""

import itertools
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Item, Organisation, Programme, Sdg, utcnow
from tests.e2e.conftest import PASSWORD

TRANSLATIONS = Path(__file__).resolve().parents[2] / "portal" / "translations"
_numbers = itertools.count(1)
# The page's main regions, which must neither overlap nor leave the window.
REGIONS = (".header-row", ".main-nav", "#main", ".site-footer")
HEADER_PARTS = (".brand", ".header-search", ".language-chooser")


@cache
def catalogue(language: str) -> dict:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return {message.id: message.string for message in read_po(file) if message.id}


def translated(language: str, msgid: str) -> str:
    """The shipped translation of ``msgid``, or ``msgid`` itself where there is none yet (the page shows it)."""
    return (catalogue(language).get(msgid) if language != "en" else None) or msgid


@pytest.fixture
def public_item(live_app) -> int:
    with live_app.app_context():
        organisation = Organisation(name=f"E2E Language Organisation {next(_numbers)}", country="KE")
        item = Item(kind="initiative", title="Cantinas escolares sostenibles", organisation=organisation,
                    summary="Las escuelas compran alimentos locales y de temporada.", state="published",
                    language="es", activity_category="implementation", initiative_status="ongoing",
                    updated_at=utcnow() - timedelta(days=3))
        item.programmes = [db.session.scalar(db.select(Programme).where(Programme.slug == "sfs"))]
        item.sdgs = [db.session.get(Sdg, 12), db.session.get(Sdg, 2)]
        item.countries = ["KE", "PE"]
        db.session.add(item)
        db.session.commit()
        return item.id


def _boxes(page, selectors) -> list[tuple[str, dict]]:
    found = []
    for selector in selectors:
        for n, element in enumerate(page.locator(selector).all()):
            if element.is_visible() and (box := element.bounding_box()) and box["width"] and box["height"]:
                found.append((f"{selector}[{n}]", box))
    return found


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
            and a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1)


def layout_problems(page, *groups: tuple[str, ...]) -> list[str]:
    """Boxes of a group that overlap one another, and boxes that leave the window's width."""
    width = page.viewport_size["width"]
    problems = []
    for group in (REGIONS, HEADER_PARTS, *groups):
        boxes = _boxes(page, group)
        for name, box in boxes:
            if box["x"] < -1 or box["x"] + box["width"] > width + 1:
                problems.append(f"{name} leaves the window: x={box['x']:.0f}, width={box['width']:.0f}")
        for (first, a), (second, b) in itertools.combinations(boxes, 2):
            if _overlap(a, b):
                problems.append(f"{first} overlaps {second}")
    return problems


def look(page, tmp_path, language: str, name: str, *groups: tuple[str, ...]) -> None:
    """Save a screenshot of the page and check its layout."""
    page.screenshot(path=str(tmp_path / f"{language}-{name}.png"), full_page=True)
    assert layout_problems(page, *groups) == [], f"{language} {name}"


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in violations if v["impact"] in ("serious", "critical")]


def log_in(page, base_url: str, language: str, email: str) -> None:
    page.goto(f"{base_url}/login?lang={language}")
    page.get_by_label(translated(language, "Email")).fill(email)
    page.get_by_label(translated(language, "Password")).fill(PASSWORD)
    page.locator("#main").get_by_role("button", name=translated(language, "Log in")).click()


def test_a_french_browser_lands_in_french_switches_to_arabic_and_back(browser, live_server, public_item, tmp_path):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("fr", "Find what the One Planet network does for SDG 12"))
    chooser = page.get_by_role("navigation", name=translated("fr", "Site language"))
    expect(chooser.get_by_role("link", name="Français")).to_have_attribute("aria-current", "true")

    chooser.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    look(page, tmp_path, "ar", "home")
    page.goto(f"{live_server}/items/{public_item}")  # the cookie keeps Arabic
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("dl.facts")).to_contain_text("كينيا")  # Kenya, from CLDR
    look(page, tmp_path, "ar", "item", ("dl.facts dt", "dl.facts dd"))

    page.get_by_role("navigation", name=translated("ar", "Site language")).get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cantinas escolares sostenibles")
    expect(page.locator("dl.facts")).to_contain_text("Kenya, Peru")
    context.close()


@pytest.mark.parametrize("language", ["ar", "zh"])
def test_pages_lay_out_without_overlaps_and_pass_axe(browser, live_server, live_user, public_item, tmp_path,
                                                     language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for name, path, groups in (
        ("home", "/", (".tile",)),
        ("search", "/search?q=cantinas", (".facets", ".search-results")),
        ("item", f"/items/{public_item}", ("dl.facts dt", "dl.facts dd")),
    ):
        page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        look(page, tmp_path, language, name, groups)
        assert serious_violations(page) == [], f"{language} {name}"
    email, _password = live_user("partner", programmes=("sfs",))
    log_in(page, live_server, language, email)
    page.goto(f"{live_server}/my/items/new/initiative")
    expect(page.locator("html")).to_have_attribute("lang", language)
    look(page, tmp_path, language, "form", (".item-form > div.field", ".item-form > fieldset", ".form-actions"))
    assert serious_violations(page) == [], f"{language} form"
    context.close()


def test_a_spanish_partner_submits_through_spanish_forms_and_reads_spanish_errors(browser, live_server, live_user):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    email, _password = live_user("partner", programmes=("sfs",))
    log_in(page, live_server, "es", email)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"{live_server}/my/items/new/initiative")
    page.get_by_label(translated("es", "Summary"), exact=True).fill("Huertos escolares en cada barrio.")
    page.get_by_role("button", name=translated("es", "Submit for review")).click()

    error = catalogue("es").get("Give the item a title.")
    assert error, "the Spanish catalogue does not translate “Give the item a title.” yet"
    expect(page.locator(".field-error").first).to_have_text(error)

    page.get_by_label(translated("es", "Title"), exact=True).fill("Huertos escolares")
    page.get_by_label(translated("es", "Lead programme")).select_option("sfs")
    page.get_by_label(translated("es", "Activity category")).select_option("implementation")
    page.get_by_label(translated("es", "Language"), exact=True).select_option("es")
    expect(page.get_by_label(translated("es", "Language"), exact=True)).to_contain_text("español")  # CLDR's name
    page.get_by_role("button", name=translated("es", "Submit for review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huertos escolares")
    expect(page.locator(".flash")).to_have_text(
        translated("es", "“%(title)s” is submitted for review.") % {"title": "Huertos escolares"})
    context.close()
