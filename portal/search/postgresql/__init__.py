"""Search on PostgreSQL full text (``SEARCH_BACKEND=postgresql``): ``portal.search.backend.SearchBackend``
inside the database named by ``DATABASE_URL``, so any number of hosts search the same rows.

``schema`` describes the rows (created by the ``postgresql_search`` migration), ``rows`` keeps them in
step within each transaction, ``tsquery`` compiles the search box, ``matching`` answers searches and
counts facets, ``suggest`` gives "did you mean" and similar items. Every query runs on the request's
own connection (a request sees its own changes) inside a savepoint, so a failing search (a database
without the migration) answers ``SearchUnavailable`` and leaves the request's transaction usable.
"""

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, and_, exists, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import public_rule
from portal.extensions import db
from portal.models import Item
from portal.search import syntax
from portal.search.postgresql import matching, rows, tsquery
from portal.search.postgresql import suggest as suggestions
from portal.search.postgresql.schema import PREFIX, documents
from portal.search.results import PUBLIC, SearchResult, SearchScope, SearchUnavailable

log = logging.getLogger(__name__)


class PostgresSearch:
    """Everything search does for one app, in its PostgreSQL database."""

    name = "postgresql"
    queues_changes = False

    def __init__(self) -> None:
        self._configs: frozenset[str] = frozenset()
        rows.install()

    def configs(self, connection: Connection) -> frozenset[str]:
        """The text search configurations the migration created (read once they exist)."""
        if not self._configs:
            names = connection.scalars(text("SELECT cfgname FROM pg_ts_config WHERE starts_with(cfgname, :prefix)"),
                                       {"prefix": PREFIX})
            self._configs = frozenset(names)
        return self._configs

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection]:
        """The request's connection, in a savepoint; a database error is ``SearchUnavailable``."""
        try:
            with db.session.begin_nested():
                yield db.session.connection()
        except DBAPIError as error:
            log.error("PostgreSQL search cannot answer (%s); run `flask --app portal db upgrade` and "
                      "`flask --app portal search reindex`", type(error.orig).__name__)
            raise SearchUnavailable("PostgreSQL search cannot answer (has `flask --app portal db upgrade` run?).") \
                from None

    # -- reading -----------------------------------------------------------------------------

    def search(
        self,
        filters: CatalogueFilters,
        scope: SearchScope = PUBLIC,
        *,
        with_facets: bool = True,
        suggest: bool = True,
        highlights: bool = True,
    ) -> SearchResult:
        """One page of results for ``filters`` within ``scope``, with facet counts."""
        rule = public_rule()
        parsed = syntax.read(filters.q)
        with self._reading() as connection:
            words = matching.Words(tsquery.compile_query(connection, parsed))
            base = and_(matching.scope_clause(scope, filters, rule), words.condition())
            chosen = matching.selections(filters)
            condition = and_(base, *chosen.values())
            if with_facets:
                total, facets = matching.facet_counts(connection, base, chosen, filters)
            else:
                total, facets = matching.total(connection, condition), {}
            start = (filters.page - 1) * filters.per_page
            hits = matching.page(connection, condition, filters, words, highlights) if start < total else []
            suggestion = suggestions.suggestion(connection, parsed, rule) if suggest and not total else None
        return SearchResult(filters=filters, total=total, hits=hits, facets=facets, suggestion=suggestion)

    def export(self, filters: CatalogueFilters, scope: SearchScope = PUBLIC, limit: int = 10000) -> list[dict]:
        """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""
        with self._reading() as connection:
            condition, words = self._condition(connection, filters, scope)
            hits = matching.page(connection, condition, replace(filters, page=1), words, False, limit=limit)
        return [hit.card for hit in hits]

    def among(self, ids: Iterable[int], filters: CatalogueFilters, scope: SearchScope) -> list[int]:
        """Those of ``ids`` that ``filters`` find within ``scope``, in the order given."""
        with self._reading() as connection:
            condition, _ = self._condition(connection, filters, scope)
            return matching.among(connection, condition, ids)

    def _condition(self, connection: Connection, filters: CatalogueFilters, scope: SearchScope):
        words = matching.Words(tsquery.compile_query(connection, syntax.read(filters.q)))
        condition = and_(matching.scope_clause(scope, filters, public_rule()), words.condition(),
                         *matching.selections(filters).values())
        return condition, words

    def similar(self, item_id: int, limit: int = 5) -> list[dict[str, Any]]:
        """Public items most like ``item_id``, as cards."""
        with self._reading() as connection:
            return suggestions.similar(connection, item_id, public_rule(), limit)

    def suggest(self, text: str) -> str | None:
        with self._reading() as connection:
            return suggestions.suggestion(connection, syntax.read(text), public_rule())

    def warm(self) -> bool:
        """Check that the search rows exist (a worker at boot); False, logged, when they do not."""
        try:
            with self._reading() as connection:
                self.configs(connection)
                empty = connection.scalar(select(exists(select(Item.id)) & ~exists(select(documents.c.item_id))))
        except SearchUnavailable:
            return False
        if empty:
            log.error("The PostgreSQL search rows are empty: run `flask --app portal search reindex`")
            return False
        return True

    def ping(self) -> None:
        with self._reading() as connection:
            connection.execute(select(documents.c.item_id).limit(1))

    def close(self) -> None:
        """Nothing to close: every query uses the app's database connections."""

    # -- writing -----------------------------------------------------------------------------

    def record_changes(self, ids: Iterable[int], session: Session) -> None:
        """Rewrite the search rows of ``ids`` in ``session``'s transaction (after bulk statements)."""
        connection = session.connection()
        rows.refresh(connection, ids, self.configs(connection), session)

    def catch_up(self) -> None:
        """Nothing ever waits: each transaction writes its own search rows."""
        return None

    def rebuild(self, progress: Callable[[int], object] | None = None) -> None:
        """Rewrite every search row from the items (``search reindex``), a batch per transaction."""
        with db.engine.connect() as connection:
            available = self.configs(connection)
        rows.rebuild(available, progress)

    def check(self) -> dict[str, list[int]]:
        """Ids whose search row is missing, stale or extra, compared with the items."""
        with db.engine.connect() as connection:
            return rows.drift(connection, self.configs(connection))

