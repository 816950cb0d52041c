"""The Whoosh backend of one app (one index folder): ``portal.search.backend.SearchBackend`` on Whoosh.

Reading (``search``, ``export``, ``among``, ``similar``, ``warm``) only ever reads the index;
writing (``drain``, ``catch_up``, ``rebuild``) runs after a commit outside GET requests, from the
command line, or in this process's follower thread, never inside a visitor's GET. ``check`` compares
the index with the database.

Several hosts: each host (``SEARCH_HOST_ID``, by default this machine's name and the index folder)
applies the shared queue to its own index by a cursor of its own (``portal.search.cursor``). A host
whose own workers write nothing still follows the others: every ``SEARCH_SYNC_SECONDS`` a thread
of each serving process compares the queue's last position with the host's cursor (one cheap query)
and, when behind, applies what is new and opens the new generation, outside any request.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy.orm import Session

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import public_rule
from portal.extensions import db
from portal.search import cursor, matching, query, suggest, sync
from portal.search.results import PUBLIC, SearchResult, SearchScope, SearchUnavailable
from portal.search.snapshot import Snapshot, SnapshotReader
from portal.search.store import Store

log = logging.getLogger(__name__)
# In the request's environ (not ``g``, which lives as long as an app context that may hold many
# requests: a script's or a test's): (the service, the snapshot this request reads).
REQUEST_SNAPSHOT = "portal.search_snapshot"


def default_host_id(index_dir: str) -> str:
    """This machine's name and the index folder: two hosts, or two folders on one machine, differ."""
    return f"{socket.gethostname()}:{os.path.abspath(index_dir)}"[-200:]


