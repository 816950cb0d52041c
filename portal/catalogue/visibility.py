"""The visibility rule (DESIGN.md), in one place.

An item is public when its state is ``published``, the desk has not hidden it, and it was updated
within the inactivity window (``INACTIVE_AFTER_DAYS``). The window is evaluated when asked, never
stored, so an item ages out of public view without anyone touching it. The cutoff moves once a day
(at midnight UTC), which lets search cache what depends on it for a whole day.
"""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_

from portal.models import Item, utcnow

PUBLIC_STATE = "published"


def inactive_cutoff(now: datetime | None = None) -> datetime:
    """Items last updated before this moment are inactive."""
    today = (now or utcnow()).date()
    days = current_app.config["INACTIVE_AFTER_DAYS"]
    return datetime.combine(today - timedelta(days=days), time.min)


def is_inactive(item: Item, now: datetime | None = None) -> bool:
    return item.updated_at < inactive_cutoff(now)


def inactive_from(item: Item) -> datetime:
    """The first day on which ``item`` counts as inactive unless it is updated before."""
    days = current_app.config["INACTIVE_AFTER_DAYS"]
    return datetime.combine(item.updated_at.date() + timedelta(days=days + 1), time.min)


def has_aged_out(item: Item, now: datetime | None = None) -> bool:
    """A published item out of public view for inactivity (its organisation can bring it back)."""
    return item.state == PUBLIC_STATE and is_inactive(item, now)


def becomes_inactive_soon(item: Item, now: datetime | None = None) -> bool:
    """True when published ``item`` is still active but will age out within INACTIVE_WARNING_DAYS."""
    now = now or utcnow()
    warning = timedelta(days=current_app.config["INACTIVE_WARNING_DAYS"])
    return item.state == PUBLIC_STATE and not is_inactive(item, now) and inactive_from(item) - now <= warning


def is_public(item: Item, now: datetime | None = None) -> bool:
    return item.state == PUBLIC_STATE and not item.hidden and not is_inactive(item, now)


def public_clause(now: datetime | None = None, item=Item) -> ColumnElement[bool]:
    """The rule as a SQL condition on ``Item`` (or on an alias of it), for queries and aggregates."""
    return and_(item.state == PUBLIC_STATE, item.hidden.is_(False), item.updated_at >= inactive_cutoff(now))


def aged_out_clause(now: datetime | None = None, item=Item) -> ColumnElement[bool]:
    """SQL: published and not hidden, but out of public view for inactivity alone."""
    return and_(item.state == PUBLIC_STATE, item.hidden.is_(False), item.updated_at < inactive_cutoff(now))


def inactive_from_at_least(moment: datetime, item=Item) -> ColumnElement[bool]:
    """SQL: ``inactive_from(item) >= moment`` (the item ages out at ``moment`` or later)."""
    days = current_app.config["INACTIVE_AFTER_DAYS"]
    first_day = moment.date() if moment.time() == time.min else moment.date() + timedelta(days=1)
    return item.updated_at >= datetime.combine(first_day - timedelta(days=days + 1), time.min)
