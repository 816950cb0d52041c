"""Content language: accents never matter, each item is stemmed in its own language, a query is read in
the interface language and in every language of the catalogue; ``language`` is a facet and a filter."""

import pytest

from portal import search
from portal.search.analysis import analyse, analyser

pytestmark = pytest.mark.search_backends()

FRENCH = ("Gestion des déchets ménagers",
          "Les politiques publiques de réduction des déchets et la sécurité des activités de tri.")
SPANISH = ("Políticas de alimentación sostenible", "Información y educación sobre la energía en las escuelas.")
RUSSIAN = ("Переработка отходов", "Новые районы собирают отходы раздельно.")
ENGLISH = ("Food waste in schools", "Cutting food waste in school canteens.")
# "Sustainable tourism development in mountain areas", "Pilot projects of eco-tourism and water saving."
CHINESE = ("山区可持续旅游发展", "生态旅游与节水的试点项目。")


@pytest.fixture
def items(make_item):
    return {
        language: make_item(title=title, summary=summary, language=language)
        for language, (title, summary) in {"fr": FRENCH, "es": SPANISH, "ru": RUSSIAN, "en": ENGLISH,
                                           "zh": CHINESE}.items()
    }


def found(client, q: str, **params) -> set[int]:
    response = client.get("/api/v1/items", query_string={"q": q, **params})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.get_json()["items"]}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("q", ["déchets", "dechets", "DECHET", "déchet", "menager", "publique", "securite",
                               "sécurités", "activite", '"gestion des déchets"', '"gestion des dechets"',
                               "déch*", "dech*", "publique OR nothingelse"])
def test_a_french_item_is_found_with_or_without_accents_in_any_interface(client, items, q, lang, search_backend):
    if search_backend == "postgresql" and q == "menager":
        pytest.skip("PostgreSQL's French stemmer reads 'menager' (a verb) and 'ménagers' as two stems")
    assert found(client, q, lang=lang) == {items["fr"].id}


@pytest.mark.parametrize("q", ["sostenibles", "alimentacion", "informaciones", "energias", "escuela"])
def test_a_spanish_item_is_found_by_its_inflections(client, items, q):
    assert found(client, q, lang="es") == {items["es"].id}
    assert found(client, q) == {items["es"].id}  # from the English interface too


@pytest.mark.parametrize("q", ["отход", "отходы", "переработку", "новый район"])
def test_a_russian_item_is_found_by_its_inflections(client, items, q):
    assert found(client, q, lang="ru") == {items["ru"].id}


@pytest.mark.parametrize("q", ["旅游", "可持续旅游", "生态旅游", "节水", '"可持续旅游"', "旅游 -节水"])
def test_a_chinese_item_is_found_by_the_words_inside_its_runs_of_characters(client, items, q):
    """Chinese has no spaces: 旅游 (tourism) is inside 山区可持续旅游发展."""
    expected = set() if q.startswith("旅游 -") else {items["zh"].id}
    assert found(client, q, lang="zh") == expected
    assert found(client, q) == expected


@pytest.mark.parametrize("q", ["旅游山区", '"旅游可持续"', "游览"])
def test_a_chinese_query_needs_its_characters_together_and_in_order(client, items, q):
    assert found(client, q) == set()


def test_chinese_words_that_matched_are_highlighted_inside_their_run(client, items):
    page = client.get("/search", query_string={"q": "旅游", "lang": "zh"}).text
    assert "山区可持续<mark>旅游</mark>发展" in page
    assert "生态<mark>旅游</mark>与节水的试点项目。" in page
    page = client.get("/search", query_string={"q": "可持续旅游"}).text
    assert "山区<mark>可持续旅游</mark>发展" in page


def test_a_query_is_read_in_every_language_of_the_catalogue(client, items):
    """"politique" stems as the French item's "politiques" and as the Spanish item's "Políticas"."""
    assert found(client, "politique", lang="fr") == found(client, "politicas") == {items["fr"].id, items["es"].id}


def test_english_items_are_found_as_before(client, items):
    assert found(client, "wasted schools") == {items["en"].id}
    assert found(client, '"food waste"') == {items["en"].id}
    assert found(client, '"waste food"') == set()


