"""PostgreSQL full-text search: each item's language, accents folded, weights, no queue (a committed change
is searchable at once on every host), the command line, drift, several writers, and what it needs of the
database. The meaning shared with Whoosh is tested by the modules that run on both backends."""

import multiprocessing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from werkzeug.datastructures import MultiDict

from portal import search
from portal.catalogue.filters import parse_filters
from portal.extensions import db
from portal.models import Item, ItemProgramme, Organisation, Programme, Sdg, User, item_sdgs
from portal.search.postgresql import matching
from portal.search.postgresql.schema import SIMPLE, config_for, documents
from tests.helpers import programme

pytestmark = pytest.mark.search_backends("postgresql")


def found(client, q: str, **params) -> list[str]:
    data = client.get("/api/v1/items", query_string={"q": q, "per_page": 100, **params}).get_json()
    return [card["title"] for card in data["items"]]


def test_each_item_is_stemmed_in_its_language_and_accents_never_matter(client, make_item):
    make_item(title="Gestion des déchets ménagers", summary="Les communes trient leurs déchets.", language="fr")
    make_item(title="Recycling bottles in schools", summary="Pupils collect bottles.", language="en")
    make_item(title="Reciclaje de envases", summary="Los municipios reciclan envases.", language="es")
    make_item(title="Переработка отходов", summary="Города собирают отходы.", language="ru")
    make_item(title="Bamboo tōfu kitchens", summary="Community kitchens.", language="ja")  # no stemmer: simple
    assert found(client, "dechets") == found(client, "déchets") == found(client, "DÉCHET") == [
        "Gestion des déchets ménagers"]
    assert found(client, "bottle") == ["Recycling bottles in schools"]
    assert found(client, "envase") == ["Reciclaje de envases"]
    assert found(client, "отход") == ["Переработка отходов"]
    assert found(client, "tofu") == ["Bamboo tōfu kitchens"]
    page = client.get("/search?q=dechets").text
    assert "Gestion des <mark>déchets</mark> ménagers" in page


def test_an_excluded_word_is_excluded_in_every_language(client, make_item):
    make_item(title="Food waste in canteens", language="en")
    make_item(title="Food banks", language="en")
    make_item(title="Banques alimentaires et food waste", language="fr")
    assert found(client, "food -waste") == ["Food banks"]
    assert found(client, "food -wastes") == ["Food banks"]


def test_a_phrase_a_prefix_and_or_are_read_in_the_items_language(client, make_item):
    make_item(title="Ministry of the environment procurement rules", language="en")
    make_item(title="Les marchés publics écologiques", language="fr")
    assert found(client, '"ministry environment"') == ["Ministry of the environment procurement rules"]
    assert found(client, '"environment ministry"') == []
    assert found(client, "ecolog*") == ["Les marchés publics écologiques"]
    assert sorted(found(client, "marchés OR procurement")) == sorted(
        ["Ministry of the environment procurement rules", "Les marchés publics écologiques"])


def test_title_outranks_summary_which_outranks_the_rest(client, make_item):
    make_item(title="Coastal notes", summary="Plain text.", description="Kelp grows fast here.", updated_days_ago=1)
    make_item(title="Coastal guide", summary="All about kelp.", updated_days_ago=2)
    make_item(title="Kelp farming", summary="Plain text.", updated_days_ago=3)
    assert found(client, "kelp") == ["Kelp farming", "Coastal guide", "Coastal notes"]
    assert found(client, "kelp", sort="newest") == ["Coastal notes", "Coastal guide", "Kelp farming"]


def test_a_committed_change_is_searchable_at_once_on_every_host_and_a_rolled_back_one_never(
        app, make_app, make_item):
    other_host = make_app().test_client()
    item = make_item(title="Mangrove nursery")
    assert found(other_host, "mangrove") == ["Mangrove nursery"]
    item.title = "Seagrass nursery"
    db.session.flush()
    db.session.rollback()
    assert found(other_host, "seagrass") == []
    item = db.session.get(Item, item.id)
    item.title = "Seagrass nursery"
    db.session.commit()  # no drain, no queue: the commit carried the search row
    assert found(other_host, "seagrass") == ["Seagrass nursery"]
    assert found(other_host, "mangrove") == []
    assert db.session.scalar(text("SELECT count(*) FROM search_queue")) == 0


def test_words_of_a_change_made_beside_a_search_reach_the_suggestions(client, make_item):
    """A search in the middle of a transaction (its savepoint) keeps what the transaction still has to do."""
    item = make_item(title="Coral gardens")
    item.title = "Zqlagoon gardens"
    db.session.flush()
    search.search(parse_filters(MultiDict({"q": "gardens"})))  # inside the same transaction
    db.session.commit()
    assert ">zqlagoon</a>" in client.get("/search?q=zqlagoom").text


