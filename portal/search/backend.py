"""The one interface every search backend implements (``SEARCH_BACKEND``: ``whoosh`` or ``postgresql``).

Callers never see which backend runs: they use ``portal.search``, which hands each call to the
app's backend. Both give the same answers to DESIGN.md's contract (words, phrases, OR, exclusion,
prefixes, sorts, facets, highlights, suggestions from public words, similar items, the visibility
rule at query time); they differ in how a committed change reaches them:

- Whoosh keeps an index on local disk, fed after each commit from a queue (``catch_up``);
- PostgreSQL keeps its search rows in the same transaction as the change: nothing is ever queued.

Reading methods raise ``SearchUnavailable`` when the backend cannot answer; they never build or
repair anything (a visitor's request must stay short): ``rebuild`` does, from the command line.
"""

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from portal.catalogue.filters import CatalogueFilters
from portal.search.results import SearchResult, SearchScope

Drift = dict[str, list[int]]


@runtime_checkable
class SearchBackend(Protocol):
    name: str  # "whoosh" or "postgresql", for messages
    host_id: str | None  # this host among those keeping an index of the database (None: no local index)

    def search(
        self,
        filters: CatalogueFilters,
        scope: SearchScope,
        *,
        with_facets: bool = True,
        suggest: bool = True,
        highlights: bool = True,
    ) -> SearchResult:
        """One page of results for ``filters`` within ``scope``, with every facet counted with the
        other facets applied, and a spelling suggestion when nothing is found."""

    def export(self, filters: CatalogueFilters, scope: SearchScope, limit: int) -> list[dict[str, Any]]:
        """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""

    def among(self, ids: Iterable[int], filters: CatalogueFilters, scope: SearchScope) -> list[int]:
        """Those of ``ids`` that ``filters`` find within ``scope``, in the order given (the desk's queue)."""

    def similar(self, item_id: int, limit: int) -> list[dict[str, Any]]:
        """Cards of the public items most like ``item_id``, best first."""

    def suggest(self, text: str) -> str | None:
        """``text`` with its misspelt words replaced by close words of public items (None: no better)."""

    def record_changes(self, ids: Iterable[int], session: Session) -> None:
        """Items changed by statements that bypass the ORM's events (bulk inserts): take them into
        account in ``session``'s transaction."""

    def catch_up(self) -> int:
        """Apply the changes still waiting (how many), repairing what is missing first (``search
        drain``); 0 when this backend never queues any."""

    def rebuild(self, progress: Callable[[int], object] | None = None) -> None:
        """Rebuild everything search holds from the database (``search reindex``)."""

    def check(self) -> Drift:
        """Ids ``missing`` from, ``stale`` in or ``extra`` in what search holds, compared with the database."""

    def hosts(self) -> list:
        """Every host keeping an index of this database, with how far it has applied the queue
        (``portal.search.cursor.HostState``); none when search keeps no local index."""

    def warm(self) -> bool:
        """Get ready to answer (a worker at boot); False when search cannot answer yet."""

    def ping(self) -> None:
        """Raise ``SearchUnavailable`` when search cannot answer now (``/healthz``); cheap."""

    def generation(self) -> str:
        """Names the state search answers from; it changes with every change search takes in (pages
        made from search alone are tagged with it: ``portal.views.caching``)."""

    def close(self) -> None:
        """Release what the backend holds open (tests drop apps)."""
