"""The read-only JSON API (DESIGN.md): items with the /search parameters, one item, and its OpenAPI
document. The public visibility rule applies; bad parameters get a JSON 400 (portal.views.errors)."""

from typing import Any

from flask import Blueprint, jsonify, request

from portal import search, vocab
from portal.catalogue import NotFound, RuleViolation
from portal.catalogue.filters import MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS, parse_filters
from portal.catalogue.parsing import MAX_ID
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.links import absolute_url
from portal.models import Item
from portal.search import documents

bp = Blueprint("api", __name__, url_prefix="/api")


def item_json(card: dict[str, Any]) -> dict[str, Any]:
    """ITEM as DESIGN.md defines it, from an index card."""
    return {
        "id": card["id"],
        "kind": card["kind"],
        "title": card["title"],
        "summary": card["summary"],
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
NON_EMPTY = ("kind", "programme", "sdg", "status", "country", "region", "category", "resource_type", "theme",
             "sort", "page", "per_page")


@bp.get("/v1/items")
def items():
    for name in NON_EMPTY:
        if any(not value.strip() for value in request.args.getlist(name)):
            raise RuleViolation(f"'{name}' must not be empty.", field=name)
    filters = parse_filters(request.args)
    result = search.search(filters, suggest=False, highlights=False)
    return jsonify(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=[item_json(hit.card) for hit in result.hits],
        facets={
            facet: {str(value): number for value, number in counts.items()} for facet, counts in result.facets.items()
        },
    )


@bp.get("/v1/items/<int:item_id>")
def item(item_id: int):
    row = db.session.get(Item, item_id)
    if row is None or not is_public(row):
        raise NotFound(item_id)
    card = documents.card_of(item_id)
    if card is None:
        raise NotFound(item_id)
    return jsonify(item_json(card))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _values(vocabulary) -> list:
    return [value for value, *_ in vocabulary]


def _array(name: str, items: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": items},
        "style": "form",
        "explode": True,
    }


def openapi_document() -> dict[str, Any]:
    country_codes = [vocab.GLOBAL, *(code for code, _ in vocab.countries())]
    string_list = {"type": "array", "items": {"type": "string"}}
    item_schema = {
        "type": "object",
        "required": ["id", "kind", "title", "summary", "programmes", "sdgs", "portfolio", "countries",
                     "organisation", "updated_at", "url"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": _values(vocab.KINDS)},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "programmes": {"type": "array", "items": {"type": "string", "enum": _values(vocab.PROGRAMMES)}},
            "sdgs": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 17}},
            "portfolio": {
                "type": "object",
                "additionalProperties": {"type": "string", "enum": _values(vocab.PORTFOLIO_STATUSES)},
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
    facets = ("kind", "programme", "sdg", "status", "country", "region", "category", "resource_type", "theme")
    list_schema = {
        "type": "object",
        "required": ["total", "page", "per_page", "items", "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "facets": {"type": "object", "properties": dict.fromkeys(facets, counts)},
        },
    }
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error = {"description": "Bad parameters", "content": error_body}
    parameters = [
        {"name": "q", "in": "query", "required": False, "description": 'Words, "phrases", OR, -exclusion, prefix*',
         "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH}},
        _array("kind", {"type": "string", "enum": _values(vocab.KINDS)}, "Initiatives or resources"),
        _array("programme", {"type": "string", "enum": _values(vocab.PROGRAMMES)}, "Programme slugs (OR-ed)"),
        _array("sdg", {"type": "integer", "minimum": 1, "maximum": 17}, "SDG numbers (OR-ed)"),
        _array("status", {"type": "string", "enum": _values(vocab.PORTFOLIO_STATUSES)}, "Portfolio statuses"),
        _array("country", {"type": "string", "enum": country_codes}, "ISO 3166 alpha-2 codes, or global"),
        _array("region", {"type": "string", "enum": _values(vocab.REGIONS)}, "Continents"),
        _array("category", {"type": "string", "enum": _values(vocab.ACTIVITY_CATEGORIES)}, "Activity categories"),
        _array("resource_type", {"type": "string", "enum": _values(vocab.RESOURCE_TYPES)}, "Resource types"),
        _array("theme", {"type": "string", "enum": _values(vocab.THEMES)}, "Themes"),
        {"name": "sort", "in": "query", "required": False, "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "One Planet Catalogue API",
            "version": "1.0.0",
            "description": "Public initiatives and resources of the One Planet network (read-only).",
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
                    },
                }
            },
        },
        "components": {"schemas": {"Item": item_schema, "ItemList": list_schema, "Error": error_schema}},
    }
