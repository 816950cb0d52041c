"""The Whoosh search adapter: the only package that imports Whoosh.

Use it through these functions; they take the catalogue's ``CatalogueFilters`` and a ``Scope``
(public by default: the visibility rule). ``init_app`` installs the index sync (session events).
"""

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app

from portal.catalogue.filters import CatalogueFilters
from portal.models import User
from portal.search import sync
from portal.search.columns import FACET_VALUES, FACETS
from portal.search.service import PUBLIC, Hit, Scope, SearchResult, SearchService

__all__ = [
    "FACETS",
    "FACET_VALUES",
    "PUBLIC",
    "Hit",
    "Scope",
    "SearchResult",
    "check",
    "drain",
    "enqueue",
    "init_app",
    "matching",
    "rebuild",
    "search",
    "service",
    "similar",
    "staff_scope",
    "warm",
]

enqueue = sync.enqueue


def init_app(app: Flask) -> None:
    app.extensions["search"] = SearchService(app.config["SEARCH_INDEX_DIR"])
    sync.install()


def service() -> SearchService:
    return current_app.extensions["search"]


def search(filters: CatalogueFilters, scope: Scope = PUBLIC, **options) -> SearchResult:
    """One page of results with facet counts; ``scope`` defaults to what the public may see."""
    return service().search(filters, scope, **options)


def matching(filters: CatalogueFilters, item_ids: Iterable[int], scope: Scope = PUBLIC) -> set[int]:
    """Those of ``item_ids`` that a search with ``filters`` finds (in the public scope by default)."""
    return service().matching(filters, item_ids, scope)


def similar(item_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """Public items like ``item_id`` (cards: id, title, summary, ...)."""
    return service().similar(item_id, limit)


def staff_scope(user: User) -> Scope:
    """Everything an admin may see, or the items of the programmes a moderator moderates."""
    if user.is_admin:
        return Scope(public=False, programmes=None)
    return Scope(public=False, programmes=tuple(programme.slug for programme in user.moderated_programmes))


def warm() -> bool:
    return service().warm()


def drain() -> int:
    return service().drain()


def rebuild(progress=None) -> None:
    service().rebuild(progress)


def check() -> dict[str, list[int]]:
    return service().check()
