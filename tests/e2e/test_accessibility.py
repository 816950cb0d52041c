"""axe-core finds no serious or critical accessibility violation on the main public pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGES = ["/", "/login", "/password/forgot", "/register", "/programmes", "/programmes/sfs", "/programmes/sfs/pitch",
         "/about/portfolios", "/needs", "/countries/KE", "/themes/circular_economy", "/no-such-page"]


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page, live_server, axe, path):
    page.goto(f"{live_server}{path}")
    violations = axe.run(page).response["violations"]
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_the_layout_works_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the home page scrolls sideways on a phone"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    context.close()
