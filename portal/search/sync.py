"""Keeping the index in step with the database, with no call from the services that change items.

1. In the transaction: a flush that inserts, updates or deletes an ``Item`` or one of its child
   rows (programmes, countries, themes, SDGs, portfolio entries) writes the item id to
   ``search_queue`` through the same connection. A rollback therefore leaves nothing to index.
2. After commit: the queue is drained into the index (``drain``). Under the index lock the queue and
   the item rows are read again from the database, so the index gets the latest committed state even
   when several workers race; queue rows are deleted only after the index committed, so a worker
   dying in between loses nothing (the next drain, by any process, picks the ids up again).
   A visitor's GET never drains what others left: the next write, ``search drain`` or a rebuild does.
   When the index is missing or unreadable, the drain after a write rebuilds it (``catch_up``),
   except inside a GET or HEAD request, which only ever reads the index.

``drift`` compares the index with the database, for ``search check``.

Bulk statements (``session.execute(insert(Item), rows)``) bypass the ORM and its events: call
``enqueue(ids)`` after them, or rebuild the index (``seed-demo`` does).
"""

import json
import logging
from collections.abc import Iterable

import numpy as np
from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session
from whoosh.writing import IndexWriter

from portal.extensions import db
from portal.models import Item, ItemCountry, ItemProgramme, ItemTheme, PortfolioEntry, SearchQueueEntry, utcnow
from portal.search import documents
from portal.search.snapshot import Snapshot
from portal.search.store import Store

log = logging.getLogger(__name__)

TRACKED = (Item, ItemProgramme, ItemCountry, ItemTheme, PortfolioEntry)
QUEUE = SearchQueueEntry.__table__
PENDING = "search_pending"
CHANGED = "search_changed"
BATCH = 2000

_installed = False


def install() -> None:
    """Listen to every session of ``db`` (once per process; the listeners find the app at run time)."""
    global _installed
    if _installed:
        return
    event.listen(db.session, "before_flush", _before_flush)
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)
    _installed = True


def _before_flush(session: Session, _context, _instances) -> None:
    pending = session.info.setdefault(PENDING, [])
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TRACKED):
            pending.append(obj)


def _item_id(obj) -> int | None:
    if isinstance(obj, Item):
        return obj.id
    if obj.item_id is not None:
        return obj.item_id
    item = getattr(obj, "item", None)
    return item.id if item is not None else None


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    ids = {item_id for item_id in map(_item_id, pending) if item_id is not None}
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
    try:
        service.catch_up(rebuild=not _in_a_read_request())
    except Exception:  # the commit stands; the queue keeps the ids for the next drain
        log.exception("Could not bring the search index up to date; the queue keeps the changes")


def _in_a_read_request() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD")


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(CHANGED, None)


def enqueue(ids: Iterable[int], session: Session | None = None) -> None:
    """Queue ``ids`` for reindexing in the current transaction (for changes made by bulk statements)."""
    session = session or db.session
    rows = [{"item_id": i, "enqueued_at": utcnow()} for i in sorted(set(ids))]
    if rows:
        session.execute(insert(QUEUE), rows)
        session.info[CHANGED] = True


def read_queue(connection, limit: int = BATCH) -> list[tuple[int, int]]:
    """(entry id, item id) of the oldest queued changes."""
    statement = select(QUEUE.c.id, QUEUE.c.item_id).order_by(QUEUE.c.id).limit(limit)
    return [(entry_id, item_id) for entry_id, item_id in connection.execute(statement)]


def remove_entries(connection, entry_ids: list[int]) -> None:
    for start in range(0, len(entry_ids), 500):
        connection.execute(delete(QUEUE).where(QUEUE.c.id.in_(entry_ids[start : start + 500])))


class _Nothing(Exception):
    """Leave the writer without committing."""


def drain(store: Store) -> int:
    """Index the queued changes into the store's current index; returns how many entries were handled.

    ``SearchUnavailable`` when there is no index to write to: the queue keeps every entry.
    """
    with db.engine.connect() as connection:
        if not read_queue(connection, 1):
            return 0
    name = store.current_name()
    ix = store.open(name)
    handled = 0
    while True:
        entries: list[tuple[int, int]] = []
        try:
            # Read after taking the lock: the connection then sees every commit made before it.
            with store.writer(ix) as writer, db.engine.connect() as connection:
                entries = read_queue(connection)
                if not entries:
                    raise _Nothing
                _apply(writer, {item_id for _, item_id in entries}, connection)
        except _Nothing:
            return handled
        handled += len(entries)
        # Keep the queue while a rebuild runs or when the index written is no longer current.
        if store.current_name() != name or store.rebuilding():
            return handled
        with db.engine.begin() as connection:
            remove_entries(connection, [entry for entry, _ in entries])
        if len(entries) < BATCH:
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
    database = documents.all_ids()
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