def test_bulk_inserts_need_record_changes_or_a_reindex_and_check_says_so(app, client, runner, make_organisation):
    organisation = make_organisation()
    db.session.execute(insert(Item), [{"id": 900, "kind": "resource", "title": "Bulk wetland atlas",
                                       "summary": "Inserted in bulk.", "organisation_id": organisation.id,
                                       "state": "published", "language": "en"}])
    db.session.execute(insert(ItemProgramme), [{"item_id": 900, "programme_id": programme("spp").id}])
    db.session.execute(insert(item_sdgs), [{"item_id": 900, "sdg_number": 12}])
    db.session.commit()
    assert found(client, "wetland") == []
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and "missing: 900" in check.output

    search.record_changes([900])
    db.session.commit()
    assert found(client, "wetland") == ["Bulk wetland atlas"]
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "The index matches the database." in check.output
    assert "Host " not in check.output  # no host keeps an index of its own
    drain = runner.invoke(args=["search", "drain"])
    assert drain.exit_code == 0 and drain.output.strip() == "Indexed 0 queued changes."  # nothing ever waits


def test_reindex_repairs_rows_changed_behind_its_back(app, client, runner, make_item):
    item = make_item(title="Peatland rewetting")
    db.session.execute(text("UPDATE items SET title = 'Moorland rewetting' WHERE id = :id"), {"id": item.id})
    db.session.execute(text("DELETE FROM search_words"))
    db.session.commit()
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and f"stale: {item.id}" in check.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 1 item." in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert found(client, "moorland") == ["Moorland rewetting"]
    assert ">moorland</a>" in client.get("/search?q=moorlant").text  # the words came back too


def test_counts_read_the_narrow_facets_which_check_compares_and_reindex_repairs(app, client, runner, make_item):
    """What the narrow-facets migration leaves before a reindex (no bits, no countries) is drift."""
    item = make_item(title="Coastal cleanup", countries=["FR"], sdgs=[12, 14], programmes=["spp"])

    def facets() -> dict:
        return client.get("/api/v1/items", query_string={"programme": "spp"}).get_json()["facets"]

    assert facets()["sdg"] == {"12": 1, "14": 1} and facets()["country"] == {"FR": 1}
    db.session.execute(text("UPDATE search_documents SET facet_bits = 0, countries = '{}' WHERE item_id = :id"),
                       {"id": item.id})
    db.session.commit()
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and f"stale: {item.id}" in check.output
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert facets()["sdg"] == {"12": 1, "14": 1} and facets()["country"] == {"FR": 1}
    assert found(client, "", programme="spp", sdg="14", country="FR") == ["Coastal cleanup"]


def test_seed_demo_fills_the_search_rows(app, runner):
    from portal.catalogue.visibility import public_clause

    result = runner.invoke(args=["seed-demo", "--items", "60"])
    assert result.exit_code == 0, result.output
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
    public = db.session.scalar(select(func.count(Item.id)).where(public_clause()))
    assert search.search(parse_filters(MultiDict())).total == public > 0


def test_without_its_tables_search_answers_503_and_the_item_page_stands(app, client, make_item):
    item = make_item(title="Dune restoration")
    db.session.execute(text("ALTER TABLE search_documents RENAME TO search_documents_away"))
    db.session.commit()
    try:
        assert client.get("/search?q=dune").status_code == 503
        assert client.get("/api/v1/items").status_code == 503
        assert client.get(f"/items/{item.id}").status_code == 200  # without its similar items
        assert search.warm() is False
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE search_documents_away RENAME TO search_documents"))
        db.session.commit()
    assert found(client, "dune") == ["Dune restoration"]


def _writer(config: dict, number: int, partner_id: int, rounds: int) -> None:
    """One process writing items (a gunicorn worker on its own host)."""
    from portal import create_app

    app = create_app(config)
    with app.app_context():
        partner = db.session.get(User, partner_id)
        organisation = db.session.get(Organisation, partner.organisation_id)
        spp = db.session.scalar(select(Programme).where(Programme.slug == "spp"))
        for round_ in range(rounds):
            item = Item(kind="initiative", title=f"Writer{number} item{round_} draft", summary="Parallel.",
                        organisation=organisation, state="published")
            item.programmes = [spp]
            item.sdgs = [db.session.get(Sdg, 12)]
            db.session.add(item)
            db.session.commit()
            item.title = f"Writer{number} item{round_} final"
            db.session.commit()