def test_phrases_keep_their_order_and_exclusions_ignore_accents(client, items):
    assert found(client, '"déchets gestion"') == set()
    assert found(client, "publique -dechets") == set()
    assert found(client, "publique -déchets") == set()
    assert found(client, "dechets -nothingelse") == {items["fr"].id}


def test_the_words_that_matched_are_highlighted_accents_or_not(client, items):
    page = client.get("/search", query_string={"q": "dechets securite", "lang": "fr"}).text
    assert "Gestion des <mark>déchets</mark> ménagers" in page
    assert "<mark>sécurité</mark>" in page
    page = client.get("/search", query_string={"q": "alimentacion"}).text
    assert "Políticas de <mark>alimentación</mark> sostenible" in page
    page = client.get("/search", query_string={"q": "dech*"}).text
    assert "<mark>déchets</mark>" in page


def test_did_you_mean_offers_the_word_as_written(client, items, search_backend):
    if search_backend == "postgresql":
        pytest.skip("PostgreSQL proposes words at most two edits away: 'menagres' is three from 'ménagers'")
    page = client.get("/search", query_string={"q": "menagres"}).text
    assert "Did you mean" in page and ">ménagers</a>" in page


def test_similar_items_read_the_item_in_its_language(app, make_item, items):
    other = make_item(title="Tri des déchets ménagers", summary="Les déchets ménagers triés.", language="fr")
    with app.test_request_context():
        assert [card["id"] for card in search.similar(other.id)] == [items["fr"].id]


def test_the_language_facet_counts_and_filters_on_the_search_page(client, items, make_item):
    make_item(title="Compostage des déchets verts", language="fr")
    page = client.get("/search", query_string={"q": "dechets", "lang": "fr"}).text
    facet = page[page.index('id="facet-language"') : page.index("</fieldset>", page.index('id="facet-language"'))]
    assert "<legend>Langue</legend>" in facet and "français" in facet.lower()  # names from CLDR
    assert 'name="language" value="fr"' in facet and "(2)" in facet
    assert 'value="en"' not in facet  # no English item holds the word
    page = client.get("/search", query_string={"language": "es", "lang": "en"}).text
    assert "1 result" in page and 'name="language" value="es" checked' in page
    assert "alimentación" in page and "déchets" not in page
    assert client.get("/search?language=xx").status_code == 400


def test_the_language_facet_counts_with_the_other_facets_applied_in_the_api(client, items, make_item):
    make_item(title="Résidus agricoles", language="fr", programmes=("sfs",))
    data = client.get("/api/v1/items?language=fr&programme=spp").get_json()
    assert data["total"] == 1 and [item["language"] for item in data["items"]] == ["fr"]
    # Each facet counts what ticking its box gives: the language counts keep the programme, not the language.
    assert data["facets"]["language"] == {"en": 1, "es": 1, "fr": 1, "ru": 1, "zh": 1}
    assert data["facets"]["programme"]["sfs"] == 1
    assert client.get("/api/v1/items?language=FR&language=es").get_json()["total"] == 3
    response = client.get("/api/v1/items?language=xx")
    assert response.status_code == 400 and "language" in response.get_json()["error"]["detail"]


def test_the_api_document_lists_the_language_parameter(client):
    spec = client.get("/api/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert "fr" in parameters["language"]["schema"]["items"]["enum"]


def test_each_language_has_its_stemmer_and_accents_fold_first():
    assert analyse("Déchets", analyser("fr")) == analyse("dechet", analyser("fr")) == ["dechet"]
    assert analyse("sécurité", analyser("fr")) == analyse("securite", analyser("fr"))
    assert analyse("información", analyser("es")) == analyse("informacion", analyser("es"))
    assert analyse("food wastes", analyser("en")) == ["food", "wast"]  # Porter, as before
    assert analyse("新闻 déchets", analyser("zh")) == ["新闻", "dechets"]  # folded, not stemmed
    assert analyser("pt-BR") == "pt" and analyser("nb") == "no" and analyser(None) == ""
