"""What every search backend does alike: the setting that picks one, an item leaving public view by age
alone on every public surface without any write, and an organisation's new name on its items."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from portal import create_app
from portal.catalogue import visibility
from portal.extensions import db
from portal.models import utcnow
from portal.search import SearchConfigurationError
from tests.helpers import app_config

pytestmark = pytest.mark.search_backends()

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "ALTER", "DROP")


def test_the_setting_names_a_backend_the_database_can_carry(tmp_path):
    sqlite = app_config(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
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


def public_surfaces(client, item_id: int, neighbour_id: int) -> dict[str, bool]:
    """Whether each public surface shows the item (or its word "zqaging")."""
    api = client.get("/api/v1/items?per_page=100").get_json()
    return {
        "search": 'class="result"' in client.get("/search?q=zqaging").text,
        "api": any(card["id"] == item_id for card in api["items"]),
        "facets": api["facets"]["sdg"].get("9", 0) > 0,
        "item api": client.get(f"/api/v1/items/{item_id}").status_code == 200,
        "item page": client.get(f"/items/{item_id}").status_code == 200,
        "feed": f"/items/{item_id}<" in client.get("/feeds/latest.atom").text,
        "sitemap": f"/items/{item_id}<" in client.get("/sitemap.xml").text,
        "suggestions": ">zqaging</a>" in client.get("/search?q=zqagingg").text,
        "similar": f'/items/{item_id}"' in client.get(f"/items/{neighbour_id}").text,
    }


def test_an_item_731_days_old_leaves_every_public_surface_without_any_write(client, make_item, monkeypatch,
                                                                             statements):
    item = make_item(title="Zqaging seaweed farming cooperative", summary="Seaweed farming zqaging.",
                     sdgs=(9,), updated_days_ago=729)
    neighbour = make_item(title="Seaweed farming network", summary="Seaweed farming for coastal villages.")
    assert all(public_surfaces(client, item.id, neighbour.id).values())

    later = utcnow() + timedelta(days=2)  # the item is now 731 days old
    monkeypatch.setattr(visibility, "utcnow", lambda: later)
    del statements[:]
    assert public_surfaces(client, item.id, neighbour.id) == dict.fromkeys(
        ("search", "api", "facets", "item api", "item page", "feed", "sitemap", "suggestions", "similar"), False)
    assert not [statement for statement in statements if statement in WRITES]
    assert public_surfaces(client, neighbour.id, item.id)["item page"]  # the neighbour stays


def test_an_organisations_new_name_reaches_its_items(client, make_item, make_organisation):
    organisation = make_organisation(name="Old Name Collective")
    make_item(title="Kelp forest restoration", organisation=organisation)
    organisation.name = "Zqrenamed Collective"
    db.session.commit()
    found = client.get("/api/v1/items?q=zqrenamed").get_json()
    assert [card["organisation"] for card in found["items"]] == ["Zqrenamed Collective"]