@pytest.mark.slow
def test_parallel_writers_lose_no_change(app, make_user):
    partner = make_user("partner", programmes=("spp",))
    config = {key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SEARCH_INDEX_DIR", "UPLOAD_DIR",
                                                "RATELIMIT_ENABLED", "BASE_URL", "PASSWORD_HASH_METHOD",
                                                "SEARCH_BACKEND")}
    config["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    writers, rounds = 3, 6
    processes = [context.Process(target=_writer, args=(config, number, partner.id, rounds))
                 for number in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    assert search.check() == {"missing": [], "stale": [], "extra": []}
    assert search.search(parse_filters(MultiDict({"q": "final", "per_page": "100"}))).total == writers * rounds
    assert search.search(parse_filters(MultiDict({"q": "draft"}))).total == 0


def test_every_language_has_a_configuration():
    available = frozenset({"portal_english", "portal_french", SIMPLE})
    assert config_for("fr", available) == config_for("fr-CA", available) == config_for("FR", available) == \
        "portal_french"
    assert config_for("de", available) == config_for("zz", available) == config_for(None, available) == SIMPLE


def test_the_migration_made_the_configurations(app):
    names = set(db.session.scalars(text("SELECT cfgname FROM pg_ts_config")))
    assert {"portal_english", "portal_french", "portal_spanish", "portal_russian", "portal_arabic", SIMPLE} <= names
    rows = db.session.scalar(select(func.count()).select_from(documents))
    assert rows == 0  # an empty catalogue has no search rows


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab<>&\"' é\x01\x02")), max_size=40))
def test_highlights_never_let_markup_through(marked_text):
    html = str(matching.marked(marked_text))
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    assert html.count("<mark>") == html.count("</mark>")


def test_browsing_finds_the_public_rows_even_those_dated_ahead_of_the_clock(client, make_item):
    """Without words the public rows are read from the listed rows' index, from the rule's cutoff on."""
    titles = {"Oldest still public": 729, "Last week": 7, "Dated 40 days ahead": -40, "Dated 400 days ahead": -400}
    for title, days in titles.items():
        make_item(title=title, updated_days_ago=days)
    make_item(title="Aged out", updated_days_ago=731)
    make_item(title="Hidden", hidden=True)
    make_item(title="Draft", state="draft")
    browsed = client.get("/api/v1/items", query_string={"per_page": 100, "sort": "title"}).get_json()
    assert sorted(card["title"] for card in browsed["items"]) == sorted(titles)
    assert browsed["total"] == browsed["facets"]["kind"]["initiative"] == len(titles)


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_a_page_found_with_its_counts_is_the_page_found_alone(client, make_item, sort):
    """A search with words finds its page in the same read as its counts; without counts (or with them
    kept) the page is found alone: the two give the same results, highlights and order."""
    for n in range(14):
        make_item(title=f"Compost guide {n}" if n % 3 else f"Kitchen notes {n}",
                  summary="Compost at home." if n % 2 else "Gardens and kitchens.",
                  description="Compost" if n % 3 == 0 else "Notes", programmes=["spp"] if n % 2 else ["ci"],
                  updated_days_ago=n + 1, state="draft" if n == 5 else "published")
    service = search.service()
    for page in ("1", "2", "3"):
        filters = parse_filters(MultiDict({"q": "compost", "sort": sort, "page": page, "per_page": "5"}))
        service.results.clear()
        together = service.search(filters)
        service.results.clear()
        alone = service.search(filters, with_facets=False)
        assert together.total == alone.total == 13
        assert [(hit.id, hit.title_html, hit.summary_html) for hit in together.hits] == [
            (hit.id, hit.title_html, hit.summary_html) for hit in alone.hits]
        assert len(together.hits) == (5 if page != "3" else 3)
        if sort == "relevance" and page == "1":  # ranked by title and summary, which are highlighted
            assert all("<mark>Compost</mark>" in hit.title_html + hit.summary_html for hit in together.hits)


def test_two_facet_values_counted_by_one_sum_are_told_apart(client, make_item):
    """SDG 1 and the category "implementation" are bits 31 apart in one column, counted by one sum
    (``counts._bit_counts``): each count is read back alone."""
    make_item(sdgs=[1], activity_category="implementation")
    make_item(sdgs=[1], activity_category="research")
    make_item(sdgs=[2], activity_category="implementation")
    make_item(sdgs=[2], activity_category="implementation")
    for q in ("", "sustainable"):  # without words and with (which counts with the page)
        facets = client.get("/api/v1/items", query_string={"q": q}).get_json()["facets"]
        assert facets["sdg"] == {"1": 2, "2": 2, "12": 4}
        assert facets["category"] == {"implementation": 3, "research": 1}
