"""Bad input gets a clear 4xx, never a 500: Unicode digits, huge numbers, ids past the column type,
control characters, overlong passwords and oversized forms (on SQLite and on PostgreSQL)."""

import pytest

from portal.catalogue.parsing import MAX_ID, positive_int
from portal.extensions import db
from portal.models import Item, User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.search_backends()

HUGE = "99999999999999999999"


@pytest.mark.parametrize("value, expected", [
    ("7", 7), (" 7 ", 7), ("²", None), ("٣", None), ("0", None), ("-1", None), ("1.5", None), ("", None),
    (None, None), (HUGE, None), ("1" * 5000, None), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None),
])
def test_one_parser_reads_whole_numbers_as_ascii_digits_within_bounds(value, expected):
    assert positive_int(value) == expected


@pytest.mark.parametrize("url", [
    "/search?page=²", "/search?per_page=²", f"/search?page={HUGE}", "/search?page=" + "1" * 5000,
    "/search?sdg=²", "/search.csv?per_page=²", "/feeds/latest.atom?per_page=²",
    "/sdgs/7?page=²",
])
def test_public_pages_answer_unicode_digits_and_huge_numbers_with_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "whole number" in response.text or "Unknown sdg" in response.text


@pytest.mark.parametrize("query", ["sdg=²", "per_page=²", "page=²", f"page={HUGE}"])
def test_the_api_answers_unicode_digits_with_a_json_400(client, query):
    response = client.get(f"/api/v1/items?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400


@pytest.mark.parametrize("page", ["²", HUGE, "0", "abc"])
def test_an_unknown_sitemap_page_is_a_404(client, page):
    assert client.get(f"/sitemap.xml?page={page}").status_code == 404


@pytest.mark.parametrize("item_id", [str(MAX_ID + 1), "9223372036854775806", HUGE, "٣"])
def test_ids_past_the_column_type_are_404_not_an_overflow(client, item_id):
    assert client.get(f"/api/v1/items/{item_id}").status_code == 404
    assert client.get(f"/items/{item_id}").status_code == 404


def test_the_openapi_document_bounds_ids_by_the_column_type(client):
    document = client.get("/api/openapi.json").get_json()
    parameter = document["paths"]["/api/v1/items/{id}"]["get"]["parameters"][0]
    assert parameter["schema"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize("url", ["/desk/?page=²", "/desk/monitoring?page=²", "/desk/monitoring?per_page=²",
                                 f"/desk/accounts?page={HUGE}", "/desk/reporting?year=²²²²",
                                 "/desk/reporting.csv?year=²²²²"])
def test_desk_pages_answer_unicode_digits_with_400(client, moderator, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("url", ["/admin/?page=²", f"/admin/audit?page={HUGE}", f"/admin/outbox?page={HUGE}",
                                 f"/admin/organisations?page={HUGE}"])
def test_admin_lists_answer_bad_pages_with_400(client, admin, url):
    assert client.get(url).status_code == 400


def test_the_partners_list_answers_a_huge_page_with_400(client, partner):
    assert client.get(f"/my/items?page={HUGE}").status_code == 400
    assert client.get("/my/items?page=1").status_code == 200


@pytest.mark.parametrize("organisation", ["²", HUGE, "x"])
def test_reminders_for_a_malformed_organisation_are_a_400(client, moderator, organisation):
    response = client.submit("/desk/reporting/reminders", {"programme": "spp", "organisation": organisation},
                             page="/desk/")
    assert response.status_code == 400
    assert "Choose a partner to remind" in response.text


def test_approve_selected_skips_ids_that_are_not_ids(client, moderator, make_item):
    item = make_item(state="submitted")
    response = client.submit("/desk/approve", {"item": ["²", HUGE, str(item.id)]}, page="/desk/")
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.state == "published"


def test_nul_and_control_characters_never_reach_the_database(client, moderator, make_item):
    make_item(title="Fooddrink networks", state="draft")
    response = client.get("/desk/monitoring?q=food%00drink")
    assert response.status_code == 200
    assert "Fooddrink networks" in response.text
    assert client.get("/desk/monitoring?q=%01%7f").status_code == 200
    assert client.get("/programmes/sp%00p").status_code == 404
    assert client.get("/search?q=food%00drink").status_code == 200


def test_control_characters_are_removed_from_posted_forms(client, make_organisation):
    organisation = make_organisation()
    response = client.submit("/register", {
        "name": "Rosa\x00 Applicant\x1b", "email": "rosa@example.org", "password": PASSWORD, "confirm": PASSWORD,
        "organisation": str(organisation.id),
    })
    assert response.status_code == 201
    assert db.session.scalar(db.select(User.name).where(User.email == "rosa@example.org")) == "Rosa Applicant"


def test_line_ends_and_tabs_stay(client, partner):
    response = client.submit("/my/items/new/initiative", {
        "title": "Tabs\tand lines", "summary": "First line\r\nsecond line", "lead_programme": "spp",
        "activity_category": "implementation", "initiative_status": "ongoing", "language": "en",
        "save_draft": "Save draft",
    })
    assert response.status_code == 302, response.text
    item = db.session.scalar(db.select(Item).where(Item.title == "Tabs\tand lines"))
    assert item.summary == "First line\nsecond line"


def test_a_large_url_encoded_form_gets_a_clear_413(client, app):
    response = client.post("/login", data={"email": "a@example.org", "password": "x", "notes": "y" * 5_000_000})
    assert response.status_code == 413
    assert "more than 500 kB of text" in response.text


@pytest.mark.parametrize("length", [73, 100, 1024])
def test_long_passwords_register_up_to_the_maximum(client, make_organisation, length):
    password = ("correct horse battery staple " * 40)[:length]
    response = client.submit("/register", {"name": "Rosa", "email": "rosa@example.org", "password": password,
                                           "confirm": password, "organisation": str(make_organisation().id)})
    assert response.status_code == 201, response.text


def test_a_password_over_the_maximum_is_refused_at_the_field_and_the_form_says_the_limit(client, make_organisation):
    assert "From 8 to 1,024 characters" in client.get("/register").text
    password = "p" * 1025
    response = client.submit("/register", {"name": "Rosa", "email": "rosa@example.org", "password": password,
                                           "confirm": password, "organisation": str(make_organisation().id)})
    assert response.status_code == 200
    assert "Use at most 1,024 characters." in response.text


def test_a_long_new_password_is_accepted_on_the_change_form(client, auth):
    auth.login("partner")
    password = ("unrelated words make strong passphrases " * 10)[:400]
    response = client.submit("/account/password", {"current_password": PASSWORD, "password": password,
                                                    "confirm": password})
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["One Planet Catalogue", "one-planet-catalogue 2026!",
                                      "Sustainable Public Procurement", "SustainableFoodSystems!!"])
def test_the_site_and_programme_names_are_refused_as_passwords(client, auth, password):
    auth.login("partner")
    response = client.submit("/account/password", {"current_password": PASSWORD, "password": password,
                                                    "confirm": password})
    assert response.status_code == 200
    assert "Do not use the name of the portal, the network or a programme" in response.text
