"""The SQL building blocks of every report: contribution events, a programme's items, its partners.

Speed: every heavy query is one pass over the contribution events of the programme's items, driven by
the programme (``item_id IN (the programme's items)``) through the index of migration 7c4e2a9d1b3f
(audit_events: item_id, action, created_at). The dashboard makes two such passes: one per organisation
and year (partners, trend, champions), one per item (breakdowns). benchmarks/reporting.py measures them.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, func, select, true

from portal.catalogue.organisations import partner_on
from portal.catalogue.reporting.period import Period
from portal.extensions import db
from portal.models import AuditEvent, Item, ItemProgramme, Partnership

REPORTING_ACTIONS = ("item.submitted", "item.edited", "item.confirmed")
ACTION_WORDS = {
    "item.submitted": _l("submitted"), "item.edited": _l("updated"), "item.confirmed": _l("confirmed as still active")
}
NOT_COUNTED_STATES = ("draft", "rejected")


def programme_items(programme_id: int) -> Select:
    """The programme's item ids, for ``IN``: the query then walks them (use it where they lead the way)."""
    return select(ItemProgramme.item_id).where(ItemProgramme.programme_id == programme_id)


def of_programme(programme_id: int | None) -> ColumnElement[bool]:
    """The item is one of the programme's (any item for the network, ``programme_id`` None)."""
    return Item.id.in_(programme_items(programme_id)) if programme_id is not None else true()


def in_programme(programme_id: int) -> ColumnElement[bool]:
    """The item belongs to the programme, checked per item (use it where other conditions lead the way)."""
    return (
        select(ItemProgramme.item_id)
        .where(ItemProgramme.item_id == Item.id, ItemProgramme.programme_id == programme_id)
        .exists()
    )


def contributions(programme_id: int | None, start: datetime | None, end: datetime) -> Select:
    """Contribution events: (item_id, organisation_id, action, created_at) in [start, end)."""
    query = (
        select(
            AuditEvent.item_id.label("item_id"),
            Item.organisation_id.label("organisation_id"),
            AuditEvent.action.label("action"),
            AuditEvent.created_at.label("created_at"),
        )
        .join(Item, Item.id == AuditEvent.item_id)
        .where(
            AuditEvent.action.in_(REPORTING_ACTIONS),
            AuditEvent.created_at < end,
            Item.state.not_in(NOT_COUNTED_STATES),
        )
    )
    if start is not None:
        query = query.where(AuditEvent.created_at >= start)
    if programme_id is not None:
        query = query.where(AuditEvent.item_id.in_(programme_items(programme_id)))
    return query


def partners_query(programme_id: int | None, last_day: date | None = None) -> Select:
    """Partner organisations on ``last_day`` (None: at any time): (organisation_id, joined_on of the earliest
    partnership)."""
    query = select(
        Partnership.organisation_id.label("organisation_id"), func.min(Partnership.joined_on).label("joined_on")
    )
    if last_day is not None:
        query = query.where(partner_on(last_day))
    if programme_id is not None:
        query = query.where(Partnership.programme_id == programme_id)
    return query.group_by(Partnership.organisation_id)


def year_of(moment: ColumnElement[datetime], periods: list[Period]) -> ColumnElement[int]:
    """The year of ``periods`` (oldest first) that ``moment`` falls in: the latest that started before it
    (callers keep ``moment`` within the periods)."""
    return case(*((moment >= period.start, period.year) for period in reversed(periods)))


def as_datetime(value) -> datetime | None:
    """MAX() over a datetime column comes back as a string on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def grouped(query: Select) -> dict:
    return dict(db.session.execute(query).all())