class SearchService:
    """Everything search does for one app, on a Whoosh index."""

    name = "whoosh"

    def __init__(self, index_dir: str, *, host_id: str | None = None, retention_hours: float = 168,
                 sync_seconds: float = 1.0, rebuild_procs: int = 0, app: Flask | None = None):
        self.store = Store(index_dir)
        self.reader = SnapshotReader(self.store)
        self.host_id = host_id or default_host_id(index_dir)
        self.retention = timedelta(hours=retention_hours)
        self.rebuild_procs = rebuild_procs
        self.follower = Follower(app, self, sync_seconds) if app is not None and sync_seconds > 0 else None

    @classmethod
    def for_app(cls, app: Flask) -> "SearchService":
        config = app.config
        return cls(
            config["SEARCH_INDEX_DIR"],
            host_id=config.get("SEARCH_HOST_ID"),
            retention_hours=config.get("SEARCH_QUEUE_RETENTION_HOURS", 168),
            sync_seconds=config.get("SEARCH_SYNC_SECONDS", 1.0),
            rebuild_procs=config.get("SEARCH_REBUILD_PROCS", 0),
            app=app,
        )

    # -- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The index's current generation; ``SearchUnavailable`` when it is missing or unreadable.

        A GET (or HEAD) request, which never writes to the index, checks the index's files at its first
        read only (a page's tag, then its search): later reads reuse that snapshot unless this process
        installed a newer one meanwhile, since a snapshot's readers are closed two generations on."""
        if not has_request_context():
            return self.reader.current()
        if self.follower is not None:
            self.follower.ensure_running()  # a serving process follows the queue (wsgi.py starts it at boot)
        if request.method not in ("GET", "HEAD"):
            return self.reader.current()
        kept = request.environ.get(REQUEST_SNAPSHOT)
        if kept is None or kept[0] is not self or kept[1] is not self.reader.installed():
            kept = (self, self.reader.current())
            request.environ[REQUEST_SNAPSHOT] = kept
        return kept[1]

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
            suggestion=self._suggestion(snap, found.parsed, rule) if suggest and not found.total else None,
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

    def suggest(self, text: str) -> str | None:
        """``text`` with misspelt words replaced by close words of public items."""
        return self._suggestion(self.snapshot(), query.parse(text), public_rule())

    def _suggestion(self, snap: Snapshot, parsed: query.ParsedQuery, rule) -> str | None:
        if not parsed.words:
            return None
        public = snap.columns.public(rule)
        key = ("suggestion", parsed.text, rule)
        return snap.remembered(key, lambda: suggest.suggestion(snap, parsed, public))

    def warm(self) -> bool:
        """Read the current index now rather than on the first search (a gunicorn worker at boot), and
        start following the queue.

        False when there is no readable index: building one is left to ``search reindex`` (or to the
        follower thread), since a worker that takes minutes to boot would be killed.
        """
        if self.follower is not None:
            self.follower.ensure_running()
        try:
            self.snapshot()
        except SearchUnavailable:
            log.error("No readable search index: search answers 503 until `flask --app portal search reindex`")
            return False
        return True

    def ping(self) -> None:
        """``SearchUnavailable`` when the index cannot be read."""
        self.snapshot()

    def generation(self) -> str:
        snapshot = self.snapshot()
        return f"{snapshot.name}:{snapshot.generation}"

    def close(self) -> None:
        """Stop following and close every open reader (tests call this when they drop an app)."""
        if self.follower is not None:
            self.follower.stop()
        self.reader.close()

    # -- writing -----------------------------------------------------------------------------

    def record_changes(self, ids: Iterable[int], session: Session) -> None:
        """Queue ``ids`` in ``session``'s transaction (changes made by bulk statements)."""
        sync.enqueue(ids, session)

    def drain(self, *, wait: bool = True) -> int:
        """Apply the queued changes this host has not applied; ``SearchUnavailable`` (the queue kept)
        when there is no index, ``sync.Behind`` when it missed changes that were pruned."""
        return sync.drain(self.store, self.host_id, self.retention, wait=wait)

    def catch_up(self, *, rebuild: bool = True, wait: bool = True) -> int:
        """Apply the queued changes; when the index is missing, unreadable or left behind, rebuild it
        if ``rebuild`` (never inside a request: the caller says)."""
        broken = self.store.current_name()
        try:
            return self.drain(wait=wait)
        except SearchUnavailable:
            if not rebuild:
                raise
        where = "in a request" if has_request_context() else "outside any request"
        log.warning("Rebuilding the missing, unreadable or outdated search index of %s (%s)", self.host_id, where)
        self.rebuild(expected=broken)
        return self.drain()

    def nudge(self) -> None:
        """Tell the follower thread to look at the queue now (a GET committed a change it must not index)."""
        if self.follower is not None:
            self.follower.wake()

    def rebuild(self, progress: Callable[[int], object] | None = None, *, expected: str | None = "") -> None:
        """Rebuild the whole index from the database into a new folder, swap it in, apply what was
        committed meanwhile.

        ``expected``: the index folder found broken; when another process has replaced it meanwhile,
        that one is kept (see ``Store.rebuild``). This host's cursor starts at the queue position
        reached before the database was read, so nothing committed during the build is missed.
        """
        self.store.rebuild(
            expected=expected,
            progress=progress,
            procs=self.rebuild_procs,
            start=lambda: cursor.sequence(db.engine),
            on_swap=lambda position: cursor.record(db.engine, self.host_id, position),
        )
        self.drain()

    def check(self) -> dict[str, list[int]]:
        """Compare the index with the database: ids missing from, stale in, or extra in the index."""
        self.drain()
        return sync.drift(self.snapshot())

    def hosts(self) -> list[cursor.HostState]:
        """Every host that keeps an index of this database, with how far it has applied the queue."""
        cursor.sequence(db.engine)
        with db.engine.connect() as connection:
            return cursor.hosts(connection)


class Follower:
    """One thread per process that keeps this host's index following the queue, outside any request.

    Every ``interval`` seconds (or at once when woken): apply what other processes and hosts queued
    (skipped when another process of this host is already at it), rebuild the index when it is
    missing or left behind, and open its newest generation so that the next search finds it ready.
    Restarted after a fork (a gunicorn worker forked from a preloading master).
    """

    def __init__(self, app: Flask, service: SearchService, interval: float):
        self.app = app
        self.service = service
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._stopping.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="search-follower", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            with self.app.app_context():
                try:
                    self.step()
                except Exception:  # logged; the next tick tries again
                    log.exception("The search follower could not bring the index up to date")
                finally:
                    db.session.remove()

    def step(self) -> None:
        """One look at the queue and the index (what each tick does)."""
        self.service.catch_up(rebuild=True, wait=False)
        self.service.reader.latest()
