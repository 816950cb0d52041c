"""The JSON API: DESIGN.md's shapes, facet semantics, JSON errors, and schemathesis on the OpenAPI document."""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import settings
from sqlalchemy import select

from portal import create_app
from portal.catalogue.reference import ensure_reference_data
from portal.extensions import db
from portal.models import Item, Organisation, Programme, Sdg, utcnow
from tests.helpers import app_config

pytestmark = pytest.mark.search_backends()

ITEM_KEYS = {"id", "kind", "title", "summary", "programmes", "sdgs", "portfolio", "countries", "organisation",
             "updated_at", "url"}


@pytest.fixture
def items(make_item):
    return {
        "a": make_item("initiative", title="Alpha tourism", programmes=("st", "spp"), sdgs=(8,), countries=("TH",),
                       portfolio={"st": "core"}, activity_category="research"),
        "b": make_item("initiative", title="Beta tourism", programmes=("st",), sdgs=(8, 14), countries=("ES",),
                       portfolio={"st": "affiliated"}),
        "c": make_item("resource", title="Gamma procurement", programmes=("spp",), sdgs=(14,), countries=("KE",),
                       portfolio={"spp": "core"}, resource_type="tool"),
        "d": make_item("resource", title="Delta procurement", programmes=("spp", "st"), countries=(), is_global=True),
        "draft": make_item("resource", title="Draft tourism", programmes=("st",), state="draft"),
    }


def get(client, query: str) -> dict:
    response = client.get(f"/api/v1/items?{query}")
    assert response.status_code == 200, response.text
    return response.get_json()


def ids(data: dict) -> set[int]:
    return {item["id"] for item in data["items"]}


def test_list_shape(client, items):
    data = get(client, "q=tourism&per_page=1")
    assert set(data) == {"total", "page", "per_page", "items", "facets"}
    assert (data["total"], data["page"], data["per_page"], len(data["items"])) == (2, 1, 1, 1)
    assert set(data["items"][0]) >= ITEM_KEYS
    assert set(data["facets"]) >= {"kind", "programme", "sdg", "status", "country", "region", "category",
                                   "resource_type", "theme"}
    item = get(client, "q=alpha")["items"][0]
    assert item["programmes"] == ["st", "spp"] and item["portfolio"] == {"st": "core", "spp": "none"}
    assert item["sdgs"] == [8, 12] and item["countries"] == ["TH"] and item["updated_at"].endswith("Z")
    assert item["url"] == f"http://portal.test/items/{items['a'].id}"  # BASE_URL


def test_one_item_and_404s(client, items):
    data = client.get(f"/api/v1/items/{items['c'].id}").get_json()
    assert set(data) >= ITEM_KEYS and data["title"] == "Gamma procurement"
    for item_id in (items["draft"].id, 999999):
        response = client.get(f"/api/v1/items/{item_id}")
        assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("query", ["sdg=18", "programme=nope", "page=0", "per_page=101", "sort=random",
                                   "status=gold", "country=XX", "q=" + "x" * 501, "page=abc",
                                   "q=food" + "%17" * 497])  # as sent: the control characters the request drops count
def test_bad_parameters_get_a_json_400(client, query):
    response = client.get(f"/api/v1/items?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["detail"]


def test_or_within_a_facet_and_across_facets(client, items):
    assert ids(get(client, "programme=st&programme=spp")) == {items[k].id for k in "abcd"}
    assert ids(get(client, "programme=st&sdg=14")) == {items["b"].id}
    assert ids(get(client, "sdg=8&sdg=14&kind=resource")) == {items["c"].id}
    assert ids(get(client, "country=global")) == {items["d"].id}
    assert ids(get(client, "region=EU")) == {items["b"].id}


def test_a_portfolio_status_is_read_in_the_chosen_programmes(client, items):
    assert ids(get(client, "status=core")) == {items["a"].id, items["c"].id}
    assert ids(get(client, "programme=spp&status=core")) == {items["c"].id}  # a is core in st, not spp
    data = get(client, "status=core")
    assert data["facets"]["programme"] == {"st": 1, "spp": 1}


@pytest.mark.parametrize("base", ["", "q=tourism OR procurement", "sdg=14", "programme=spp&status=none"])
def test_each_facet_count_is_the_total_a_tick_gives(client, items, base):
    data = get(client, base)
    for facet, counts in data["facets"].items():
        if f"{facet}=" in base:
            continue
        for value, count in counts.items():
            refined = get(client, f"{base}&{facet}={value}" if base else f"{facet}={value}")
            assert refined["total"] == count, (base, facet, value)


def test_counts_ignore_the_page(client, items):
    assert get(client, "page=2&per_page=2")["facets"] == get(client, "")["facets"]
    assert get(client, "page=50")["items"] == []


def _schema_app():
    """An app of its own for schemathesis, which loads the schema when the module is collected."""
    folder = Path(tempfile.mkdtemp(prefix="portal-api-schema-"))
    config = app_config(folder) | {"DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite'}", "SEARCH_BACKEND": "whoosh"}
    app = create_app(config)
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        organisation = Organisation(name="Schema test organisation")
        item = Item(kind="initiative", title="Schema test item", summary="For the API schema test.",
                    organisation=organisation, state="published", updated_at=utcnow())
        item.programmes = [db.session.scalar(select(Programme).where(Programme.slug == "spp"))]
        item.sdgs = [db.session.get(Sdg, 12), db.session.get(Sdg, 7)]
        item.countries = ["KE"]
        db.session.add(item)
        db.session.commit()
        db.session.remove()
    return app


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _schema_app())


@schema.parametrize()
@settings(max_examples=60, deadline=None)
def test_the_api_keeps_its_openapi_promises(case):
    # Schemathesis' WSGI calls ask for compression but never undo it: ask for the plain answer.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})


def test_an_id_beyond_any_database_integer_is_a_404(client):
    assert client.get(f"/api/v1/items/{2**64}").status_code == 404
    assert client.get(f"/items/{2**64}").status_code == 404


def test_a_client_over_the_request_limit_gets_a_json_429(make_app):
    """Flask-Limiter's per-address limit (RATELIMIT_DEFAULT) answers in the API's error shape."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute").test_client()
    assert [client.get("/api/v1/items").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/items")
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429
    assert int(response.headers["Retry-After"]) > 0
