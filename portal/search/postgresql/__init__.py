"""Search on PostgreSQL full text (``SEARCH_BACKEND=postgresql``): ``portal.search.backend.SearchBackend``
inside the database named by ``DATABASE_URL``, so any number of hosts search the same rows.

``schema`` describes the rows (created by the ``postgresql_search`` migration), ``rows`` keeps them in
step within each transaction, ``codes`` names facet values, ``tsquery`` compiles the search box,
``matching`` finds and pages, ``counts`` counts facets, ``suggest`` gives "did you mean" and similar
items, ``cache`` keeps results per version of the rows. Every query runs on the request's own
connection (a request sees its own changes) inside a savepoint, so a failing search (a database
without the migration) answers ``SearchUnavailable`` and leaves the request's transaction usable.
"""

import contextlib
import copy
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
from portal.search.postgresql import cache, counts, matching, rows, tsquery
from portal.search.postgresql import suggest as suggestions
from portal.search.postgresql.schema import PREFIX, documents
from portal.search.results import PUBLIC, Hit, SearchResult, SearchScope, SearchUnavailable

log = logging.getLogger(__name__)

# Each search starts by turning JIT off (searches are short: compiling them to machine code costs more
# than it saves) and reading the version of the search rows (``cache``).
_START = text("SELECT set_config('jit', 'off', true), (SELECT version FROM search_state WHERE id = 1)")


