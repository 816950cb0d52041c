"""The read-only JSON API (DESIGN.md): items with the /search parameters, one item, and its OpenAPI
document. The public visibility rule applies; bad parameters get a JSON 400 (portal.views.errors)."""

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from portal import search, vocab
from portal.catalogue import NotFound, RuleViolation
from portal.catalogue.export import ItemExtras, item_extras
from portal.catalogue.facets import FACET_NAMES, FACETS, Facet
from portal.catalogue.filters import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS, parse_filters
from portal.catalogue.parsing import MAX_ID
from portal.catalogue.permissions import public_item
from portal.links import absolute_url
from portal.views.caching import by_index

bp = Blueprint("api", __name__, url_prefix="/api")


def item_json(card: dict[str, Any], extras: ItemExtras | None = None) -> dict[str, Any]:
    """ITEM as DESIGN.md defines it, from an index card and the item's description and links."""
    extras = extras or ItemExtras("", None, None, False)
    link = extras.link or (absolute_url("items.download", item_id=card["id"]) if extras.has_file else None)
    return {
        "id": card["id"],
        "kind": card["kind"],
        "title": card["title"],
        "summary": card["summary"],
        "description": extras.description,
        "website": extras.website,
        "link": link,
        "programmes": card["programmes"],
        "sdgs": card["sdgs"],
        "portfolio": card["portfolio"],
        "countries": (["global"] if card["global"] else []) + card["countries"],
        "organisation": card["organisation"],
        "themes": card["themes"],
        "category": card["category"],
        "resource_type": card["resource_type"],
        "language": card["language"],
        "published_at": f"{card['published_at']}Z" if card.get("published_at") else None,
        "updated_at": f"{card['updated_at']}Z",
        "url": absolute_url("public.item", item_id=card["id"]),
    }


# Parameters whose values come from a vocabulary or are numbers: the API refuses empty ones.
NON_EMPTY = (*FACET_NAMES, "sort", "page", "per_page")


@bp.get("/v1/items")
@by_index
def items():
    for name in NON_EMPTY:
        if any(not value.strip() for value in request.args.getlist(name)):
            raise RuleViolation(_("'%(name)s' must not be empty.", name=name), field=name)
    filters = parse_filters(request.args)
    result = search.search(filters, suggest=False, highlights=False)
    extras = item_extras([hit.card["id"] for hit in result.hits])
    return jsonify(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=[item_json(hit.card, extras.get(hit.card["id"])) for hit in result.hits],
        facets={
            facet: {str(value): number for value, number in counts.items()} for facet, counts in result.facets.items()
        },
    )


@bp.get("/v1/items/<int:item_id>")
def item(item_id: int):
    card = search.card_of(public_item(item_id).id)
    if card is None:
        raise NotFound(item_id)
    return jsonify(item_json(card, item_extras([item_id]).get(item_id)))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _facet_parameter(facet: Facet) -> dict:
    """A repeatable query parameter whose values are the facet's."""
    kind = "integer" if all(isinstance(value, int) for value in facet.values) else "string"
    return {
        "name": facet.name,
        "in": "query",
        "required": False,
        "description": f"{facet.legend} (several values are OR-ed)",
        "schema": {"type": "array", "items": {"type": kind, "enum": list(facet.values)}},
        "style": "form",
        "explode": True,
    }


def openapi_document() -> dict[str, Any]:
    licence = current_app.config["DATA_LICENSE"]
    string_list = {"type": "array", "items": {"type": "string"}}
    item_schema = {
        "type": "object",
        "required": ["id", "kind", "title", "summary", "description", "website", "link", "programmes", "sdgs",
                     "portfolio", "countries", "organisation", "themes", "category", "resource_type", "language",
                     "updated_at", "url"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(vocab.values(vocab.KINDS))},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "description": {"type": "string", "description": "Markdown"},
            "website": {"type": ["string", "null"], "format": "uri"},
            "link": {"type": ["string", "null"], "format": "uri",
                     "description": "A resource's file or external link"},
            "programmes": {"type": "array", "items": {"type": "string", "enum": list(vocab.values(vocab.PROGRAMMES))}},
            "sdgs": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 17}},
            "portfolio": {
                "type": "object",
                "additionalProperties": {"type": "string", "enum": list(vocab.values(vocab.PORTFOLIO_STATUSES))},
            },
            "countries": string_list,
            "organisation": {"type": "string"},
            "themes": string_list,
            "category": {"type": ["string", "null"]},
            "resource_type": {"type": ["string", "null"]},
            "language": {"type": "string"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
    }
    error_schema = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "title", "detail"],
                "properties": {
                    "status": {"type": "integer"},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                },
            }
        },
    }
    counts = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
    list_schema = {
        "type": "object",
        "required": ["total", "page", "per_page", "items", "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "facets": {"type": "object", "properties": dict.fromkeys(FACET_NAMES, counts)},
        },
    }
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error = {"description": "Bad parameters", "content": error_body}
    too_many = {"description": "Too many requests from this address: wait as long as Retry-After says",
                "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 0},
                                            "description": "Seconds to wait"}},
                "content": error_body}
    parameters = [
        {"name": "q", "in": "query", "required": False, "description": 'Words, "phrases", OR, -exclusion, prefix*',
         "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH}},
        *(_facet_parameter(facet) for facet in FACETS),
        {"name": "sort", "in": "query", "required": False, "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "One Planet Catalogue API",
            "version": "1.0.0",
            "description": "Public initiatives and resources of the One Planet network (read-only). "
                           "Any origin may call it (CORS).",
            "license": {"name": licence[0], "url": licence[1]},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/items": {
                "get": {
                    "operationId": "listItems",
                    "summary": "Search public items, with facet counts",
                    "parameters": parameters,
                    "responses": {
                        "200": {"description": "A page of items",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemList"}}}},
                        "400": error,
                        "429": too_many,
                    },
                }
            },
            "/api/v1/items/{id}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "One public item",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                    "responses": {
                        "200": {"description": "The item",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                        "404": {"description": "No such public item",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "429": too_many,
                    },
                }
            },
        },
        "components": {"schemas": {"Item": item_schema, "ItemList": list_schema, "Error": error_schema}},
    }
