"""A partner's own reporting status: per programme, whether it reported this year and what counted."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from portal.catalogue.reporting.period import Period, current_year, reporting_period
from portal.catalogue.reporting.sql import ACTION_WORDS, NOT_COUNTED_STATES, REPORTING_ACTIONS, as_datetime
from portal.extensions import db
from portal.models import AuditEvent, Item, ItemProgramme, Organisation, Programme


@dataclass(frozen=True)
class CountedItem:
    id: int
    title: str
    state: str
    actions: tuple[str, ...]  # words: "submitted", "updated", ...
    last_at: datetime

    @property
    def counted(self) -> bool:
        return self.state not in NOT_COUNTED_STATES


@dataclass(frozen=True)
class ProgrammeStatus:
    programme: Programme
    joined_on: date
    counted: list[CountedItem]
    not_counted: list[CountedItem]  # drafts and rejected items touched in the year

    @property
    def reported(self) -> bool:
        return bool(self.counted)


@dataclass(frozen=True)
class PartnerStatus:
    period: Period
    programmes: list[ProgrammeStatus]


def partner_status(organisation: Organisation, now: datetime | None = None) -> PartnerStatus:
    """Whether ``organisation`` has reported this year for each of its programmes, and what counted."""
    period = reporting_period(current_year(now))
    programme_ids = [partnership.programme_id for partnership in organisation.current_partnerships]
    rows = db.session.execute(
        select(
            ItemProgramme.programme_id,
            Item.id,
            Item.title,
            Item.state,
            AuditEvent.action,
            func.max(AuditEvent.created_at),
        )
        .select_from(AuditEvent)
        .join(Item, Item.id == AuditEvent.item_id)
        .join(ItemProgramme, ItemProgramme.item_id == Item.id)
        .where(
            # The organisation's items first, then their events (the item index): started from the
            # year's events, SQLite read every partner's (0.25 s at 100 000 items for 36 items).
            AuditEvent.item_id.in_(select(Item.id).where(Item.organisation_id == organisation.id)),
            Item.organisation_id == organisation.id,
            ItemProgramme.programme_id.in_(programme_ids),
            AuditEvent.action.in_(REPORTING_ACTIONS),
            AuditEvent.created_at >= period.start,
            AuditEvent.created_at < period.end,
        )
        .group_by(ItemProgramme.programme_id, Item.id, Item.title, Item.state, AuditEvent.action)
    ).all()
    touched: dict[int, dict[int, dict]] = {}
    for programme_id, item_id, title, state, action, at in rows:
        at = as_datetime(at)
        entry = touched.setdefault(programme_id, {}).setdefault(
            item_id, {"title": title, "state": state, "actions": set(), "last_at": at}
        )
        entry["actions"].add(action)
        entry["last_at"] = max(entry["last_at"], at)
    statuses = []
    for partnership in sorted(organisation.current_partnerships, key=lambda p: p.programme.position):
        items = sorted(
            (
                CountedItem(
                    item_id,
                    entry["title"],
                    entry["state"],
                    tuple(ACTION_WORDS[action] for action in REPORTING_ACTIONS if action in entry["actions"]),
                    entry["last_at"],
                )
                for item_id, entry in touched.get(partnership.programme_id, {}).items()
            ),
            key=lambda item: item.last_at,
            reverse=True,
        )
        statuses.append(
            ProgrammeStatus(
                partnership.programme,
                partnership.joined_on,
                [item for item in items if item.counted],
                [item for item in items if not item.counted],
            )
        )
    return PartnerStatus(period, statuses)
