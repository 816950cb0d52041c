"""The search adapter: the only package that imports Whoosh.

Use it through these functions; they take the catalogue's ``CatalogueFilters`` and a ``SearchScope``
(public by default: the visibility rule). ``init_app`` installs the index sync (session events).
Reading functions raise ``SearchUnavailable`` when the index is missing or unreadable; they never
build one (``search reindex`` does, and so does the drain after the next write).

Inside: ``syntax`` reads the search box (backend-neutral), ``query`` compiles it for Whoosh,
``snapshot`` reads the index per generation, ``columns`` and ``scoring`` hold what filters, counts
and ranks in numpy, ``matching`` answers a search, ``suggest`` gives "did you mean" and similar
items, ``sync`` and ``store`` keep the index in step with the database.
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import is_admin
from portal.catalogue.programmes import desk_programmes
from portal.models import User
from portal.search import documents, sync
from portal.search.results import PUBLIC, Hit, SearchResult, SearchScope, SearchUnavailable
from portal.search.service import SearchService

__all__ = [
    "PUBLIC",
    "Hit",
    "SearchResult",
    "SearchScope",
    "SearchUnavailable",
    "among",
    "card_of",
    "check",
    "drain",
    "enqueue",
    "export",
    "generation",
    "init_app",
    "rebuild",
    "search",
    "service",
    "similar",
    "staff_scope",
    "warm",
]

enqueue = sync.enqueue


def init_app(app: Flask) -> None:
    app.extensions["search"] = SearchService.for_app(app)
    sync.install()


def service() -> SearchService:
    return current_app.extensions["search"]


def search(filters: CatalogueFilters, scope: SearchScope = PUBLIC, **options) -> SearchResult:
    """One page of results with facet counts; ``scope`` defaults to what the public may see."""
    return service().search(filters, scope, **options)


def export(filters: CatalogueFilters, scope: SearchScope = PUBLIC, limit: int = 10000) -> list[dict[str, Any]]:
    """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""
    return service().export(filters, scope, limit)


def among(ids: Iterable[int], filters: CatalogueFilters, scope: SearchScope) -> list[int]:
    """Those of ``ids`` that ``filters`` find within ``scope``, in the order given (the desk's queue)."""
    return service().among(ids, filters, scope)


def similar(item_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """Public items like ``item_id`` (cards: id, title, summary, ...)."""
    return service().similar(item_id, limit)


def card_of(item_id: int) -> dict[str, Any] | None:
    """The card of one item as the index holds it once its changes are drained, read from the database."""
    return documents.card_of(item_id)


def staff_scope(user: User) -> SearchScope:
    """What a desk may search: every state of the items of its programmes (all of them for admins)."""
    if is_admin(user):
        return SearchScope(public=False, programmes=None)
    return SearchScope(public=False, programmes=tuple(programme.slug for programme in desk_programmes(user)))


def generation() -> str:
    """Names what the index answers from now: it changes with every change applied to the index. Pages
    made from search alone are as fresh as this (``portal.views.caching`` tags them with it)."""
    snap = service().snapshot()
    return f"{snap.name}:{snap.generation}"


def warm() -> bool:
    return service().warm()


def drain() -> int:
    """Index the queued changes, rebuilding a missing or unreadable index first (CLI, tests)."""
    return service().catch_up()


def rebuild(progress: Callable[[int], object] | None = None) -> None:
    service().rebuild(progress)


def check() -> dict[str, list[int]]:
    return service().check()
