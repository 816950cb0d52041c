"""The public pages of match-making and cross-programme work, and the forms that feed them."""

import re
from dataclasses import replace

import pytest

from portal.catalogue import highlights, links, needs
from portal.catalogue.figures import FigureText
from portal.extensions import db
from portal.models import Highlight, Item, ItemLink
from tests.conftest import programme

pytestmark = pytest.mark.search_backends()

KENYA = needs.NeedData(country="KE", title="Training in green public procurement", programmes=["spp"],
                       themes=["circular_economy"], description="Buyers need <script>alert(1)</script>**training**.")


@pytest.fixture
def recorded(make_user):
    def record(data=KENYA):
        need = needs.create_need(make_user("admin"), data)
        db.session.commit()
        return need

    return record


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_need_page_shows_the_sanitised_need_and_its_offers_with_reasons(client, recorded, make_item):
    make_item(title="Circular procurement toolkit", is_offer=True, themes=["circular_economy"], countries=("UG",))
    make_item(title="Not an offer", themes=["circular_economy"])
    need = recorded()

    page = client.get(f"/needs/{need.id}").text

    assert "<script>" not in page and "<strong>training</strong>" in page
    assert "Circular procurement toolkit" in page and "Not an offer" not in page
    assert "same theme: Circular economy; used in 1 country of the region" in text(page)
    assert "Log in as a partner" in page
    assert client.get("/needs/999999").status_code == 404


def test_the_list_hides_closed_needs_unless_asked_and_refuses_unknown_filters(client, recorded):
    recorded()
    recorded(replace(KENYA, title="Met need", is_open=False))
    page = client.get("/needs?country=KE").text
    assert "Training in green public procurement" in page and "Met need" not in page
    assert 'for="f-theme-circular_economy">Circular economy <span class="count">(1)</span>' in page
    assert "Met need" in client.get("/needs?closed=1").text
    response = client.get("/needs?theme=space")
    assert response.status_code == 400 and "Unknown theme" in response.text


def test_a_partner_expresses_interest_and_only_the_desk_reads_it(client, auth, recorded, make_user):
    need = recorded()
    auth.login("partner")
    response = client.submit(f"/needs/{need.id}/interest", {"message": " "}, page=f"/needs/{need.id}")
    assert response.status_code == 400 and "Say in a few words how your organisation could help." in response.text
    response = client.submit(f"/needs/{need.id}/interest", {"message": "We run courses in Nairobi."},
                             page=f"/needs/{need.id}")
    assert response.status_code == 302
    page = client.get(f"/needs/{need.id}").text
    assert "Your organisation has expressed interest" in page and "We run courses in Nairobi." not in page
    auth.logout()
    auth.login("moderator", programmes=("spp",))
    assert "We run courses in Nairobi." in client.get(f"/needs/{need.id}").text


def test_the_country_page_shows_its_needs_offers_and_the_work_active_there(client, recorded, make_item):
    make_item(title="Nairobi offer", is_offer=True, themes=["circular_economy"], countries=("KE",))
    make_item(title="Kampala project", countries=("UG",))
    make_item(title="Worldwide guide", countries=(), is_global=True)
    recorded()

    page = text(client.get("/countries/KE").text)

    assert "Training in green public procurement" in page and "Nairobi offer" in page
    assert "1 in Kenya" in page and "2 in Africa, Kenya included" in page and "1 worldwide" in page
    assert client.get("/countries/ke").headers["Location"] == "/countries/KE"
    assert client.get("/countries/XX").status_code == 404


