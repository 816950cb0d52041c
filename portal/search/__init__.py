"""Search: the only package that knows which engine answers, and the only one that imports Whoosh.

Use it through these functions; they take the catalogue's ``CatalogueFilters`` and a ``SearchScope``
(public by default: the visibility rule) and hand the call to the app's backend
(``portal.search.backend.SearchBackend``), chosen by the setting ``SEARCH_BACKEND``:

- ``whoosh`` (default): an index on local disk under ``instance/`` (``service``, ``store``,
  ``snapshot``, ``columns``, ``scoring``, ``matching``, ``query``, ``suggest``, ``sync``);
- ``postgresql``: full-text search inside the PostgreSQL database (``portal.search.postgresql``).

Shared by both: ``syntax`` reads the search box into a backend-neutral query, ``analysis`` turns words into
index terms per item language (folded, then stemmed), ``cards`` reads what
search knows of an item, ``tracked`` names the items a flush changes, ``results`` holds what a search
gives. Reading functions raise ``SearchUnavailable`` when the backend cannot answer; they never
build anything (``search reindex`` does).
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.permissions import is_admin
from portal.catalogue.programmes import desk_programmes
from portal.extensions import db
from portal.models import User
from portal.search import cards, sync
from portal.search.backend import Drift, SearchBackend
from portal.search.postgresql import PostgresSearch
from portal.search.results import PUBLIC, Hit, SearchResult, SearchScope, SearchUnavailable
from portal.search.service import SearchService

__all__ = [
    "BACKENDS",
    "PUBLIC",
    "Hit",
    "SearchResult",
    "SearchScope",
    "SearchUnavailable",
    "among",
    "card_of",
    "check",
    "drain",
    "export",
    "generation",
    "init_app",
    "item_count",
    "ping",
    "rebuild",
    "record_changes",
    "search",
    "service",
    "similar",
    "staff_scope",
    "suggest",
    "warm",
]

BACKENDS = ("whoosh", "postgresql")


class SearchConfigurationError(RuntimeError):
    """``SEARCH_BACKEND`` names no backend, or one the database cannot carry."""


def init_app(app: Flask) -> None:
    """Create the app's backend; a setting it cannot run with stops the app at startup."""
    app.extensions["search"] = _create_backend(app)


def _create_backend(app: Flask) -> SearchBackend:
    name = str(app.config.get("SEARCH_BACKEND") or "whoosh").lower()
    if name not in BACKENDS:
        raise SearchConfigurationError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}.")
    if name == "postgresql":
        dialect = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
        if dialect != "postgresql":
            raise SearchConfigurationError(
                "SEARCH_BACKEND=postgresql searches inside a PostgreSQL database, but DATABASE_URL names "
                f"a {dialect} database: set DATABASE_URL to postgresql://... or SEARCH_BACKEND=whoosh."
            )
        return PostgresSearch()
    sync.install()
    return SearchService.for_app(app)


def service() -> SearchBackend:
    """The app's search backend."""
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


def suggest(text: str) -> str | None:
    """"Did you mean": ``text`` with misspelt words replaced by words of public items."""
    return service().suggest(text)


def card_of(item_id: int) -> dict[str, Any] | None:
    """The card of one item as search holds it once up to date, read from the database."""
    return cards.card_of(item_id)


def item_count() -> int:
    """How many items a rebuild reads (for progress bars)."""
    return cards.item_count()


def staff_scope(user: User) -> SearchScope:
    """What a desk may search: every state of the items of its programmes (all of them for admins)."""
    if is_admin(user):
        return SearchScope(public=False, programmes=None)
    return SearchScope(public=False, programmes=tuple(programme.slug for programme in desk_programmes(user)))


def record_changes(ids: Iterable[int], session: Session | None = None) -> None:
    """Items changed by bulk statements, which bypass the ORM's events: search takes them into account
    in the current transaction."""
    service().record_changes(ids, session or db.session)


def generation() -> str:
    """Names what search answers from now: it changes with every change search takes in. Pages made
    from search alone are as fresh as this (``portal.views.caching`` tags them with it)."""
    return service().generation()


def warm() -> bool:
    return service().warm()


def ping() -> None:
    """``SearchUnavailable`` when search cannot answer now."""
    service().ping()


def drain() -> int:
    """Apply the changes still waiting, repairing a missing index first (CLI, tests): how many (always
    none with PostgreSQL, whose transactions write their own search rows)."""
    return service().catch_up()


def rebuild(progress: Callable[[int], object] | None = None) -> None:
    service().rebuild(progress)


def check() -> Drift:
    return service().check()
