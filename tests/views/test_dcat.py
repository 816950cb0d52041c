"""DCAT at /catalog.ttl and /catalog.jsonld, parsed back with rdflib: a published item's triples, nothing hidden."""

import json

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from portal.extensions import db

pytestmark = pytest.mark.search_backends()

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CATALOGUE = URIRef("http://portal.test/#catalogue")


def graph(client, path: str, fmt: str) -> Graph:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.data, format=fmt)


def item_iri(item) -> URIRef:
    return URIRef(f"http://portal.test/items/{item.id}")


@pytest.fixture
def catalogue(make_item):
    published = make_item("resource", title="Tender guide", sdgs=(8,), countries=("KE", "FR"), language="fr",
                          resource_type="dataset", link_url="https://example.org/data.csv")
    published.themes = ["circular_economy"]
    db.session.commit()
    return {
        "published": published,
        "initiative": make_item(title="Global initiative", countries=(), is_global=True),
        "hidden": make_item(title="Hidden one", hidden=True),
        "draft": make_item(title="Draft one", state="draft"),
        "inactive": make_item(title="Inactive one", updated_days_ago=1000),
    }


@pytest.mark.parametrize(("path", "fmt"), [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld")])
def test_the_catalogue_parses_back_with_a_published_items_triples(client, catalogue, path, fmt):
    g = graph(client, path, fmt)
    item = catalogue["published"]
    node = item_iri(item)
    assert (CATALOGUE, RDF.type, DCAT.Catalog) in g
    assert (CATALOGUE, DCAT.dataset, node) in g and (node, RDF.type, DCAT.Dataset) in g
    assert (node, DCTERMS.title, Literal("Tender guide", lang="fr")) in g
    assert (node, DCTERMS.subject, URIRef("http://metadata.un.org/sdg/12")) in g
    assert (node, DCTERMS.subject, URIRef("http://metadata.un.org/sdg/8")) in g
    assert (node, DCTERMS.spatial, URIRef("http://publications.europa.eu/resource/authority/country/KEN")) in g
    assert (node, DCTERMS.spatial, URIRef("http://publications.europa.eu/resource/authority/country/FRA")) in g
    assert (node, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/FRA")) in g
    assert (node, DCAT.landingPage, node) in g and (node, DCTERMS.modified, None) in g
    assert (node, DCAT.theme, URIRef("http://portal.test/themes/circular_economy")) in g
    publisher = g.value(node, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in g
    assert g.value(publisher, FOAF.name) == Literal(item.organisation.name)
    distribution = g.value(node, DCAT.distribution)
    assert g.value(distribution, DCAT.accessURL) == URIRef("https://example.org/data.csv")
    initiative = item_iri(catalogue["initiative"])
    assert (CATALOGUE, DCAT.resource, initiative) in g and (initiative, RDF.type, DCAT.Resource) in g
    assert (initiative, DCTERMS.spatial, URIRef("https://sws.geonames.org/6295630/")) in g


@pytest.mark.parametrize("path", ["/catalog.ttl", "/catalog.jsonld"])
def test_hidden_draft_and_inactive_items_are_absent(client, catalogue, path):
    g = graph(client, path, "turtle" if path.endswith("ttl") else "json-ld")
    listed = set(g.objects(CATALOGUE, DCAT.dataset)) | set(g.objects(CATALOGUE, DCAT.resource))
    assert listed == {item_iri(catalogue["published"]), item_iri(catalogue["initiative"])}
    text = g.serialize(format="turtle")
    for name in ("hidden", "draft", "inactive"):
        assert catalogue[name].title not in text


def test_the_json_ld_embeds_its_context(client, catalogue):
    data = json.loads(client.get("/catalog.jsonld").data)
    assert isinstance(data["@context"], dict) and data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert "http" not in json.dumps(data["@context"]).replace("http://www.w3.org", "").replace(
        "http://purl.org", "").replace("http://xmlns.com", "")  # namespaces only, nothing to fetch


def test_pages_link_to_each_other_and_end(app, client, make_organisation, make_item):
    app.config["DCAT_PAGE_SIZE"] = 2
    organisation = make_organisation()
    items = [make_item(organisation=organisation) for _ in range(5)]
    first = graph(client, "/catalog.ttl", "turtle")
    assert first.value(CATALOGUE, HYDRA.totalItems) == Literal(5)
    view = first.value(CATALOGUE, HYDRA.view)
    assert first.value(view, HYDRA.next) == URIRef("http://portal.test/catalog.ttl?page=2")
    assert first.value(view, HYDRA.last) == URIRef("http://portal.test/catalog.ttl?page=3")
    assert first.value(view, HYDRA.previous) is None
    seen = set()
    for page in (1, 2, 3):
        g = graph(client, f"/catalog.ttl?page={page}", "turtle")
        seen |= set(g.objects(CATALOGUE, DCAT.resource))
    assert seen == {item_iri(item) for item in items}
    for bad in ("4", "0", "x", "-1", "99999999999999999999"):
        assert client.get(f"/catalog.ttl?page={bad}").status_code == 404
