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
