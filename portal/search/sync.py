"""Keeping the index in step with the database, with no call from the services that change items.

1. In the transaction: a flush that inserts, updates or deletes an ``Item`` or one of its child
   rows (programmes, countries, themes, SDGs, portfolio entries; ``portal.search.tracked``) writes the item id to
   ``search_queue`` through the same connection. A rollback therefore leaves nothing to index.
2. After commit: this host's index applies the queue (``drain``) from its cursor on, in the order
   of the entries' positions (``portal.search.cursor``): the item rows are read after the entries,
   so the index gets the latest committed state even when several workers race, and the cursor moves
   only after the index committed, so a worker dying in between loses nothing. The queue is shared
   by every host; each host applies every entry to its own index.
   A GET never writes to the index: a change committed during a GET, or left by a worker that died,
   is applied by the process's follower thread (``SearchService.follower``), the next write, or
   ``search drain``. When the index is missing, unreadable or left behind, a drain outside any
   request rebuilds it (``catch_up``).

``drift`` compares the index with the database, for ``search check``.

Bulk statements (``session.execute(insert(Item), rows)``) bypass the ORM and its events: call
``enqueue(ids)`` after them, or rebuild the index (``seed-demo`` does).
"""

import json
import logging
from collections.abc import Iterable
from datetime import timedelta

import numpy as np
from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import insert
from sqlalchemy.orm import Session
from whoosh.writing import IndexWriter

from portal.extensions import db
from portal.models import SearchQueueEntry, utcnow
from portal.search import cards, cursor, documents, tracked
from portal.search.results import SearchUnavailable
from portal.search.snapshot import Snapshot
from portal.search.store import Store

log = logging.getLogger(__name__)

QUEUE = SearchQueueEntry.__table__
PENDING = "search_pending"
CHANGED = "search_changed"
BATCH = 2000

def install() -> None:
    """Bring search up to date from every session of ``db`` (once per process)."""
    tracked.listen_to_sessions(before_flush=_before_flush, after_flush=_after_flush, after_commit=_after_commit,
                               after_rollback=_after_rollback)


def _queued() -> bool:
    """True when the app's search backend is fed by this queue (Whoosh)."""
    return getattr(current_app.extensions.get("search"), "name", None) == "whoosh"


def _before_flush(session: Session, _context, _instances) -> None:
    if _queued():
        session.info.setdefault(PENDING, []).extend(tracked.changed_objects(session))


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    ids = tracked.item_ids(pending, session.connection())
    if ids:
        now = utcnow()
        session.connection().execute(insert(QUEUE), [{"item_id": i, "enqueued_at": now} for i in sorted(ids)])
        session.info[CHANGED] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(CHANGED, False) or not has_app_context():
        return
    service = current_app.extensions.get("search")
    if service is None:
        return
    if has_request_context() and request.method in ("GET", "HEAD"):
        service.nudge()  # a GET only ever reads the index: the follower thread applies the change
        return
    try:
        service.catch_up(rebuild=not has_request_context())
    except Exception:  # the commit stands; the queue keeps the ids for the next drain
        log.exception("Could not bring the search index up to date; the queue keeps the changes")


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the transaction goes on
        return
    session.info.pop(PENDING, None)
    session.info.pop(CHANGED, None)


def enqueue(ids: Iterable[int], session: Session | None = None) -> None:
    """Queue ``ids`` for reindexing in the current transaction (for changes made by bulk statements)."""
    session = session or db.session
    rows = [{"item_id": i, "enqueued_at": utcnow()} for i in sorted(set(ids))]
    if rows:
        session.execute(insert(QUEUE), rows)
        session.info[CHANGED] = True


class Behind(SearchUnavailable):
    """This host's index misses changes the queue no longer holds (retention passed): rebuild it."""


def pending(store: Store, host_id: str) -> tuple[bool, bool]:
    """(whether the queue holds changes this host's index has not applied, whether some of them
    still wait for a position): two cheap reads, what a host checks every second."""
    with db.engine.connect() as connection:
        highest, waiting = cursor.latest(connection)
        return waiting or highest > _applied(store, store.current_name(), host_id, connection), waiting


def _applied(store: Store, name: str | None, host_id: str, connection) -> int:
    """How far the index in folder ``name`` has applied the queue: recorded in the folder; for a folder
    from before positions existed, the host's cursor, else everything already pruned."""
    position = store.applied(name)
    if position is None:
        position = cursor.applied(connection, host_id)
    if position is None:
        position = cursor.pruned_through(connection)
    return position


def drain(store: Store, host_id: str, retention: timedelta, *, wait: bool = True) -> int:
    """Apply the queued changes this host has not applied to its index; returns how many were applied.

    One drainer per host at a time (``wait=False``: none when another one is at it). The host's cursor
    in the database moves only while no rebuild runs and the folder written is still current: a rebuild
    records the position its new index starts from, and what is applied to the old folder meanwhile is
    applied again to the new one. ``SearchUnavailable`` when there is no index (the queue keeps
    everything); ``Behind`` when changes it missed were pruned.
    """
    behind, waiting = pending(store, host_id)
    if not behind:
        return 0
    if waiting:
        cursor.sequence(db.engine)
    with store.draining(wait=wait) as mine:
        if not mine:
            return 0
        name = store.current_name()
        ix = store.open(name)
        with db.engine.connect() as connection:
            position = _applied(store, name, host_id, connection)
            if position < cursor.pruned_through(connection):
                raise Behind(f"The search index of {host_id} misses changes no longer queued.")
            recorded = cursor.applied(connection, host_id)
        handled = 0
        while True:
            with db.engine.connect() as connection:
                entries = cursor.entries_after(connection, position, BATCH)
                if not entries:
                    break
                with store.writer(ix) as writer:
                    _apply(writer, {item_id for _, item_id in entries}, connection)
            position = entries[-1][0]
            store.set_applied(name, position)
            handled += len(entries)
            if len(entries) < BATCH:
                break
        if (recorded is None or recorded < position) and store.current_name() == name and not store.rebuilding():
            cursor.advance(db.engine, host_id, position, retention)
        return handled


def _apply(writer: IndexWriter, ids: set[int], connection) -> None:
    """Write the current database state of ``ids`` (each id once per writer: SEARCH-NOTES.md)."""
    docs = documents.documents(ids, connection)
    for item_id in sorted(ids):
        if item_id in docs:
            writer.update_document(**docs[item_id])
        else:
            writer.delete_by_term("id", str(item_id))


def drift(snap: Snapshot) -> dict[str, list[int]]:
    """Ids missing from, stale in, or extra in the index, compared with the database; duplicates."""
    columns = snap.columns
    live = np.flatnonzero(columns.alive).tolist()
    indexed: dict[int, str] = {}
    for docnum in live:
        stored = snap.searcher.stored_fields(docnum)
        indexed[int(stored["id"])] = stored["card"]
    database = cards.all_ids()
    stale = []
    common = sorted(database & indexed.keys())
    for start in range(0, len(common), 2000):
        for item_id, doc in documents.documents(common[start : start + 2000]).items():
            if json.loads(doc["card"]) != json.loads(indexed[item_id]):
                stale.append(item_id)
    duplicates = len(live) - len(indexed)
    return {
        "missing": sorted(database - indexed.keys()),
        "stale": stale,
        "extra": sorted(indexed.keys() - database),
        "duplicates": [duplicates] if duplicates else [],
    }
