"""Markup kept between pages (facet options, result cards): each page still shows its own counts, ticked
boxes, highlights and the items as they are now."""

import re

from portal.catalogue import portfolio
from portal.extensions import db
from portal.models import Item
from tests.conftest import programme


def result_of(page: str, item: Item) -> str:
    """The result card of ``item`` on a search page."""
    start = page.rindex('<li class="result">', 0, page.index(f'href="/items/{item.id}"'))
    return page[start:page.index("</div>\n  </li>", start)]


def test_each_search_highlights_its_own_words_in_a_card_it_shares_with_another(client, make_item):
    item = make_item(title="Compost bins for zqkeptmark schools", summary="Bins that turn school compost into soil.")
    compost = result_of(client.get("/search?q=compost").text, item)
    bins = result_of(client.get("/search?q=bins").text, item)
    assert "<mark>Compost</mark> bins" in compost and "school <mark>compost</mark> into" in compost
    assert "<mark>bins</mark>" in bins and "<mark>Bins</mark> that" in bins and "<mark>" not in bins.replace(
        "<mark>bins</mark>", "").replace("<mark>Bins</mark>", "")
    assert compost.replace("<mark>", "").replace("</mark>", "") == bins.replace("<mark>", "").replace("</mark>", "")


def test_a_kept_card_follows_its_item_after_a_change(client, make_item, make_user):
    item = make_item(title="Procurement zqkeptmark guide", programmes=("spp",))
    before = result_of(client.get("/search?q=zqkeptmark").text, item)
    assert "badge-core" not in before
    portfolio.set_portfolio_status(db.session.get(Item, item.id), make_user("moderator", programmes=("spp",)),
                                   programme("spp"), "core", notify=False)
    db.session.commit()
    after = result_of(client.get("/search?q=zqkeptmark").text, item)
    assert 'Sustainable Public Procurement <span class="badge badge-core">Core</span>' in after


def test_cards_and_facets_kept_in_one_language_are_not_shown_in_another(client, make_item):
    item = make_item(title="Food zqkeptmark", countries=("DE",))
    french = client.get("/search?q=zqkeptmark&lang=fr").text
    english = client.get("/search?q=zqkeptmark&lang=en").text
    assert "Allemagne" in french and "Germany" in english and "Allemagne" not in english
    assert "Achats publics durables" in result_of(french, item)
    assert "Sustainable Public Procurement" in result_of(english, item)


def test_facet_boxes_show_this_page_s_counts_and_ticks(client, make_item):
    for country in ("KE", "KE", "DE"):
        make_item(countries=(country,))
    box = r'<input type="checkbox" id="f-country-{}" name="country" value="{}"( checked)?>\s*<label[^>]*>[^<]* ' \
          r'<span class="count">\((\d+)\)'

    def kenya(url: str) -> tuple[bool, int]:
        ticked, count = re.search(box.format("KE", "KE"), client.get(url).text).groups()
        return bool(ticked), int(count)

    assert kenya("/search?country=KE") == (True, 2)
    assert kenya("/search") == (False, 2)
    assert kenya("/search?country=DE") == (False, 2)  # what ticking it too would give: the two Kenyan items
    make_item(countries=("KE",))
    assert kenya("/search?country=KE&sort=newest") == (True, 3)


def main_nav(page: str) -> str:
    return page[page.index('<nav class="main-nav"'):page.index("</nav>", page.index('<nav class="main-nav"'))]


def current_links(page: str) -> list[str]:
    """The names of the navigation's links marked as the current page."""
    return re.findall(r'aria-current="page">([^<]+)</a>', main_nav(page))


def test_the_kept_layout_is_each_language_s_own(client):
    english = client.get("/search?lang=en").text
    french = client.get("/search?lang=fr").text
    arabic = client.get("/programmes?lang=ar").text
    assert '<html lang="fr" dir="ltr">' in french and '<html lang="ar" dir="rtl">' in arabic
    assert ">Country needs</a>" in main_nav(english) and ">Log in</a>" in main_nav(english)
    assert ">Country needs</a>" not in main_nav(french) and ">Log in</a>" not in main_nav(french)
    assert "Open data API" in english and "Open data API" not in french and "Open data API" not in arabic
    assert "Open data API" in client.get("/search?lang=en").text  # the English parts were not replaced


def test_the_kept_navigation_follows_the_visitor_and_the_page(client, auth, make_item):
    item = make_item()
    assert current_links(client.get("/search").text) == ["Search"]
    assert current_links(client.get("/programmes/spp").text) == ["Programmes"]
    assert current_links(client.get("/programmes").text) == ["Programmes"]
    assert current_links(client.get(f"/items/{item.id}").text) == []
    assert current_links(client.get("/login").text) == ["Log in"]
    assert 'class="header-search"' in client.get("/programmes").text
    assert 'class="header-search"' not in client.get("/search").text  # the search page has its own box
    user = auth.login("partner")
    signed_in = client.get("/search").text
    assert ">Log in</a>" not in signed_in and ">My items</a>" in signed_in and f">{user.name}</a>" in signed_in
    assert current_links(signed_in) == ["Search"]
    auth.logout()
    signed_out = client.get("/search").text
    assert ">Log in</a>" in signed_out and ">My items</a>" not in signed_out and user.name not in signed_out


def test_the_kept_layout_links_start_with_each_request_s_script_root(client):
    assert 'href="/search"' in client.get("/programmes").text
    mounted = client.get("/programmes", base_url="http://localhost/portal").text
    assert 'href="/portal/search"' in mounted and 'href="/portal/static/css/portal.css"' in mounted
    assert 'href="/search"' not in mounted
    assert 'href="/search"' in client.get("/programmes").text
    assert current_links(client.get("/search", base_url="http://localhost/portal").text) == ["Search"]
    assert current_links(mounted) == ["Programmes"]


def test_a_kept_facet_fieldset_counts_the_values_behind_its_disclosure_now(client, make_item):
    codes = ("AR", "AU", "BD", "BR", "CA", "CL", "CN", "CO", "DE", "EG", "ES", "ET", "FR", "GB", "GH", "ID", "IN",
             "IT", "JP", "KE", "MA", "MX", "NG", "PE", "PH", "RW")  # 26 countries: one more than are shown
    for code in codes:
        make_item(countries=(code,))
    assert "1 more, by name" in client.get("/search").text
    french = client.get("/search?lang=fr").text
    assert "1 de plus, par ordre alphabétique" in french and "<legend>Pays</legend>" in french
    make_item(countries=("TZ",))
    page = client.get("/search?lang=en").text
    assert "2 more, by name" in page and "1 more, by name" not in page
    assert '<fieldset class="facet" id="facet-country">\n    <legend>Country</legend>' in page
