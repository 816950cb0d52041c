"""The index's folders: a rebuild swaps in a new one; a missing or unreadable index makes search answer
503 (never rebuilt by a visitor's request) until ``search reindex`` or the next write repairs it."""

import shutil
from pathlib import Path

import pytest

from portal import search
from portal.extensions import db
from portal.models import Item

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself


def folders(app) -> list[str]:
    return sorted(path.name for path in Path(app.config["SEARCH_INDEX_DIR"]).glob("index-*"))


def remove_index(app) -> None:
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])


def break_index(app) -> None:
    for path in search.service().store.current_path().iterdir():
        if path.is_file():
            path.write_bytes(b"not an index")


@pytest.fixture
def item(make_item) -> Item:
    make_item(title="Rainwater harvesting guide")
    return make_item(title="Urban beekeeping network")


def found(client, q: str) -> int:
    return client.get("/api/v1/items", query_string={"q": q}).get_json()["total"]


def outdate_index(app) -> None:
    """An index built before the analysis changed (its folder says nothing of its format)."""
    (search.service().store.current_path() / "FORMAT").unlink()


@pytest.mark.parametrize("damage", [remove_index, break_index, outdate_index],
                         ids=["missing", "unreadable", "outdated"])
def test_search_answers_503_without_building_and_reindex_repairs_it(app, client, runner, item, damage):
    damage(app)
    before = folders(app) if Path(app.config["SEARCH_INDEX_DIR"]).exists() else []
    for url in ("/", "/search?q=beekeeping", "/search.csv", "/feeds/latest.atom", "/programmes/spp", "/sdgs/12"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert "Search is unavailable for a moment" in page.text and page.headers["Retry-After"]
    api = client.get("/api/v1/items?q=beekeeping")
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert client.get(f"/items/{item.id}").status_code == 200  # the item page stands, without similar items
    assert (folders(app) if Path(app.config["SEARCH_INDEX_DIR"]).exists() else []) == before  # nothing built

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert found(client, "beekeeping") == 1


def test_the_next_write_rebuilds_a_missing_index_but_never_a_get(app, client, item, make_item):
    remove_index(app)
    with app.test_request_context("/search", method="GET"):  # a GET that wrote something would not rebuild
        item.title = "Urban beekeeping network of schools"
        db.session.commit()
    assert not Path(app.config["SEARCH_INDEX_DIR"]).exists()
    assert client.get("/search").status_code == 503

    make_item(title="Solar cooker library")  # a partner's write, outside any GET: rebuilds, then indexes
    assert found(client, "schools") == 1 and found(client, "solar") == 1


def test_check_names_a_missing_index(app, runner):
    remove_index(app)
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "search reindex" in result.output


def test_a_worker_reads_the_index_at_boot_but_never_builds_one(app, make_app, item):
    """wsgi.py warms each gunicorn worker; building an index there would outlast the boot timeout."""
    item_id = item.id  # read here: inside the worker's context, the session would load it through the worker
    remove_index(app)
    worker = make_app()
    with worker.app_context():
        assert search.warm() is False
    assert not Path(app.config["SEARCH_INDEX_DIR"]).exists()
    search.rebuild()
    with worker.app_context():
        assert search.warm() is True
        assert search.service().snapshot().columns.docnum_of(item_id) is not None
        search.service().close()


def test_a_rebuild_swaps_in_a_new_folder_and_keeps_only_the_one_it_replaced(app, client, item):
    first = search.service().store.current_name()
    Path(app.config["SEARCH_INDEX_DIR"], "index-half-built-by-a-killed-rebuild").mkdir()
    for _ in range(3):
        replaced = search.service().store.current_name()
        search.rebuild()
    current = search.service().store.current_name()
    assert current != first and folders(app) == sorted([current, replaced])
    assert found(client, "beekeeping") == 1
