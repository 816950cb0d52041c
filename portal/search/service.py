"""The search service of one app (one index folder): what ``portal.search`` offers, on Whoosh.

Reading (``search``, ``export``, ``among``, ``similar``, ``warm``) only ever reads the index;
writing (``drain``, ``catch_up``, ``rebuild``) runs after a commit, from the command line or in a
rebuild, never for a visitor's GET. ``check`` compares the index with the database.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import public_rule
from portal.search import matching, suggest, sync
from portal.search.results import PUBLIC, SearchResult, SearchScope, SearchUnavailable
from portal.search.snapshot import Snapshot, SnapshotReader
from portal.search.store import Store

log = logging.getLogger(__name__)


class SearchService:
    """Everything search does for one app."""

    def __init__(self, index_dir: str):
        self.store = Store(index_dir)
        self.reader = SnapshotReader(self.store)

    # -- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The index's current generation; ``SearchUnavailable`` when it is missing or unreadable."""
        return self.reader.current()

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
        snap = self.snapshot()
        rule = public_rule()
        found = matching.match(snap, filters, scope, rule)
        docnums = matching.page_docnums(snap.columns, found, filters)
        return SearchResult(
            filters=filters,
            total=found.total,
            hits=matching.hits(snap, docnums, found.parsed, highlights),
            facets=matching.facet_counts(snap.columns, found, filters) if with_facets else {},
            suggestion=self._suggestion(snap, found, rule) if suggest and not found.total else None,
        )

    def export(self, filters: CatalogueFilters, scope: SearchScope = PUBLIC, limit: int = 10000) -> list[dict]:
        """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""
        everything = replace(filters, page=1, per_page=limit)
        result = self.search(everything, scope, with_facets=False, suggest=False, highlights=False)
        return [hit.card for hit in result.hits]

    def among(self, ids: Iterable[int], filters: CatalogueFilters, scope: SearchScope) -> list[int]:
        """Those of ``ids`` that ``filters`` find within ``scope``, in the order given."""
        snap = self.snapshot()
        return matching.among(snap.columns, matching.match(snap, filters, scope, public_rule()), ids)

    def similar(self, item_id: int, limit: int = 5) -> list[dict[str, Any]]:
        """Public items most like ``item_id``, as cards."""
        snap = self.snapshot()
        rule = public_rule()
        public = snap.columns.public(rule)
        return snap.remembered(("similar", item_id, rule, limit), lambda: suggest.similar(snap, item_id, public, limit))

    def _suggestion(self, snap: Snapshot, found: matching.Match, rule) -> str | None:
        if not found.parsed.words:
            return None
        public = snap.columns.public(rule)
        key = ("suggestion", found.parsed.text, rule)
        return snap.remembered(key, lambda: suggest.suggestion(snap, found.parsed, public))

    def warm(self) -> bool:
        """Read the current index now rather than on the first search (a gunicorn worker at boot).

        False when there is no readable index: building one is left to ``search reindex`` (or the next
        write), since a worker that takes minutes to boot would be killed.
        """
        try:
            self.snapshot()
        except SearchUnavailable:
            log.error("No readable search index: search answers 503 until `flask --app portal search reindex`")
            return False
        return True

    def close(self) -> None:
        """Close every open reader (tests call this when they drop an app)."""
        self.reader.close()

    # -- writing -----------------------------------------------------------------------------

    def drain(self) -> int:
        """Index the queued changes; ``SearchUnavailable`` (the queue kept) when there is no index."""
        return sync.drain(self.store)

    def catch_up(self, *, rebuild: bool = True) -> int:
        """Index the queued changes; when the index is missing or unreadable, rebuild it if ``rebuild``
        (never for a visitor's GET: the caller says)."""
        broken = self.store.current_name()
        try:
            return self.drain()
        except SearchUnavailable:
            if not rebuild:
                raise
        log.warning("Rebuilding the missing or unreadable search index after a write")
        self.rebuild(expected=broken)
        return self.drain()  # what was committed while another process rebuilt

    def rebuild(self, progress: Callable[[int], object] | None = None, *, expected: str | None = "") -> None:
        """Rebuild the whole index from the database into a new folder and swap it in.

        ``expected``: the index folder found broken; when another process has replaced it meanwhile,
        that one is kept (see ``Store.rebuild``).
        """
        with self.reader.lock:
            self.store.rebuild(expected=expected, progress=progress, after_swap=self.drain)
            self.reader.forget()

    def check(self) -> dict[str, list[int]]:
        """Compare the index with the database: ids missing from, stale in, or extra in the index."""
        self.drain()
        return sync.drift(self.snapshot())
