"""Absolute links come from BASE_URL, never from the Host header a client sends; unknown hosts get a 400."""

import pytest

from portal.extensions import db
from portal.links import absolute_url
from portal.models import OutboxMessage
from tests.helpers import PASSWORD

pytestmark = pytest.mark.search_backends()

FORGED = {"Host": "evil.example"}


@pytest.fixture
def any_host(make_app):
    """A deployment that answers every host (TRUSTED_HOSTS = []): the links must still be the portal's."""
    return make_app(TRUSTED_HOSTS=[]).test_client()


def test_an_unknown_host_is_refused_with_a_plain_400(client):
    response = client.get("/", headers=FORGED)
    assert response.status_code == 400
    assert response.text == "Unknown host.\n"
    assert client.get("/", headers={"Host": "portal.test"}).status_code == 200  # BASE_URL's host
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code == 200


def test_api_items_link_to_the_base_url_whatever_the_host(any_host, make_item):
    item = make_item()
    listed = any_host.get("/api/v1/items", headers=FORGED).get_json()["items"]
    assert [entry["url"] for entry in listed] == [f"http://portal.test/items/{item.id}"]
    assert any_host.get(f"/api/v1/items/{item.id}", headers=FORGED).get_json()["url"] == listed[0]["url"]


def test_feed_sitemap_and_csv_link_to_the_base_url_whatever_the_host(any_host, make_item):
    item = make_item()
    for url in ("/feeds/latest.atom", "/sitemap.xml", "/search.csv"):
        body = any_host.get(url, headers=FORGED).text
        assert f"http://portal.test/items/{item.id}" in body, url
        assert "evil.example" not in body, url


def test_item_pages_describe_themselves_with_the_base_url(any_host, make_item):
    item = make_item()
    page = any_host.get(f"/items/{item.id}", headers=FORGED).text
    assert f'"url": "http://portal.test/items/{item.id}"' in page
    assert "evil.example" not in page


def test_mails_queued_during_a_request_link_to_the_base_url(any_host, make_user, make_organisation):
    make_user("admin")
    organisation = make_organisation()
    token = any_host.csrf_token("http://evil.example/register")
    response = any_host.post("http://evil.example/register", data={
        "csrf_token": token, "name": "Rosa", "email": "rosa@example.org", "password": PASSWORD, "confirm": PASSWORD,
        "organisation": str(organisation.id),
    })
    assert response.status_code == 201
    bodies = db.session.scalars(db.select(OutboxMessage.body)).all()
    assert bodies and all("http://portal.test/desk/accounts" in body for body in bodies)
    assert not any("evil.example" in body for body in bodies)


def test_absolute_url_works_outside_a_request_too(app):
    assert absolute_url("public.item", item_id=7) == "http://portal.test/items/7"
    assert absolute_url("search.results", q="a b", _anchor="results") == "http://portal.test/search?q=a+b#results"


def test_a_base_url_with_a_path_prefixes_every_link(make_app):
    other = make_app(BASE_URL="https://example.org/catalogue/")
    with other.app_context():
        assert absolute_url("public.item", item_id=7) == "https://example.org/catalogue/items/7"
