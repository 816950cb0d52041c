"""Partners and what they contributed: the partner table, the summary, the trend, the champions, and the
network view's line per programme."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import and_, case, distinct, func, select

from portal.catalogue.organisations import partner_on
from portal.catalogue.reporting.codec import REPEATED
from portal.catalogue.reporting.period import ReportScope, years_up_to
from portal.catalogue.reporting.sql import (
    NOT_COUNTED_STATES,
    REPORTING_ACTIONS,
    as_datetime,
    contributions,
    grouped,
    in_programme,
    partners_query,
    year_of,
)
from portal.extensions import db
from portal.i18n import format_number
from portal.models import AuditEvent, Item, ItemProgramme, Organisation, Partnership, Programme, Reminder
from portal.models.programme import display_name

TREND_YEARS = 5
ACTIVE_DAYS = 365
CHAMPIONS = 10
EXAMPLES_PER_CHAMPION = 3


@dataclass(frozen=True)
class ReportingRate:
    """Partners that reported, out of the partners, against the network's target rate."""

    partners: int
    reported: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.reported / self.partners if self.partners else None

    @property
    def to_target(self) -> int:
        """How many more partners must report to reach the target."""
        return max(0, math.ceil(round(self.target * self.partners, 9)) - self.reported)

    @property
    def target_met(self) -> bool:
        return self.partners > 0 and self.to_target == 0


@dataclass(frozen=True, slots=True)  # 10 000 of them for the network, in every worker: slots take less memory
class PartnerRow:
    organisation_id: int
    name: str
    country: str | None = field(metadata=REPEATED)
    type: str = field(metadata=REPEATED)
    joined_on: date
    items: int  # distinct items contributed in the year
    submitted: int  # submissions, updates and confirmations in the year (events)
    updated: int
    confirmed: int
    last_in_year: datetime | None
    last_recent: datetime | None  # last contribution in the twelve months up to ReportScope.active_until
    never_contributed: bool  # no item of the programme past the draft stage (rejected ones aside), today
    last_reminder: datetime | None
    active: bool
    next_reminder_from: datetime | None  # None: may be reminded now

    @property
    def reported(self) -> bool:
        return self.items > 0


@dataclass(frozen=True)
class Summary(ReportingRate):
    active: int = 0


@dataclass(frozen=True)
class TrendPoint(ReportingRate):
    year: int = 0
    label: str = ""


@dataclass(frozen=True)
class ItemRef:
    id: int
    title: str


@dataclass(frozen=True)
class Champion:
    organisation_id: int
    name: str
    items: int
    submitted: int
    updated: int
    confirmed: int
    examples: tuple[ItemRef, ...] = ()

    @property
    def what(self) -> str:
        """What they did, in words: "3 submissions, 1 update"."""
        parts = (
            ngettext("%(count)s submission", "%(count)s submissions", self.submitted,
                     count=format_number(self.submitted)),
            ngettext("%(count)s update", "%(count)s updates", self.updated, count=format_number(self.updated)),
            ngettext("%(count)s confirmation", "%(count)s confirmations", self.confirmed,
                     count=format_number(self.confirmed)),
        )
        return gettext(", ").join(part for number, part in zip(
            (self.submitted, self.updated, self.confirmed), parts, strict=True) if number)


@dataclass(frozen=True)
class ProgrammeLine(ReportingRate):
    """One programme in the network-wide view."""

    slug: str = ""
    stored_name: str = ""

    @property
    def name(self) -> str:
        return display_name(self.slug, self.stored_name)


@dataclass(frozen=True, slots=True)  # 50 000 of them for the network: a third of the memory with slots
class Activity:
    """What one partner contributed in one year: distinct items; submissions, updates and confirmations
    (events: an item updated twice counts two updates); when last."""

    items: int
    submitted: int
    updated: int
    confirmed: int
    last: datetime | None
    last_recent: datetime | None  # the last one at or after "active from", if any


def active_window_start(scope: ReportScope) -> datetime:
    return scope.active_until - timedelta(days=ACTIVE_DAYS)


