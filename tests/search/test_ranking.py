"""The numpy ranking gives Whoosh's own BM25F order, and relevance beats recency (on every backend)."""

import pytest
from werkzeug.datastructures import MultiDict

from portal import search
from portal.catalogue.filters import parse_filters
from portal.search.query import parse

TEXTS = [
    ("Food waste in schools", "Cutting food waste in school canteens with menus and composting."),
    ("Composting guide", "How to compost food scraps; food waste becomes soil."),
    ("Procurement of food", "Public procurement rules for sustainable food in hospitals."),
    ("Hotel plastics", "Tourism operators reduce single-use plastics in hotels."),
    ("Waste statistics", "National waste statistics, including some food data."),
    ("Food food food waste waste", "Food waste, food waste and more food waste: a long review of food waste."),
]


@pytest.fixture
def ranked_items(make_item):
    return [make_item(title=title, summary=summary, updated_days_ago=n + 1) for n, (title, summary) in
            enumerate(TEXTS)]


@pytest.mark.search_backends("whoosh")
@pytest.mark.parametrize("q", ["food waste", "food", "compost* OR plastics", '"food waste" -schools', "waste"])
def test_the_ranking_is_whooshs_bm25f(app, ranked_items, q):
    found = [hit.id for hit in search.search(parse_filters(MultiDict({"q": q, "per_page": "50"}))).hits]
    snapshot = search.service().snapshot()
    results = snapshot.searcher.search(parse(q).query, limit=None)
    expected = [int(snapshot.searcher.stored_fields(docnum)["id"]) for _, docnum in results.top_n]
    assert sorted(found) == sorted(expected)
    if "*" not in q:  # Whoosh scores prefixes with a constant, as we do, but sums them differently
        assert found == expected


@pytest.mark.search_backends()
def test_relevance_is_not_recency(app, ranked_items):
    found = [hit.id for hit in search.search(parse_filters(MultiDict({"q": "food waste"}))).hits]
    assert found[0] == ranked_items[5].id  # the most food waste, though the oldest
    newest = [hit.id for hit in search.search(parse_filters(MultiDict({"q": "food waste", "sort": "newest"}))).hits]
    assert newest[0] == ranked_items[0].id
