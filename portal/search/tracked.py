"""Which items a flush changes: what every search backend must bring up to date, read from the
session's events (``portal.search.sync`` for Whoosh, ``portal.search.postgresql.rows``).

Collect the objects in ``before_flush`` (afterwards the session no longer lists them) and turn them
into item ids in ``after_flush`` (new items have their ids by then). An organisation's new name is
on every card of its items, so renaming it changes them all.
"""

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Item, ItemCountry, ItemProgramme, ItemTheme, Organisation, PortfolioEntry

TRACKED = (Item, ItemProgramme, ItemCountry, ItemTheme, PortfolioEntry)


def listen_to_sessions(**listeners: Callable) -> None:
    """Listen to every session of ``db`` (event name → function), once per process: the listeners find
    the app at run time, so a second app in the same process adds nothing."""
    for name, listener in listeners.items():
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def changed_objects(session: Session) -> list:
    """The objects this flush will write that search holds something of (call it before the flush)."""
    found = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, TRACKED)]
    found += [obj for obj in session.dirty if isinstance(obj, Organisation) and _renamed(obj)]
    return found


def _renamed(organisation: Organisation) -> bool:
    return inspect(organisation).attrs.name.history.has_changes()


def _item_id(obj) -> int | None:
    if isinstance(obj, Item):
        return obj.id
    if obj.item_id is not None:
        return obj.item_id
    item = getattr(obj, "item", None)
    return item.id if item is not None else None


def item_ids(objects: Iterable, connection: Connection) -> set[int]:
    """The ids of the items ``objects`` belong to (call it after the flush)."""
    objects = list(objects)
    ids = {_item_id(obj) for obj in objects if not isinstance(obj, Organisation)} - {None}
    renamed = {obj.id for obj in objects if isinstance(obj, Organisation)}
    if renamed:
        ids.update(connection.scalars(select(Item.id).where(Item.organisation_id.in_(renamed))))
    return ids
