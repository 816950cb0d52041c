"""DCAT at /catalog.ttl and /catalog.jsonld (DCAT-AP 3 style), made with rdflib: the public catalogue.

A ``dcat:Catalog`` with each public item (``visibility.public_clause``): dataset resources as
``dcat:Dataset`` (linked with ``dcat:dataset``), everything else as ``dcat:Resource`` (``dcat:resource``),
with title, description, publisher (a ``foaf:Organization``), dates, landing page, SDGs as the UN's
IRIs (``http://metadata.un.org/sdg/12``), countries as the EU country authority's IRIs (ISO alpha-3),
themes and language. The JSON-LD carries its ``@context`` inline (nothing to fetch).

Pages of ``DCAT_PAGE_SIZE`` items (``?page=2``) keep memory flat at any size: each page repeats the
catalogue's description and links its neighbours with a Hydra ``PartialCollectionView``.
"""

from datetime import datetime

import pycountry
from flask import Blueprint, Response, abort, current_app, request
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF
from sqlalchemy import func, select

from portal import vocab
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.links import absolute_url
from portal.models import Item
from portal.views.languages import in_english

bp = Blueprint("dcat", __name__)

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's closed DCAT 2 namespace lacks DCAT 3's dcat:resource
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SDG = "http://metadata.un.org/sdg/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EARTH = URIRef("https://sws.geonames.org/6295630/")  # GeoNames' "Earth", for worldwide items
CONTEXT = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "hydra": str(HYDRA), "xsd": str(XSD),
}
FORMATS = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json")}


def _page() -> int:
    value = request.args.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= 1_000_000:
        abort(404)
    return int(value)


def _when(moment: datetime) -> Literal:
    return Literal(moment.replace(microsecond=0).isoformat() + "Z", datatype=XSD.dateTime)


def _country(code: str) -> URIRef | None:
    country = pycountry.countries.get(alpha_2=code)
    return URIRef(COUNTRY + country.alpha_3) if country else None


def _language(code: str) -> URIRef | None:
    language = pycountry.languages.get(alpha_2=code)
    return URIRef(LANGUAGE + language.alpha_3.upper()) if language else None


def _add_item(graph: Graph, catalogue: URIRef, item: Item, home: str) -> None:
    node = URIRef(absolute_url("public.item", item_id=item.id))
    dataset = item.resource_type == "dataset"
    graph.add((catalogue, DCAT.dataset if dataset else DCAT.resource, node))
    graph.add((node, RDF.type, DCAT.Dataset if dataset else DCAT.Resource))
    language = item.language or None
    graph.add((node, DCTERMS.title, Literal(item.title, lang=language)))
    graph.add((node, DCTERMS.description, Literal(item.summary, lang=language)))
    graph.add((node, DCTERMS.identifier, Literal(str(item.id))))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.issued, _when(item.published_at or item.created_at)))
    graph.add((node, DCTERMS.modified, _when(item.updated_at)))
    graph.add((node, DCTERMS.type, Literal(vocab.label(vocab.RESOURCE_TYPES, item.resource_type)
                                           if item.resource_type else vocab.label(vocab.KINDS, item.kind))))
    publisher = URIRef(f"{home}#organisation-{item.organisation_id}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(item.organisation.name)))
    for number in item.sdg_numbers:
        graph.add((node, DCTERMS.subject, URIRef(f"{SDG}{number}")))
    if item.is_global:
        graph.add((node, DCTERMS.spatial, EARTH))
    for code in sorted(item.countries):
        if (country := _country(code)) is not None:
            graph.add((node, DCTERMS.spatial, country))
    for theme in item.themes:
        graph.add((node, DCAT.theme, URIRef(f"{home}themes/{theme}")))
        graph.add((node, DCAT.keyword, Literal(vocab.label(vocab.THEMES, theme), lang="en")))
    for programme in item.programmes:
        graph.add((node, DCAT.keyword, Literal(programme.name, lang="en")))
    if language and (iri := _language(language)) is not None:
        graph.add((node, DCTERMS.language, iri))
    if item.link_url or item.file_name:
        distribution = BNode()
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        if item.link_url:
            graph.add((distribution, DCAT.accessURL, URIRef(item.link_url)))
        else:
            graph.add((distribution, DCAT.downloadURL, URIRef(absolute_url("items.download", item_id=item.id))))


def catalogue_graph(page: int, fmt: str) -> Graph:
    """One page of the catalogue as an RDF graph; 404 past the last page."""
    size = int(current_app.config["DCAT_PAGE_SIZE"])
    total, modified = db.session.execute(select(func.count(Item.id), func.max(Item.updated_at))
                                         .where(public_clause())).one()
    pages = max(1, -(-total // size))
    if page > pages:
        abort(404)
    home = absolute_url("public.home")
    graph = Graph(bind_namespaces="none")
    for prefix, uri in CONTEXT.items():
        graph.bind(prefix, uri)
    catalogue = URIRef(f"{home}#catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(current_app.config["SITE_NAME"], lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(
        "Initiatives and resources of the partners of the One Planet network for sustainable consumption and "
        "production (SDG 12).", lang="en")))
    graph.add((catalogue, FOAF.homepage, URIRef(home)))
    graph.add((catalogue, DCTERMS.license, URIRef(current_app.config["DATA_LICENSE"][1])))
    network = URIRef(f"{home}#network")
    graph.add((catalogue, DCTERMS.publisher, network))
    graph.add((network, RDF.type, FOAF.Organization))
    graph.add((network, FOAF.name, Literal("One Planet network")))
    if modified is not None:
        graph.add((catalogue, DCTERMS.modified, _when(modified)))
    graph.add((catalogue, HYDRA.totalItems, Literal(total)))
    view = URIRef(absolute_url(f"dcat.catalog_{fmt}", page=page))
    graph.add((catalogue, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    for relation, number in ((HYDRA.first, 1), (HYDRA.last, pages), (HYDRA.previous, page - 1),
                             (HYDRA.next, page + 1)):
        if 1 <= number <= pages:
            graph.add((view, relation, URIRef(absolute_url(f"dcat.catalog_{fmt}", page=number))))
    items = db.session.scalars(select(Item).where(public_clause()).order_by(Item.id)
                               .offset((page - 1) * size).limit(size))
    for item in items:
        _add_item(graph, catalogue, item, home)
    return graph


def _answer(fmt: str) -> Response:
    rdf_format, mimetype = FORMATS[fmt]
    graph = catalogue_graph(_page(), fmt)
    options = {"context": CONTEXT, "auto_compact": True} if rdf_format == "json-ld" else {}
    return Response(graph.serialize(format=rdf_format, **options), mimetype=mimetype)


@bp.get("/catalog.ttl")
@in_english
def catalog_ttl():
    return _answer("ttl")


@bp.get("/catalog.jsonld")
@in_english
def catalog_jsonld():
    return _answer("jsonld")