def test_the_theme_page_counts_items_per_programme_and_where_programmes_meet(client, make_item, recorded):
    make_item(programmes=("spp", "sfs"), themes=["circular_economy"])
    make_item(programmes=("sbc",), themes=["circular_economy"], is_offer=True, title="Circular buildings offer")
    make_item(programmes=("spp", "sfs"), themes=["circular_economy"], hidden=True)
    recorded()

    page = client.get("/themes/circular_economy").text

    assert 'href="/search?theme=circular_economy&amp;programme=spp">1</a>' in page
    spp_row = re.search(r"<th scope=\"row\">Sustainable Public Procurement</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r">([^<]*)</td>", spp_row) == ["—", "0", "0", "0", "0", "1"]  # shared with sfs only
    assert "Training in green public procurement" in page and "Circular buildings offer" in page
    assert client.get("/themes/space_travel").status_code == 404


def test_the_sitemap_names_the_needs_the_themes_and_the_countries_with_something_to_show(client, recorded,
                                                                                          make_item):
    make_item(countries=("UG",))
    make_item(countries=("FR",), state="draft")
    need = recorded()
    closed = recorded(replace(KENYA, country="NP", title="Met need", is_open=False))
    sitemap = client.get("/sitemap.xml").text
    assert "/needs</loc>" in sitemap and "/themes/circular_economy</loc>" in sitemap
    for listed in (need, closed):  # a closed need keeps its page
        assert f"/needs/{listed.id}</loc><lastmod>{listed.updated_at.date().isoformat()}</lastmod>" in sitemap
    assert "/countries/UG</loc>" in sitemap and "/countries/KE</loc>" in sitemap
    assert "/countries/FR<" not in sitemap and "/countries/NP<" not in sitemap  # a draft, a closed need
    assert client.get("/countries/UG").status_code == 200


def test_search_filters_offers(client, make_item):
    make_item(title="An offer", is_offer=True)
    make_item(title="Not offered")
    page = client.get("/search?offer=yes").text
    assert "An offer" in page and "Not offered" not in page
    assert client.get("/api/v1/items?offer=yes").json["total"] == 1
    assert client.get("/search?offer=maybe").status_code == 400


def test_the_programme_page_shows_highlights_messages_and_links_to_other_programmes(client, make_user, make_item):
    desk = make_user("admin")
    item = make_item(programmes=("sfs", "spp"), portfolio={"sfs": "core"}, title="School meals")
    other = make_item(programmes=("sle",), title="Cooking lessons")
    highlights.add_highlight(programme("sfs"), desk, item.id, FigureText("120000", "pupils", "eat better meals"))
    highlights.set_key_messages(programme("sfs"), desk, ["Feed schools well."])
    links.add_link(item, desk, other.id, "related_to")
    db.session.commit()

    page = client.get("/programmes/sfs").text
    story = text(page)

    assert '<h2 id="highlights-heading">Highlights</h2>' in page
    assert "120,000 pupils eat better meals School meals" in story
    assert "Feed schools well." in story
    assert "Sustainable Public Procurement 1 0" in story and "Sustainable Lifestyles and Education 0 1" in story
    assert "School meals" in client.get("/programmes/sfs/pitch").text
    assert client.get("/programmes/nope/pitch").status_code == 404


def test_the_desk_gets_a_clear_message_for_a_seventh_highlight(client, auth, make_item):
    auth.login("moderator", programmes=("sfs",))
    for _ in range(7):
        item = make_item(programmes=("sfs",), portfolio={"sfs": "affiliated"})
        response = client.submit("/desk/highlights/sfs", {"item": f"http://portal.test/items/{item.id}",
                                                          "figure_value": "3.5", "figure_unit": "%",
                                                          "figure_measure": "less waste"}, page="/desk/")
    assert response.status_code == 400
    assert "A programme shows at most 6 highlights: remove one before adding another." in response.text
    assert db.session.scalar(db.select(db.func.count(Highlight.id))) == 6


def test_the_partner_links_an_item_from_its_page_and_is_told_what_went_wrong(client, auth, make_item):
    partner = auth.login("partner")
    item = make_item(organisation=partner.organisation, title="Our toolkit")
    other = make_item(programmes=("ci",), title="Their label")
    page = client.get(f"/my/items/{item.id}").text
    assert '<h2 id="related-title">Related items</h2>' in page and "Item to link" in page

    response = client.submit(f"/items/{item.id}/links", {"relation": "part_of", "target": str(item.id),
                                                         "next": f"/my/items/{item.id}"}, page=f"/my/items/{item.id}")
    assert "An item cannot be linked to itself." in client.get(response.headers["Location"]).text
    client.submit(f"/items/{item.id}/links", {"relation": "part_of", "target": f"/items/{other.id}"},
                  page=f"/my/items/{item.id}")
    assert db.session.scalar(db.select(ItemLink.relation)) == "part_of"
    related = f'<span class="relation">Includes:</span> <a href="/items/{item.id}">Our toolkit</a>'
    assert related in client.get(f"/items/{other.id}").text


def test_the_initiative_form_records_the_offer_results_and_key_figures(client, auth):
    auth.login("partner")
    form = {
        "title": "Green canteens", "summary": "Schools buy local food.", "lead_programme": "sfs",
        "activity_category": "implementation", "initiative_status": "ongoing", "language": "en",
        "is_offer": "y", "results_on_ground": "Less waste.",
        "figure1_value": "1,200", "figure1_unit": "tonnes", "figure1_measure": "of waste avoided",
        "figure2_value": "many", "figure2_unit": "", "figure2_measure": "",
    }
    page = client.get("/my/items/new/initiative").text
    assert 'Offer to other countries</label>' in page and "<legend>Key figure 1</legend>" in page
    response = client.submit("/my/items/new/initiative", form)
    assert response.status_code == 400
    assert "The value must be a number such as 1200 or 3.5, without its unit." in response.text
    response = client.submit("/my/items/new/initiative", {**form, "figure2_value": ""})
    assert response.status_code == 302
    item = db.session.scalar(db.select(Item))
    assert item.is_offer and item.key_figures == [{"value": 1200.0, "unit": "tonnes", "measure": "of waste avoided"}]
