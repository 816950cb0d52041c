"""Public search surfaces: the leak sweep of the visibility rule, facets, pages, CSV, feed, sitemap."""

import csv
import html
import io
import re

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal import vocab
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item, ItemProgramme, Programme

pytestmark = pytest.mark.search_backends()

HIDDEN_STATES = {
    "draft": {"state": "draft"},
    "submitted": {"state": "submitted"},
    "changes": {"state": "changes_requested"},
    "rejected": {"state": "rejected"},
    "withdrawn": {"state": "withdrawn"},
    "hiddenbydesk": {"state": "published", "hidden": True},
    "aged": {"state": "published", "updated_days_ago": 800},
}
SYNTAX = ['"', "-", "*", " OR ", "food", "(", ":", " ", "\x00", "é", "~", "^", "compost"]
SHARED = "compost bins for urban households reduce food waste"


def marker(name: str) -> str:
    return f"zq{name}mark"


@pytest.fixture
def catalogue(make_item, make_organisation):
    """One public item per kind, and one item in each hidden state with a marker word in every field."""
    public = [
        make_item("initiative", title=f"Public compost initiative {marker('publicone')}", summary=SHARED,
                  programmes=("sfs", "spp"), sdgs=(2,), countries=("KE",), portfolio={"sfs": "core"}),
        make_item("resource", title="Public compost guide", summary=SHARED, programmes=("spp",), sdgs=(11,),
                  countries=("BR",), authors="A. Author"),
    ]
    hidden = {}
    for name, fields in HIDDEN_STATES.items():
        word = marker(name)
        organisation = make_organisation(name=f"Organisation {word}", programmes=("sfs",))
        hidden[name] = make_item(
            "resource",
            organisation=organisation,
            programmes=("sfs",),
            sdgs=(2,),
            countries=("KE",),
            portfolio={"sfs": "core"},
            title=f"{word} compost item",
            summary=f"{SHARED} {word}",
            description=f"All about {word} and compost.",
            authors=f"Dr {word}",
            contact=f"{word}@example.org",
            website_url=f"https://example.org/{word}",
            link_url=f"https://example.org/{word}.pdf",
            file_original_name=f"{word}.pdf",
            **fields,
        )
    return public, hidden


def public_surfaces(client, public, hidden) -> dict[str, str]:
    pages = {}
    urls = ["/", "/search", "/search?q=compost", "/search?q=compost&sort=newest", "/search.csv",
            "/search.csv?q=compost", "/feeds/latest.atom", "/feeds/latest.atom?q=compost", "/sitemap.xml",
            "/api/v1/items?per_page=100", "/api/v1/items?q=compost&per_page=100", "/programmes/sfs",
            "/programmes/spp", "/sdgs/2", "/sdgs/12", f"/items/{public[0].id}", f"/items/{public[1].id}"]
    for name, _item in hidden.items():
        word = marker(name)
        urls += [f"/search?q={word}", f"/search?q={word[:-1]}", f"/search?q={word[:-1]}x", f"/search?q={word[:6]}*",
                 f"/api/v1/items?q={word}", f"/feeds/latest.atom?q={word}", f"/search.csv?q={word}",
                 f'/search?q="{word} compost"']
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.text
    return pages


def _finds_nothing(url: str, text: str) -> bool:
    if url.startswith("/api/"):
        return '"total":0' in text.replace(" ", "")
    if url.startswith("/feeds/"):
        return "<entry>" not in text
    if url.startswith("/search.csv"):
        return text.strip().count("\n") == 0
    return "Nothing found" in text and 'class="result"' not in text


def test_nothing_hidden_leaks_through_any_public_surface(client, catalogue, app):
    public, hidden = catalogue
    pages = public_surfaces(client, public, hidden)
    for name, item in hidden.items():
        word = marker(name)
        for url, text in pages.items():
            if url.endswith(f"={word}") or f'"{word} compost"' in url:  # the page repeats the query
                assert _finds_nothing(url, text), f"{name} found through {url}"
                continue
            assert word not in text, f"{name} leaks through {url}"
            assert f"/items/{item.id}\"" not in text and f"/items/{item.id}<" not in text, f"{name} via {url}"
        for url in (f"/items/{item.id}", f"/api/v1/items/{item.id}"):
            assert client.get(url).status_code == 404
        for endpoint in ("items.download", "partner.item_file", "public.item_file"):
            if endpoint in app.view_functions:
                with app.test_request_context():
                    from flask import url_for

                    assert client.get(url_for(endpoint, item_id=item.id)).status_code == 404
    assert marker("publicone") in pages["/search?q=compost"]  # the sweep does see public words