class PostgresSearch:
    """Everything search does for one app, in its PostgreSQL database."""

    name = "postgresql"
    host_id = None  # no local index: every host reads the same rows

    def __init__(self) -> None:
        self._configs: frozenset[str] = frozenset()
        self.results = cache.Results()
        rows.install()

    def configs(self, connection: Connection) -> frozenset[str]:
        """The text search configurations the migration created (read once they exist)."""
        if not self._configs:
            names = connection.scalars(text("SELECT cfgname FROM pg_ts_config WHERE starts_with(cfgname, :prefix)"),
                                       {"prefix": PREFIX})
            self._configs = frozenset(names)
        return self._configs

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[Connection, int | None]]:
        """The request's connection and the version of the search rows it sees, in a savepoint rolled
        back afterwards: search only reads, and the planner settings it takes (``SET LOCAL``) end with
        it. A database error is ``SearchUnavailable`` and leaves the request's transaction usable."""
        try:
            savepoint = db.session.begin_nested()
            try:
                connection = db.session.connection()
                connection.execute(matching.CUSTOM_PLANS)
                yield connection, connection.execute(_START).one()[1]
            finally:
                savepoint.rollback()
        except DBAPIError as error:
            log.error("PostgreSQL search cannot answer (%s); run `flask --app portal db upgrade` and "
                      "`flask --app portal search reindex`", type(error.orig).__name__)
            raise SearchUnavailable("PostgreSQL search cannot answer (has `flask --app portal db upgrade` run?).") \
                from None

    def _kept(self, version: int | None, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept for ``version`` of the search rows under ``key``."""
        return self.results.remembered(None if version is None else (version, *key), compute)

    def _found(self, version: int | None, key: tuple) -> Any | None:
        """What was kept for ``version`` of the search rows under ``key``, or None."""
        return None if version is None else self.results.get((version, *key))

    def _keep(self, version: int | None, key: tuple, value: Any) -> None:
        if version is not None:
            self.results.put((version, *key), value)

    def _words(self, connection: Connection, version: int | None, box: str) -> matching.Words:
        words = self._kept(version, ("words", box), lambda: matching.Words(
            tsquery.compile_query(connection, syntax.read(box))))
        matching.take_planner_settings(connection, words)
        return words

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
        with self._reading() as (connection, version):
            words = self._words(connection, version, filters.q)
            # What a search's rows depend on besides the filters (the rule moves at midnight).
            context = (rule.updated_since, scope, filters.q, filters.state, filters.inactive)
            base = matching.base(scope, filters, rule, words)
            chosen = matching.selections(filters, words)
            condition = and_(base, *chosen.values())
            refinements = tuple(sorted(filters.refinements().items()))
            page_key = (*context, "page", refinements, filters.sort, filters.page, filters.per_page, highlights)
            page_rows = self._found(version, page_key)
            ids = None
            if with_facets:
                # A search with words finds its page with its counts, in the same read of its rows.
                wanted = matching.PageQuery.of(filters, words) if page_rows is None and words.active else None
                total, facets, ids = counts.facet_counts(connection, base, chosen, filters, self.results,
                                                         None if version is None else (version, *context), wanted)
            else:
                facets = {}
                total = self._kept(version, (*context, "total", refinements),
                                   lambda: matching.total(connection, condition))
            if page_rows is None:
                if ids is not None:
                    page_rows = matching.shown(connection, ids, words, highlights)
                elif (filters.page - 1) * filters.per_page < total:
                    page_rows = matching.page(connection, condition, filters, words, highlights)
                else:
                    page_rows = []
                self._keep(version, page_key, page_rows)
            suggestion = None
            if suggest and not total:
                suggestion = self._kept(version, ("suggestion", rule.updated_since, filters.q),
                                        lambda: suggestions.suggestion(connection, syntax.read(filters.q), rule))
        hits = [Hit(copy.deepcopy(card), title, summary) for card, title, summary in page_rows]
        return SearchResult(filters=filters, total=total, hits=hits, facets=facets, suggestion=suggestion)

    def export(self, filters: CatalogueFilters, scope: SearchScope = PUBLIC, limit: int = 10000) -> list[dict]:
        """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""
        with self._reading() as (connection, version):
            condition, words = self._condition(connection, version, filters, scope)
            found = matching.page(connection, condition, replace(filters, page=1), words, False, limit=limit)
        return [card for card, _, _ in found]

    def among(self, ids: Iterable[int], filters: CatalogueFilters, scope: SearchScope) -> list[int]:
        """Those of ``ids`` that ``filters`` find within ``scope``, in the order given."""
        with self._reading() as (connection, version):
            condition, _ = self._condition(connection, version, filters, scope)
            return matching.among(connection, condition, ids)

    def _condition(self, connection: Connection, version: int | None, filters: CatalogueFilters,
                   scope: SearchScope):
        words = self._words(connection, version, filters.q)
        chosen = matching.selections(filters, words)
        condition = and_(matching.base(scope, filters, public_rule(), words), *chosen.values())
        return condition, words

    def similar(self, item_id: int, limit: int = 5) -> list[dict[str, Any]]:
        """Public items most like ``item_id``, as cards."""
        rule = public_rule()
        with self._reading() as (connection, version):
            found = self._kept(version, ("similar", rule.updated_since, item_id, limit),
                               lambda: suggestions.similar(connection, item_id, rule, limit))
        return copy.deepcopy(found)

    def suggest(self, box: str) -> str | None:
        rule = public_rule()
        with self._reading() as (connection, version):
            return self._kept(version, ("suggestion", rule.updated_since, box),
                              lambda: suggestions.suggestion(connection, syntax.read(box), rule))

    def warm(self) -> bool:
        """Check that the search rows exist (a worker at boot); False, logged, when they do not."""
        try:
            with self._reading() as (connection, _):
                self.configs(connection)
                empty = connection.scalar(select(exists(select(Item.id)) & ~exists(select(documents.c.item_id))))
        except SearchUnavailable:
            return False
        if empty:
            log.error("The PostgreSQL search rows are empty: run `flask --app portal search reindex`")
            return False
        return True

    def ping(self) -> None:
        with self._reading() as (connection, _):
            connection.execute(select(documents.c.item_id).limit(1))

    def generation(self) -> str:
        """The version of the search rows, counted up by every transaction that changes them."""
        with self._reading() as (_, version):
            return f"postgresql:{version}"

    def close(self) -> None:
        """Nothing to close: every query uses the app's database connections."""

    # -- writing -----------------------------------------------------------------------------

    def record_changes(self, ids: Iterable[int], session: Session) -> None:
        """Rewrite the search rows of ``ids`` in ``session``'s transaction (after bulk statements)."""
        connection = session.connection()
        rows.refresh(connection, ids, self.configs(connection), session)

    def catch_up(self) -> int:
        """Nothing ever waits: each transaction writes its own search rows."""
        return 0

    def rebuild(self, progress: Callable[[int], object] | None = None) -> None:
        """Rewrite every search row from the items (``search reindex``), a batch per transaction."""
        with db.engine.connect() as connection:
            available = self.configs(connection)
        rows.rebuild(available, progress)

    def hosts(self) -> list:
        """No host keeps anything of its own."""
        return []

    def check(self) -> dict[str, list[int]]:
        """Ids whose search row is missing, stale or extra, compared with the items."""
        with db.engine.connect() as connection:
            return rows.drift(connection, self.configs(connection))

