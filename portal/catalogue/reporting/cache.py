"""Reports kept per process until the data they count changes."""

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import current_language
from portal.models import AuditEvent, Item, Partnership, Reminder

CACHE_SIZE = 32
T = TypeVar("T")


def data_version() -> tuple:
    """A value that changes whenever a number on a dashboard may change.

    Every contribution, decision, portfolio change, hiding and deletion is an audit event; items are
    created and updated with their own id and timestamp; partnerships and reminders are counted. Each
    part is an index lookup, so asking costs a millisecond.
    """
    parts = (
        select(func.max(AuditEvent.id)),
        select(func.max(Item.id)),
        select(func.max(Item.updated_at)),
        select(func.count()).select_from(Partnership),
        select(func.max(Reminder.id)),
    )
    return tuple(db.session.execute(select(*(part.scalar_subquery() for part in parts))).one())


def cached(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept per process under ``key`` until the data changes (``data_version``).

    Put the day in ``key`` when the result depends on it (the inactivity cutoff and the "last 12
    months" window move at midnight). The newest ``CACHE_SIZE`` results of each ``name`` are kept.
    """
    cache: OrderedDict = current_app.extensions.setdefault(f"portal.reporting.{name}", OrderedDict())
    key = (*key, current_language(), data_version())  # labels read in the interface language
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    result = cache[key] = compute()
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return result