def partner_activity(scope: ReportScope, years: int = TREND_YEARS) -> dict[int, dict[int, Activity]]:
    """Organisation id → year → Activity, for the partners, in the scope's year and the ``years - 1`` before.

    One pass over the contribution events, aggregated in SQL per (organisation, year); the partner
    table and the trend are both built from it. Two years cover the "active" window of twelve months.
    Every organisation that was ever a partner is counted: one whose partnership ended this year still
    counts in the trend's earlier years.
    """
    periods = years_up_to(scope, max(years, 2))
    active_from = active_window_start(scope)
    partners = partners_query(scope.programme_id).subquery()
    events = contributions(scope.programme_id, periods[0].start, periods[-1].end).subquery()
    year = year_of(events.c.created_at, periods)
    rows = db.session.execute(
        select(
            events.c.organisation_id,
            year,
            func.count(distinct(events.c.item_id)),
            *(
                func.sum(case((events.c.action == action, 1), else_=0))
                for action in ("item.submitted", "item.edited", "item.confirmed")
            ),
            func.max(events.c.created_at),
            func.max(case((events.c.created_at >= active_from, events.c.created_at))),
        )
        .where(events.c.organisation_id.in_(select(partners.c.organisation_id)))
        .group_by(events.c.organisation_id, year)
    )
    activity: dict[int, dict[int, Activity]] = {}
    for organisation_id, year, items, submitted, updated, confirmed, last, last_recent in rows:
        activity.setdefault(organisation_id, {})[year] = Activity(
            items, submitted, updated, confirmed, as_datetime(last), as_datetime(last_recent)
        )
    return activity


def _never_contributed(programme_id: int | None, organisation_ids: list[int]) -> set[int]:
    """Those of ``organisation_ids`` none of whose items (of the programme) got past the draft stage and
    stayed unrejected."""
    if not organisation_ids:
        return set()
    holders = select(Item.organisation_id).where(
        Item.organisation_id.in_(organisation_ids), Item.state.not_in(NOT_COUNTED_STATES)
    )
    if programme_id is not None:
        holders = holders.where(in_programme(programme_id))
    return set(organisation_ids) - set(db.session.scalars(holders.distinct()))


def partner_rows(scope: ReportScope, activity: dict[int, dict[int, Activity]] | None = None) -> list[PartnerRow]:
    """The main table: every partner with what it contributed in the year, sorted by name."""
    activity = partner_activity(scope, years=2) if activity is None else activity
    programme_id = scope.programme_id
    partners = partners_query(programme_id, scope.period.last_day).subquery()
    reminders = select(Reminder.organisation_id, func.max(Reminder.created_at).label("last_reminder"))
    if programme_id is not None:
        reminders = reminders.where(Reminder.programme_id == programme_id)
    reminders = reminders.group_by(Reminder.organisation_id).subquery()
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.country,
            Organisation.type,
            partners.c.joined_on,
            reminders.c.last_reminder,
        )
        .join(partners, partners.c.organisation_id == Organisation.id)
        .outerjoin(reminders, reminders.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    ).all()
    # A partner with any contribution in five years has an item past the draft stage: ask only about the rest.
    never = _never_contributed(programme_id, [row[0] for row in rows if row[0] not in activity])
    interval = timedelta(days=current_app.config["REMINDER_INTERVAL_DAYS"])
    none = Activity(0, 0, 0, 0, None, None)
    result = []
    for organisation_id, name, country, type_, joined_on, last_reminder in rows:
        years = activity.get(organisation_id, {})
        year = years.get(scope.period.year, none)
        recent = [found.last_recent for found in years.values() if found.last_recent is not None]
        last_reminder = as_datetime(last_reminder)
        next_reminder = last_reminder + interval if last_reminder is not None else None
        result.append(
            PartnerRow(
                organisation_id,
                name,
                country,
                type_,
                joined_on,
                year.items,
                year.submitted,
                year.updated,
                year.confirmed,
                last_in_year=year.last,
                last_recent=max(recent) if recent else None,
                never_contributed=organisation_id in never,
                last_reminder=last_reminder,
                active=bool(recent),
                next_reminder_from=next_reminder if next_reminder and next_reminder > scope.now else None,
            )
        )
    return result


def summary(partners: list[PartnerRow]) -> Summary:
    return Summary(
        partners=len(partners),
        reported=sum(1 for row in partners if row.reported),
        active=sum(1 for row in partners if row.active),
        target=current_app.config["REPORTING_TARGET_RATE"],
    )


