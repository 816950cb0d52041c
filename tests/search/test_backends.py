"""What every search backend does alike: the setting that picks one, an item leaving public view by age
alone on every public surface without any write, and an organisation's new name on its items."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from portal import create_app, search
from portal.extensions import db
from portal.models import base
from portal.search import SearchConfigurationError
from tests.helpers import app_config

pytestmark = pytest.mark.search_backends()

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "ALTER", "DROP")


def test_the_setting_names_a_backend_the_database_can_carry(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SEARCH_BACKEND", raising=False)
    sqlite = app_config(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    del sqlite["SEARCH_BACKEND"]
    with pytest.raises(SearchConfigurationError, match="PostgreSQL database, but DATABASE_URL names a sqlite"):
        create_app(sqlite | {"SEARCH_BACKEND": "postgresql"})
    with pytest.raises(SearchConfigurationError, match="one of whoosh, postgresql"):
        create_app(sqlite | {"SEARCH_BACKEND": "elasticsearch"})
    assert create_app(sqlite).extensions["search"].name == "whoosh"  # the embedded default


@pytest.fixture
def statements(app):
    """The SQL statements the app runs from now on."""
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


SURFACES = ("search", "api", "facets", "item api", "item page", "feed", "sitemap", "suggestions", "similar",
            "oai record", "oai list", "dcat")


def public_surfaces(client, item_id: int, neighbour_id: int) -> dict[str, bool]:
    """Whether each public surface shows the item (or its word "zqaging")."""
    api = client.get("/api/v1/items?per_page=100").get_json()
    item_api, item_page = client.get(f"/api/v1/items/{item_id}"), client.get(f"/items/{item_id}")
    assert item_api.status_code in (200, 404) and item_page.status_code in (200, 404)
    record = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:portal.test:item/{item_id}").text
    records = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").text
    return {
        "search": 'class="result"' in client.get("/search?q=zqaging").text,
        "api": any(card["id"] == item_id for card in api["items"]),
        "facets": api["facets"]["sdg"].get("9", 0) > 0,
        "item api": item_api.status_code == 200,
        "item page": item_page.status_code == 200,
        "feed": f"/items/{item_id}<" in client.get("/feeds/latest.atom").text,
        "sitemap": f"/items/{item_id}<" in client.get("/sitemap.xml").text,
        "suggestions": ">zqaging</a>" in client.get("/search?q=zqagingg").text,
        "similar": f'/items/{item_id}"' in client.get(f"/items/{neighbour_id}").text,
        # A harvester is told the record is deleted, and reads none of its content.
        "oai record": "Zqaging" in record and 'status="deleted"' not in record,
        "oai list": "Zqaging" in records,
        "dcat": f"/items/{item_id}>" in client.get("/catalog.ttl").text and "Zqaging" in client.get(
            "/catalog.jsonld").text,
    }


class TwoDaysLater(datetime):
    """The clock of the whole app (``portal.models.utcnow``) two days ahead."""

    @classmethod
    def now(cls, tz=None) -> datetime:
        return datetime.now(tz) + timedelta(days=2)


def test_an_item_731_days_old_leaves_every_public_surface_without_any_write(client, make_item, monkeypatch,
                                                                             statements):
    item = make_item(title="Zqaging seaweed farming cooperative", summary="Seaweed farming zqaging.",
                     sdgs=(9,), updated_days_ago=729)
    neighbour = make_item(title="Seaweed farming network", summary="Seaweed farming for coastal villages.")
    assert public_surfaces(client, item.id, neighbour.id) == dict.fromkeys(SURFACES, True)

    monkeypatch.setattr(base, "datetime", TwoDaysLater)  # the item is now 731 days old
    del statements[:]
    assert public_surfaces(client, item.id, neighbour.id) == dict.fromkeys(SURFACES, False)
    assert not [statement for statement in statements if statement in WRITES]
    assert client.get(f"/items/{item.id}").status_code == 404
    assert public_surfaces(client, neighbour.id, item.id)["item page"]  # the neighbour stays


def test_an_organisations_new_name_reaches_its_items(client, make_item, make_organisation):
    organisation = make_organisation(name="Old Name Collective")
    make_item(title="Kelp forest restoration", organisation=organisation)
    organisation.name = "Zqrenamed Collective"
    db.session.commit()
    found = client.get("/api/v1/items?q=zqrenamed").get_json()
    assert [card["organisation"] for card in found["items"]] == ["Zqrenamed Collective"]


def test_did_you_mean_proposes_words_of_public_items_only(app, make_item):
    make_item(title="Zqmangrove nurseries", summary="Coastal planting.")
    make_item(title="Zqmangrave secrets", summary="Not public.", state="draft")
    assert search.suggest("zqmangrive nurseris") == "zqmangrove nurseries"
    assert search.suggest("zqmangrave") == "zqmangrove"  # the draft's own word is not proposed
    assert search.suggest("nurseries") is None  # nothing to correct