def test_every_count_is_the_public_count(client, catalogue):
    public, _ = catalogue
    data = client.get("/api/v1/items?per_page=100").get_json()
    assert data["total"] == len(public) == len(data["items"])
    assert sum(data["facets"]["kind"].values()) == len(public)
    assert data["facets"]["programme"] == {"spp": 2, "sfs": 1}
    # DESIGN.md: without a programme, "none" is in no programme's portfolio (the first is core in sfs).
    assert data["facets"]["status"] == {"core": 1, "none": 1}
    database = dict(
        db.session.execute(
            select(Programme.slug, func.count())
            .join(ItemProgramme, ItemProgramme.programme_id == Programme.id)
            .join(Item, Item.id == ItemProgramme.item_id)
            .where(public_clause())
            .group_by(Programme.slug)
        ).all()
    )
    assert data["facets"]["programme"] == database
    home = client.get("/").text
    assert re.search(r"Sustainable Food Systems</a></h3>.*?>1 public item<", home, re.S)
    assert "2 results" in client.get("/search?q=compost").text
    assert client.get("/api/v1/items?q=compost&programme=sfs").get_json()["total"] == 1


def test_suggestions_come_from_public_words_only(client, catalogue):
    page = client.get("/search?q=compots").text
    assert "Nothing found" in page and "Did you mean" in page and ">compost</a>" in page
    for name in HIDDEN_STATES:
        page = client.get(f"/search?q={marker(name)[:-1]}").text
        assert "Nothing found" in page and marker(name) not in page


def test_similar_items_are_public(client, catalogue):
    public, hidden = catalogue
    page = client.get(f"/items/{public[0].id}").text
    assert "Similar items" in page and f"/items/{public[1].id}" in page
    assert all(marker(name) not in page for name in hidden)


@pytest.mark.parametrize("words", ["plastic", "plastic ?=&/%,+ Ítem"])
def test_chips_and_pages_link_to_the_same_search_as_url_for_writes_it(app, client, make_item, words):
    """Chip and page links are written by string operations from the page's parameters: each must be
    the URL ``url_for`` gives for the filters without that chip's value (or at that page), escaped once."""
    for n in range(21):
        make_item(title=f"Plastic item {n}", programmes=("spp", "ci"), sdgs=(14,))
    query = {"q": words, "programme": ["spp", "ci"], "sdg": "14", "sort": "title", "page": "1"}
    page = client.get("/search", query_string=query).text
    chip_links = [html.unescape(href) for href in re.findall(r'<a class="chip" href="([^"]+)"', page)]
    pager = page[page.index('<nav class="pagination"'):]
    page_links = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', pager[:pager.index("</nav>")])]
    with app.test_request_context():
        filters = CatalogueFilters(q=words, programme=("spp", "ci"), sdg=(14,), sort="title")
        assert chip_links == [url_for("search.results", **filters.without(name, value).to_args())
                              for name, value in (("programme", "spp"), ("programme", "ci"), ("sdg", 14))]
        assert page_links == [url_for("search.results", **filters.to_args(), page=number) for number in (1, 2, 2)]


def test_search_page_facets_chips_and_pagination(client, make_item):
    for n in range(23):
        make_item(title=f"Plastic item {n}", programmes=("spp",) if n % 2 else ("ci",), sdgs=(14,) if n < 5 else ())
    page = client.get("/search?q=plastic&programme=spp").text
    assert "11 results" in page
    assert 'name="programme" value="spp" checked' in page
    assert re.search(r'value="ci"[^>]*>\s*<label[^>]*>Consumer Information <span class="count">\(12\)', page)
    assert "Remove filter Programme: Sustainable Public Procurement" in page
    assert 'href="/search?q=plastic">Clear all filters' in page
    assert "<mark>Plastic</mark>" in page
    page = client.get("/search?q=plastic").text
    assert "23 results" in page and 'rel="next"' in page
    assert 'href="/search?q=plastic&amp;page=2"' in page
    assert client.get("/search?q=plastic&page=2").text.count('class="result"') == 3
    assert client.get("/search?sdg=99").status_code == 400


def test_html_in_items_is_escaped_in_results(client, make_item):
    make_item(title="<script>alert(1)</script> plastic", summary="<img src=x onerror=alert(1)> plastic")
    page = client.get("/search?q=plastic").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_results_and_the_item_page_say_the_language_an_item_is_written_in(client, make_item):
    """An Arabic item on an English page: its title and summary carry lang="ar" and dir="auto", so
    screen readers speak them in Arabic and they read right to left."""
    item = make_item(title="الوجبات المدرسية المستدامة", summary="وجبات صحية للمدارس", language="ar")
    results = client.get("/search?q=المدرسية").text
    assert '<h3 class="result-title" lang="ar" dir="auto"><a href="/items/' in results
    assert '<p class="summary" lang="ar" dir="auto">' in results
    assert '<h1 lang="ar" dir="auto">الوجبات المدرسية المستدامة</h1>' in client.get(f"/items/{item.id}").text