def trend(scope: ReportScope, activity: dict[int, dict[int, Activity]] | None = None) -> list[TrendPoint]:
    """Partners, reported partners and the rate for the scope's year and the four before.

    A partner of an earlier year is one in partnership on that year's last day (joined by then and not
    ended: ``partners_query``). The database lists each year's partners: loading the network's 17 000
    partnerships to test them in Python took 0.9 s.
    """
    activity = partner_activity(scope) if activity is None else activity
    target = current_app.config["REPORTING_TARGET_RATE"]
    points = []
    for period in years_up_to(scope, TREND_YEARS):
        partners = db.session.execute(partners_query(scope.programme_id, period.last_day))
        members = [row.organisation_id for row in partners]
        reported = sum(1 for organisation_id in members if period.year in activity.get(organisation_id, {}))
        points.append(TrendPoint(len(members), reported, target, year=period.year, label=period.label))
    return points


def champions(scope: ReportScope, partners: list[PartnerRow], limit: int = CHAMPIONS) -> list[Champion]:
    """The partners with the most contributions (distinct items) in the year, with what they did."""
    top = sorted((row for row in partners if row.reported), key=lambda row: (-row.items, row.name))[:limit]
    examples = _examples(scope, [row.organisation_id for row in top])
    return [
        Champion(
            row.organisation_id,
            row.name,
            row.items,
            row.submitted,
            row.updated,
            row.confirmed,
            tuple(examples.get(row.organisation_id, ())),
        )
        for row in top
    ]


def _examples(scope: ReportScope, organisation_ids: list[int]) -> dict[int, list[ItemRef]]:
    """A few of the items each organisation contributed in the year, most recent first."""
    if not organisation_ids:
        return {}
    # Their items first, then those items' events: both steps go through an index.
    candidates = select(Item.id).where(
        Item.organisation_id.in_(organisation_ids), Item.state.not_in(NOT_COUNTED_STATES)
    )
    if scope.programme_id is not None:
        candidates = candidates.where(in_programme(scope.programme_id))
    latest = (
        select(AuditEvent.item_id, func.max(AuditEvent.created_at).label("at"))
        .where(
            AuditEvent.item_id.in_(candidates),
            AuditEvent.action.in_(REPORTING_ACTIONS),
            AuditEvent.created_at >= scope.period.start,
            AuditEvent.created_at < scope.period.end,
        )
        .group_by(AuditEvent.item_id)
        .subquery()
    )
    query = (
        select(Item.organisation_id, Item.id, Item.title)
        .join(latest, latest.c.item_id == Item.id)
        .order_by(Item.organisation_id, latest.c.at.desc(), Item.id)
    )
    examples: dict[int, list[ItemRef]] = {}
    for organisation_id, item_id, title in db.session.execute(query):
        found = examples.setdefault(organisation_id, [])
        if len(found) < EXAMPLES_PER_CHAMPION:
            found.append(ItemRef(item_id, title))
    return examples


def programme_lines(scope: ReportScope) -> list[ProgrammeLine]:
    """Network view: partners, reported partners and rate per programme, in two grouped queries."""
    period = scope.period
    partners = grouped(
        select(Partnership.programme_id, func.count())
        .where(partner_on(period.last_day))
        .group_by(Partnership.programme_id)
    )
    reported = grouped(
        select(ItemProgramme.programme_id, func.count(distinct(Item.organisation_id)))
        .select_from(AuditEvent)
        .join(Item, Item.id == AuditEvent.item_id)
        .join(ItemProgramme, ItemProgramme.item_id == Item.id)
        .join(
            Partnership,
            and_(
                Partnership.organisation_id == Item.organisation_id,
                Partnership.programme_id == ItemProgramme.programme_id,
                partner_on(period.last_day),
            ),
        )
        .where(
            AuditEvent.action.in_(REPORTING_ACTIONS),
            AuditEvent.created_at >= period.start,
            AuditEvent.created_at < period.end,
            Item.state.not_in(NOT_COUNTED_STATES),
        )
        .group_by(ItemProgramme.programme_id)
    )
    target = current_app.config["REPORTING_TARGET_RATE"]
    return [
        ProgrammeLine(
            partners.get(programme.id, 0),
            reported.get(programme.id, 0),
            target,
            slug=programme.slug,
            stored_name=programme.stored_name,
        )
        for programme in db.session.scalars(select(Programme).order_by(Programme.position))
    ]
