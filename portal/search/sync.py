"""Keeping the index in step with the database, with no call from the services that change items.

1. In the transaction: a flush that inserts, updates or deletes an ``Item`` or one of its child
   rows (programmes, countries, themes, SDGs, portfolio entries) writes the item id to
   ``search_queue`` through the same connection. A rollback therefore leaves nothing to index.
2. After commit: the queue is drained into the index. Under the index lock the queue and the item
   rows are read again from the database, so the index gets the latest committed state even when
   several workers race; queue rows are deleted only after the index committed, so a worker dying
   in between loses nothing (the next drain, by any process, picks the ids up again).

Bulk statements (``session.execute(insert(Item), rows)``) bypass the ORM and its events: call
``enqueue(ids)`` after them, or rebuild the index (``seed-demo`` does).
"""

import logging
from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Item, ItemCountry, ItemProgramme, ItemTheme, PortfolioEntry, SearchQueueEntry, utcnow

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
        service.drain()
    except Exception:  # the commit stands; the queue keeps the ids for the next drain
        log.exception("Could not bring the search index up to date; the queue keeps the changes")


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
