"""The visibility rule (DESIGN.md), in one place.

An item is public when its state is ``published``, the desk has not hidden it, and it was updated
within the inactivity window (``INACTIVE_AFTER_DAYS``). The window is evaluated when asked, never
stored, so an item ages out of public view without anyone touching it. The cutoff moves once a day
(at midnight UTC), which lets search cache what depends on it for a whole day.
"""

from dataclasses import dataclass
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
    return inactive_after_update(item.updated_at)


def inactive_after_update(updated_at: datetime) -> datetime:
    """The first day on which an item last updated at ``updated_at`` counts as inactive."""
    days = current_app.config["INACTIVE_AFTER_DAYS"]
    return datetime.combine(updated_at.date() + timedelta(days=days + 1), time.min)


def has_aged_out(item: Item, now: datetime | None = None) -> bool:
    """A published item out of public view for inactivity (its organisation can bring it back)."""
    return item.state == PUBLIC_STATE and is_inactive(item, now)


def _warning_horizon(now: datetime) -> datetime:
    return now + timedelta(days=current_app.config["INACTIVE_WARNING_DAYS"])


def becomes_inactive_soon(item: Item, now: datetime | None = None) -> bool:
    """True when published ``item`` is still active but will age out within INACTIVE_WARNING_DAYS."""
    now = now or utcnow()
    return item.state == PUBLIC_STATE and not is_inactive(item, now) and inactive_from(item) <= _warning_horizon(now)


def becomes_inactive_soon_clause(now: datetime | None = None, item=Item) -> ColumnElement[bool]:
    """``becomes_inactive_soon`` as a SQL condition: published, active now, inactive within the warning days."""
    now = now or utcnow()
    return and_(
        item.state == PUBLIC_STATE,
        item.updated_at >= inactive_cutoff(now),
        item.updated_at < inactive_cutoff(_warning_horizon(now)),
    )


@dataclass(frozen=True)
class PublicRule:
    """The rule as it stands on one day: public means in ``state``, not hidden, and updated at or after
    ``updated_since``. Every evaluation of the rule starts from one of these: Python objects here, SQL
    here, and the search index's bit set (``portal.search.columns``), which is cached per rule."""

    state: str
    updated_since: datetime

    def holds(self, state: str, hidden: bool, updated_at: datetime) -> bool:
        return state == self.state and not hidden and updated_at >= self.updated_since

    def clause(self, item=Item) -> ColumnElement[bool]:
        return and_(item.state == self.state, item.hidden.is_(False), item.updated_at >= self.updated_since)


def public_rule(now: datetime | None = None) -> PublicRule:
    """Today's rule (the window moves at midnight UTC)."""
    return PublicRule(PUBLIC_STATE, inactive_cutoff(now))


def is_public(item: Item, now: datetime | None = None) -> bool:
    return public_rule(now).holds(item.state, item.hidden, item.updated_at)


def public_clause(now: datetime | None = None, item=Item) -> ColumnElement[bool]:
    """The rule as a SQL condition on ``Item`` (or on an alias of it), for queries and aggregates."""
    return public_rule(now).clause(item)


def aged_out_clause(now: datetime | None = None, item=Item) -> ColumnElement[bool]:
    """SQL: published and not hidden, but out of public view for inactivity alone."""
    rule = public_rule(now)
    return and_(item.state == rule.state, item.hidden.is_(False), item.updated_at < rule.updated_since)


def inactive_from_at_least(moment: datetime, item=Item) -> ColumnElement[bool]:
    """SQL: ``inactive_from(item) >= moment`` (the item ages out at ``moment`` or later)."""
    days = current_app.config["INACTIVE_AFTER_DAYS"]
    first_day = moment.date() if moment.time() == time.min else moment.date() + timedelta(days=1)
    return item.updated_at >= datetime.combine(first_day - timedelta(days=days + 1), time.min)