def test_csv_feed_and_sitemap(client, catalogue):
    public, _ = catalogue
    response = client.get("/search.csv?q=compost&kind=resource")
    assert response.data.startswith("\ufeffid,kind,".encode()) and b"\r\n" in response.data  # as reporting's CSV
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [public[1].id]
    feed = client.get("/feeds/latest.atom?programme=sfs")
    assert feed.mimetype == "application/atom+xml"
    assert feed.text.count("<entry>") == 1 and f"/items/{public[0].id}" in feed.text
    sitemap = client.get("/sitemap.xml").text
    assert all(f"/items/{item.id}<" in sitemap for item in public)
    assert "/programmes/sfs<" in sitemap


def test_the_most_alike_items_come_first_among_similar_items(client, make_item):
    item = make_item(title="Solar cooking stoves in rural schools", summary="Schools cook lunch on solar stoves.")
    closest = make_item(title="Solar cooking stoves for schools", summary="Stoves that cook with the sun.")
    close = make_item(title="Cooking stoves and solar dryers", summary="Dryers for farms.")
    far = make_item(title="Solar panels on roofs", summary="Roofs that make power.")
    page = client.get(f"/items/{item.id}").text
    similar = page[page.index('id="similar-title"'):]
    shown = [place for place in (similar.find(f'href="/items/{other.id}"') for other in (closest, close, far))]
    assert 0 < shown[0] < shown[1] and (shown[2] == -1 or shown[2] > shown[1])


def test_item_page_shows_similar_items_and_safe_json_ld(client, make_item):
    item = make_item("resource", title="Guide </script><script>alert(1)</script>", sdgs=(7,))
    page = client.get(f"/items/{item.id}").text
    assert '<script type="application/ld+json">' in page
    json_ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in json_ld and '"@type": "CreativeWork"' in json_ld
    assert "SDG 7 – Affordable and clean energy" in page


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.one_of(st.text(max_size=40), st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join)))
def test_any_query_string_gives_a_page_never_a_500(client, make_item, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code in (200, 400)


def test_a_programme_page_counts_its_public_portfolio_and_leaves_the_lists_to_the_search(client, make_item):
    for title in ("C core", "A core", "B core"):
        make_item(programmes=("spp",), portfolio={"spp": "core"}, title=title)
    make_item(programmes=("sfs", "spp"), portfolio={"spp": "affiliated"}, title="Affiliated one")
    make_item(programmes=("spp",), portfolio={"spp": "core"}, title="Hidden core", hidden=True)
    make_item(programmes=("spp",), portfolio={"spp": "affiliated"}, title="Old affiliated", updated_days_ago=800)
    make_item(programmes=("spp",), portfolio={"spp": "core"}, title="Withdrawn core", state="withdrawn")
    make_item(programmes=("spp", "ci"), portfolio={"ci": "core"}, title="Core elsewhere")

    page = client.get("/programmes/spp").text

    assert 'href="/search?programme=spp&amp;status=core"><strong>3</strong> core items' in page
    assert 'href="/search?programme=spp&amp;status=affiliated"><strong>1</strong> affiliated items' in page
    assert not any(title in page for title in ("A core", "Affiliated one", "Hidden core", "Old affiliated"))
    listed = client.get("/search?programme=spp&status=core&sort=title").text
    assert re.findall(r'<a href="/items/\d+">([^<]+)</a>', listed) == ["A core", "B core", "C core"]


def test_every_country_is_one_click_away_and_the_page_has_one_search_box(client, make_item):
    codes = [code for code, _ in vocab.countries()[:30]]
    for code in codes:
        make_item(title=f"Solar item {code}", countries=(code,))
    page = client.get("/search").text
    facet = page[page.index('id="facet-country"') : page.index("</fieldset>", page.index('id="facet-country"'))]
    assert all(f'name="country" value="{code}"' in facet for code in codes)
    more = facet[facet.index('<details class="facet-more">') :]
    assert "5 more, by name" in more and more.count('name="country"') == 5
    assert page.count('type="search"') == 1 and 'id="site-search"' not in page  # the page's own box only
    assert 'id="site-search"' in client.get("/programmes").text  # elsewhere, the header's box


def test_filters_sit_in_a_disclosure_after_which_the_results_come(client, make_item):
    make_item(title="Solar cooker")
    page = client.get("/search?q=solar&programme=spp").text
    assert page.index('<details class="facets">') < page.index("<summary>Filters (1 selected)</summary>")
    assert page.index("</details>") < page.index('class="result"')
