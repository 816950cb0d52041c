"""Programme reporting straight from the catalogue: what partners upload *is* their report.

Definitions (also written on the dashboard):

- The **reporting year** is a calendar year; ``REPORTING_YEAR_START_MONTH`` may move its start, and a
  year is named after the calendar year in which it starts.
- A programme's **partners** in a year are the organisations in partnership with it on the last day of
  that year (``Partnership.joined_on`` on or before that day, and not ended by then: an ended
  partnership leaves the reporting rate from its end date).
- A partner **reported** for a programme in a year when, in that year, it submitted, updated or
  confirmed as still active at least one item of that programme that is not a draft and not rejected
  (its current state). The evidence is the audit log: ``item.submitted``, ``item.edited`` and
  ``item.confirmed`` events. Creating an item is not reporting: a new item counts once it is submitted.
  Such an event is a **contribution**; an item of two programmes counts for both.
- **Reporting rate** = partners that reported ÷ partners, against ``REPORTING_TARGET_RATE``.
- **Active partners** made a contribution in the 12 months up to today (or the end of a past year).
- **Champions** made the most contributions (distinct items) in the year; on the public programme page,
  the partners with the most public items.
- **Never contributed**: none of the partner's items of the programme got past the draft stage (rejected
  ones aside), today.

Every number comes from SQL aggregates (GROUP BY, COUNT DISTINCT); Python only combines aggregated rows
(per organisation and year, per vocabulary value), never items. Public numbers use
``visibility.public_clause()`` and nothing else.
"""

import csv
import io
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, Select, String, and_, case, cast, distinct, func, literal, select, union_all

from portal import vocab
from portal.catalogue import NotFound, PermissionDenied, RuleViolation, reporting_health
from portal.catalogue.organisations import partner_on
from portal.catalogue.parsing import positive_int
from portal.catalogue.permissions import is_admin, moderates
from portal.catalogue.programmes import desk_programmes
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Item,
    ItemCountry,
    ItemProgramme,
    ItemTheme,
    Organisation,
    Partnership,
    PortfolioEntry,
    Programme,
    Reminder,
    User,
    item_sdgs,
    utcnow,
)

log = logging.getLogger(__name__)

REPORTING_ACTIONS = ("item.submitted", "item.edited", "item.confirmed")
ACTION_WORDS = {"item.submitted": "submitted", "item.edited": "updated", "item.confirmed": "confirmed as still active"}
NOT_COUNTED_STATES = ("draft", "rejected")
NETWORK = "all"  # the ``programme`` parameter of the network-wide view (admins)
FIRST_YEAR = 2000
TREND_YEARS = 5
ACTIVE_DAYS = 365
CHAMPIONS = 10
PUBLIC_CHAMPIONS = 5
EXAMPLES_PER_CHAMPION = 3
# Partner lists on the dashboard show this many rows (alphabetically); the CSV downloads have them all.
TABLE_ROWS = 250
# A value has "few" items when it has fewer than this share of the average of the values that have any
# (per SDG, activity category, country).
FEW_SHARE = 0.5
# The network wants more of this category.
PRIORITY_CATEGORY = "implementation"


# --- Periods and scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting year: ``start`` inclusive, ``end`` exclusive (naive UTC midnights)."""

    year: int
    start: datetime
    end: datetime

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def label(self) -> str:
        """``2026``, or ``2026-27`` (with an en dash) when the year does not start in January."""
        return str(self.year) if self.start.month == 1 else f"{self.year}–{str(self.year + 1)[-2:]}"


def reporting_period(year: int) -> Period:
    month = current_app.config["REPORTING_YEAR_START_MONTH"]
    return Period(year, datetime(year, month, 1), datetime(year + 1, month, 1))


def current_year(now: datetime | None = None) -> int:
    """The reporting year ``now`` falls in."""
    now = now or utcnow()
    return now.year if now.month >= current_app.config["REPORTING_YEAR_START_MONTH"] else now.year - 1


@dataclass(frozen=True)
class Scope:
    """What a report covers: one programme (or the whole network when ``programme`` is None) in one year."""

    programme: Programme | None
    period: Period
    now: datetime

    @property
    def programme_id(self) -> int | None:
        return self.programme.id if self.programme is not None else None

    @property
    def slug(self) -> str:
        return self.programme.slug if self.programme is not None else NETWORK

    @property
    def name(self) -> str:
        return self.programme.name if self.programme is not None else "All programmes (network)"

    @property
    def is_current(self) -> bool:
        return self.period.year == current_year(self.now)

    @property
    def active_until(self) -> datetime:
        """Active partners contributed in the 12 months before this moment."""
        return min(self.now, self.period.end)


def year_choices(now: datetime | None = None) -> list[int]:
    """The years offered in the dashboard's year menu, newest first."""
    latest = current_year(now)
    return list(range(latest, max(FIRST_YEAR, latest - 9) - 1, -1))


def _parse_year(value: str | int | None, now: datetime) -> int:
    latest = current_year(now)
    if value is None or value == "":
        return latest
    year = positive_int(value, latest)
    if year is None or year < FIRST_YEAR:
        raise RuleViolation(f"The year must be a number from {FIRST_YEAR} to {latest}.", field="year")
    return year


def open_scope(actor: User, programme: str | None, year: str | int | None, now: datetime | None = None) -> Scope:
    """Check and resolve the dashboard's parameters.

    A missing programme means the actor's first moderated programme (the network view for admins); a
    missing year means the current one. An unknown programme or a bad year is a RuleViolation (400);
    a programme the actor does not moderate, or the network view for a non-admin, is PermissionDenied.
    """
    now = now or utcnow()
    programmes = desk_programmes(actor)
    slug = (programme or "").strip()
    if not slug:
        if is_admin(actor):
            slug = NETWORK
        elif programmes:
            slug = programmes[0].slug
        else:
            raise PermissionDenied("You do not moderate any programme yet.")
    period = reporting_period(_parse_year(year, now))
    if slug == NETWORK:
        if not is_admin(actor):
            raise PermissionDenied("Only the secretariat sees the network-wide report.")
        return Scope(None, period, now)
    found = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if found is None:
        raise RuleViolation(f"There is no programme called “{slug[:40]}”.", field="programme")
    if not moderates(actor, found):
        raise PermissionDenied("You do not moderate this programme.")
    return Scope(found, period, now)


# --- Building blocks (SQL) ------------------------------------------------------------------------------
#
# Speed: every heavy query is one pass over the contribution events of the programme's items, driven by
# the programme (``item_id IN (the programme's items)``) through the index of migration 7c4e2a9d1b3f
# (audit_events: item_id, action, created_at). The dashboard makes two such passes: one per organisation
# and year (partners, trend, champions), one per item (breakdowns). benchmarks/reporting.py measures them.


def _programme_items(programme_id: int) -> Select:
    """The programme's item ids, for ``IN``: the query then walks them (use it where they lead the way)."""
    return select(ItemProgramme.item_id).where(ItemProgramme.programme_id == programme_id)


def _in_programme(programme_id: int) -> ColumnElement[bool]:
    """The item belongs to the programme, checked per item (use it where other conditions lead the way)."""
    return (
        select(ItemProgramme.item_id)
        .where(ItemProgramme.item_id == Item.id, ItemProgramme.programme_id == programme_id)
        .exists()
    )


def _contributions(programme_id: int | None, start: datetime | None, end: datetime) -> Select:
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
        query = query.where(AuditEvent.item_id.in_(_programme_items(programme_id)))
    return query


def _partners(programme_id: int | None, last_day: date | None = None) -> Select:
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


def rate(reported: int, partners: int) -> float | None:
    return reported / partners if partners else None


# --- Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One row of a breakdown: a value of a vocabulary and how many items have it."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class PartnerRow:
    organisation_id: int
    name: str
    country: str | None
    type: str
    joined_on: date
    items: int  # distinct items contributed in the year
    submitted: int  # submissions, updates and confirmations in the year (events)
    updated: int
    confirmed: int
    last_in_year: datetime | None
    last_recent: datetime | None  # last contribution in the twelve months up to Scope.active_until
    never_contributed: bool  # no item of the programme past the draft stage (rejected ones aside), today
    last_reminder: datetime | None
    active: bool
    next_reminder_from: datetime | None  # None: may be reminded now

    @property
    def reported(self) -> bool:
        return self.items > 0


@dataclass(frozen=True)
class Summary:
    partners: int
    reported: int
    active: int
    target: float

    @property
    def rate(self) -> float | None:
        return rate(self.reported, self.partners)

    @property
    def to_target(self) -> int:
        """How many more partners must report to reach the target."""
        return max(0, math.ceil(round(self.target * self.partners, 9)) - self.reported)

    @property
    def target_met(self) -> bool:
        return self.partners > 0 and self.to_target == 0


@dataclass(frozen=True)
class TrendPoint:
    year: int
    label: str
    partners: int
    reported: int

    @property
    def rate(self) -> float | None:
        return rate(self.reported, self.partners)


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
        parts = [(self.submitted, "submission"), (self.updated, "update"), (self.confirmed, "confirmation")]
        return ", ".join(f"{number} {word}{'' if number == 1 else 's'}" for number, word in parts if number)


@dataclass(frozen=True)
class ProgrammeLine:
    """One programme in the network-wide view."""

    slug: str
    name: str
    partners: int
    reported: int
    target: float

    @property
    def rate(self) -> float | None:
        return rate(self.reported, self.partners)


@dataclass(frozen=True)
class Gaps:
    sdgs_without: list[Count]
    sdgs_few: list[Count]
    countries_without: list[Count]
    countries_few: list[Count]
    never_contributed: list[PartnerRow]
    thin_categories: list[Count]
    priority: Count | None  # the category the network wants more of
    priority_share: float | None


@dataclass(frozen=True)
class Breakdowns:
    """A set of items counted by kind, activity category (initiatives), SDG, country, region, theme and
    portfolio status."""

    kinds: list[Count]
    categories: list[Count]
    sdgs: list[Count]
    countries: list[Count]  # most items first; "Global" last for worldwide items
    regions: list[Count]
    themes: list[Count]  # most items first
    portfolio: list[Count]
    organisations: dict[int, int] = field(default_factory=dict)  # organisation id → items, when asked

    @property
    def items(self) -> int:
        return sum(count.count for count in self.kinds)


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    summary: Summary
    trend: list[TrendPoint]
    partners: list[PartnerRow]
    not_reported: list[PartnerRow]
    champions: list[Champion]
    counts: Breakdowns  # the items that counted in the year
    gaps: Gaps
    programmes: list[ProgrammeLine] = field(default_factory=list)  # network view only
    health: reporting_health.Health | None = None
    trends: reporting_health.Trends | None = None
    reminder_interval_days: int = 7
    table_rows: int = TABLE_ROWS  # partner tables on the page stop there; the CSV has every row

    @property
    def can_remind(self) -> bool:
        """Reminders go out for one programme, for the current year only."""
        return self.scope.programme is not None and self.scope.is_current


# --- Tables --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """What one partner contributed in one year: distinct items; submissions, updates and confirmations
    (events: an item updated twice counts two updates); when last."""

    items: int
    submitted: int
    updated: int
    confirmed: int
    last: datetime | None
    last_recent: datetime | None  # the last one at or after "active from", if any


def _periods(scope: Scope, years: int) -> list[Period]:
    """The scope's year and the ``years - 1`` before it, oldest first."""
    return [reporting_period(year) for year in range(scope.period.year - years + 1, scope.period.year + 1)]


def _active_from(scope: Scope) -> datetime:
    return scope.active_until - timedelta(days=ACTIVE_DAYS)


def partner_activity(scope: Scope, years: int = TREND_YEARS) -> dict[int, dict[int, Activity]]:
    """Organisation id → year → Activity, for the partners, in the scope's year and the ``years - 1`` before.

    One pass over the contribution events, aggregated in SQL per (organisation, year); the partner
    table and the trend are both built from it. Two years cover the "active" window of twelve months.
    Every organisation that was ever a partner is counted: one whose partnership ended this year still
    counts in the trend's earlier years.
    """
    periods = _periods(scope, max(years, 2))
    active_from = _active_from(scope)
    partners = _partners(scope.programme_id).subquery()
    events = _contributions(scope.programme_id, periods[0].start, periods[-1].end).subquery()
    # The latest period that started before the event is its year.
    year_of = case(*((events.c.created_at >= p.start, p.year) for p in reversed(periods)))
    rows = db.session.execute(
        select(
            events.c.organisation_id,
            year_of,
            func.count(distinct(events.c.item_id)),
            *(
                func.sum(case((events.c.action == action, 1), else_=0))
                for action in ("item.submitted", "item.edited", "item.confirmed")
            ),
            func.max(events.c.created_at),
            func.max(case((events.c.created_at >= active_from, events.c.created_at))),
        )
        .where(events.c.organisation_id.in_(select(partners.c.organisation_id)))
        .group_by(events.c.organisation_id, year_of)
    )
    activity: dict[int, dict[int, Activity]] = {}
    for organisation_id, year, items, submitted, updated, confirmed, last, last_recent in rows:
        activity.setdefault(organisation_id, {})[year] = Activity(
            items, submitted, updated, confirmed, _as_datetime(last), _as_datetime(last_recent)
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
        holders = holders.where(_in_programme(programme_id))
    return set(organisation_ids) - set(db.session.scalars(holders.distinct()))


def partner_rows(scope: Scope, activity: dict[int, dict[int, Activity]] | None = None) -> list[PartnerRow]:
    """The main table: every partner with what it contributed in the year, sorted by name."""
    activity = partner_activity(scope, years=2) if activity is None else activity
    programme_id = scope.programme_id
    partners = _partners(programme_id, scope.period.last_day).subquery()
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
        last_reminder = _as_datetime(last_reminder)
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


def _as_datetime(value) -> datetime | None:
    """MAX() over a datetime column comes back as a string on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def summary(partners: list[PartnerRow]) -> Summary:
    return Summary(
        partners=len(partners),
        reported=sum(1 for row in partners if row.reported),
        active=sum(1 for row in partners if row.active),
        target=current_app.config["REPORTING_TARGET_RATE"],
    )


def trend(
    scope: Scope, partners: list[PartnerRow] | None = None, activity: dict[int, dict[int, Activity]] | None = None
) -> list[TrendPoint]:
    """Partners, reported partners and the rate for the scope's year and the four before.

    A partner of an earlier year is one in partnership on that year's last day (``partners``, the scope
    year's rows, is accepted for the callers' convenience: ended partnerships make it incomplete).
    """
    activity = partner_activity(scope) if activity is None else activity
    query = select(Partnership)
    if scope.programme_id is not None:
        query = query.where(Partnership.programme_id == scope.programme_id)
    partnerships = db.session.scalars(query).all()
    points = []
    for period in _periods(scope, TREND_YEARS):
        members = {p.organisation_id for p in partnerships if p.active_on(period.last_day)}
        reported = sum(1 for organisation_id in members if period.year in activity.get(organisation_id, {}))
        points.append(TrendPoint(period.year, period.label, len(members), reported))
    return points


def champions(scope: Scope, partners: list[PartnerRow], limit: int = CHAMPIONS) -> list[Champion]:
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


def _examples(scope: Scope, organisation_ids: list[int]) -> dict[int, list[ItemRef]]:
    """A few of the items each organisation contributed in the year, most recent first."""
    if not organisation_ids:
        return {}
    # Their items first, then those items' events: both steps go through an index.
    candidates = select(Item.id).where(
        Item.organisation_id.in_(organisation_ids), Item.state.not_in(NOT_COUNTED_STATES)
    )
    if scope.programme_id is not None:
        candidates = candidates.where(_in_programme(scope.programme_id))
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


def _grouped(query: Select) -> dict:
    return dict(db.session.execute(query).all())


def _complete(vocabulary, counts: dict) -> list[Count]:
    """Every value of ``vocabulary`` in order, with its count (0 when absent)."""
    return [Count(str(value), label, counts.get(str(value), 0)) for value, label in vocabulary]


ALL_DIMENSIONS = frozenset({"item", "sdg", "country", "region", "theme", "portfolio"})


def breakdowns(items: Select, programme_id: int | None, dimensions: frozenset[str] = ALL_DIMENSIONS) -> Breakdowns:
    """Count the items selected by ``items`` (a select of item ids) along ``dimensions``, in ONE query
    ("item" gives kinds, activity categories of initiatives and worldwide items; those left out stay empty).

    The item set is a common table expression used by each part of a UNION ALL, so it is computed once.
    Portfolio statuses are those in ``programme_id`` (all programmes: one count per item and programme).
    """
    chosen = select(items.cte("chosen_items").c.item_id)
    null = literal(None, String)

    def part(dimension: str, key, source, *, count=None, detail=null, flag=null) -> Select:
        """(dimension, key, detail, flag, count) for the chosen items, grouped by key (and detail, flag)."""
        return (
            select(
                literal(dimension),
                cast(key, String),
                cast(detail, String),
                cast(flag, String),
                count if count is not None else func.count(),
            )
            .where(source.in_(chosen))
            .group_by(key, detail, flag)
        )

    region = case(vocab.country_regions(), value=ItemCountry.code, else_=None)
    status = func.coalesce(PortfolioEntry.status, "none")
    portfolio = (
        part("portfolio", status, ItemProgramme.item_id)
        .select_from(ItemProgramme)
        .outerjoin(
            PortfolioEntry,
            and_(
                PortfolioEntry.item_id == ItemProgramme.item_id,
                PortfolioEntry.programme_id == ItemProgramme.programme_id,
            ),
        )
    )
    if programme_id is not None:
        portfolio = portfolio.where(ItemProgramme.programme_id == programme_id)
    parts = {
        "item": part("item", Item.kind, Item.id, detail=Item.activity_category, flag=Item.is_global),
        "sdg": part("sdg", item_sdgs.c.sdg_number, item_sdgs.c.item_id),
        "country": part("country", ItemCountry.code, ItemCountry.item_id),
        "region": part("region", region, ItemCountry.item_id, count=func.count(distinct(ItemCountry.item_id))),
        "theme": part("theme", ItemTheme.theme, ItemTheme.item_id),
        "portfolio": portfolio,
        "organisation": part("organisation", Item.organisation_id, Item.id),
    }
    query = union_all(*(query for name, query in parts.items() if name in dimensions))
    found: dict[str, dict[str, int]] = {"kind": {}, "category": {}, "global": {}}
    for dimension, key, detail, flag, number in db.session.execute(query):
        if dimension == "item":  # key: kind, detail: activity category, flag: worldwide
            found["kind"][key] = found["kind"].get(key, 0) + number
            if key == "initiative" and detail:
                found["category"][detail] = found["category"].get(detail, 0) + number
            if flag in ("1", "true"):
                found["global"][key] = found["global"].get(key, 0) + number
        else:
            found.setdefault(dimension, {})[key] = number
    countries = sorted(found.get("country", {}).items(), key=lambda pair: (-pair[1], pair[0]))
    country_counts = [Count(code, vocab.country_name(code), number) for code, number in countries]
    worldwide = sum(found.get("global", {}).values())
    if worldwide:
        country_counts.append(Count(vocab.GLOBAL, "Global", worldwide))
    sdg_counts = found.get("sdg", {})
    return Breakdowns(
        kinds=_complete(vocab.KINDS, found.get("kind", {})),
        categories=_complete(vocab.ACTIVITY_CATEGORIES, found.get("category", {})),
        sdgs=[Count(str(n), vocab.sdg_label(n), sdg_counts.get(str(n), 0)) for n, _ in vocab.SDGS],
        countries=country_counts,
        regions=[c for c in _complete(vocab.REGIONS, found.get("region", {})) if c.count or c.key != "AN"],
        themes=sorted(_complete(vocab.THEMES, found.get("theme", {})), key=lambda count: -count.count),
        portfolio=_complete(vocab.PORTFOLIO_STATUSES, found.get("portfolio", {})),
        organisations={int(key): number for key, number in found.get("organisation", {}).items()},
    )


def year_breakdowns(scope: Scope) -> Breakdowns:
    """The items that counted for the scope's year, by every dimension."""
    events = _contributions(scope.programme_id, scope.period.start, scope.period.end).subquery()
    return breakdowns(select(events.c.item_id).distinct(), scope.programme_id)


def _few(counts: list[Count]) -> list[Count]:
    """The values that have items, but fewer than FEW_SHARE of their average; fewest first."""
    reached = [count for count in counts if count.count]
    if not reached:
        return []
    average = sum(count.count for count in reached) / len(reached)
    few = [count for count in reached if count.count < FEW_SHARE * average]
    return sorted(few, key=lambda count: (count.count, count.label))


def gaps(counts: Breakdowns, partners: list[PartnerRow]) -> Gaps:
    """What the year lacks: SDGs, countries and categories with no or few items, silent partners."""
    other_sdgs = [count for count in counts.sdgs if count.key != str(vocab.HOME_SDG)]
    reached = {count.key for count in counts.countries}
    real_countries = [count for count in counts.countries if count.key != vocab.GLOBAL]
    total_initiatives = sum(count.count for count in counts.categories)
    priority = next((count for count in counts.categories if count.key == PRIORITY_CATEGORY), None)
    return Gaps(
        sdgs_without=[count for count in other_sdgs if count.count == 0],
        sdgs_few=_few(other_sdgs),
        countries_without=[Count(code, name, 0) for code, name in vocab.countries() if code not in reached],
        countries_few=_few(real_countries),
        never_contributed=[row for row in partners if row.never_contributed],
        thin_categories=[count for count in counts.categories if count.count == 0] + _few(counts.categories),
        priority=priority,
        priority_share=(priority.count / total_initiatives) if priority and total_initiatives else None,
    )


def programme_lines(scope: Scope) -> list[ProgrammeLine]:
    """Network view: partners, reported partners and rate per programme, in two grouped queries."""
    period = scope.period
    partners = _grouped(
        select(Partnership.programme_id, func.count())
        .where(partner_on(period.last_day))
        .group_by(Partnership.programme_id)
    )
    reported = _grouped(
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
            programme.slug, programme.name, partners.get(programme.id, 0), reported.get(programme.id, 0), target
        )
        for programme in db.session.scalars(select(Programme).order_by(Programme.position))
    ]


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


CACHE_SIZE = 32
T = TypeVar("T")


def _cached(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept per process under ``key`` until the data changes (``data_version``).

    Put the day in ``key`` when the result depends on it (the inactivity cutoff and the "last 12
    months" window move at midnight). The newest ``CACHE_SIZE`` results of each ``name`` are kept.
    """
    cache: OrderedDict = current_app.extensions.setdefault(f"portal.reporting.{name}", OrderedDict())
    key = (*key, data_version())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    result = cache[key] = compute()
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return result


def dashboard(scope: Scope) -> Dashboard:
    """Everything the reporting dashboard shows for ``scope`` (already checked by ``open_scope``).

    At 100 000 items a dashboard takes about a second of SQL, so it is cached (``_cached``).
    """
    config = current_app.config
    settings = (config["REPORTING_TARGET_RATE"], config["REMINDER_INTERVAL_DAYS"])
    key = (scope.programme_id, scope.period.start, scope.period.end, scope.now.date(), settings)
    return replace(_cached("dashboards", key, lambda: _compute_dashboard(scope)), scope=scope)


def _compute_dashboard(scope: Scope) -> Dashboard:
    activity = partner_activity(scope)
    partners = partner_rows(scope, activity)
    counts = year_breakdowns(scope)
    totals, points = summary(partners), trend(scope, partners, activity)
    return Dashboard(
        scope=scope,
        summary=totals,
        trend=points,
        partners=partners,
        not_reported=[row for row in partners if not row.reported],
        champions=champions(scope, partners),
        counts=counts,
        gaps=gaps(counts, partners),
        programmes=programme_lines(scope) if scope.programme is None else [],
        health=_health(scope, totals, points, partners),
        trends=reporting_health.trends(scope.programme_id, _periods(scope, TREND_YEARS), NOT_COUNTED_STATES),
        reminder_interval_days=current_app.config["REMINDER_INTERVAL_DAYS"],
    )


def _health(scope: Scope, totals: Summary, points: list[TrendPoint], partners: list[PartnerRow]):
    new, ended = reporting_health.partnership_changes(scope.programme_id, scope.period.start, scope.period.end,
                                                      scope.now)
    public, lapsing = reporting_health.lapsing_share(scope.programme_id, scope.now)
    return reporting_health.health(
        partners=totals.partners,
        active=totals.active,
        rate=totals.rate,
        target=totals.target,
        rates=[point.rate for point in points],
        new=new,
        ended=ended,
        quiet=sum(1 for row in partners if not row.active and not row.never_contributed),
        public_items=public,
        lapsing_items=lapsing,
    )


# --- CSV tables ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple]


def _when(value: datetime | date | None) -> str:
    return value.isoformat()[:10] if value else ""  # YYYY-MM-DD


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


PARTNER_HEADER = (
    "Organisation",
    "Country",
    "Type",
    "Partner since",
    "Reported",
    "Items counted",
    "Submissions",
    "Updates",
    "Confirmations",
    "Last contribution in the year",
    "Last contribution (12 months)",
    "Active",
    "Ever contributed",
    "Last reminder",
)


def _partner_line(row: PartnerRow) -> tuple:
    return (
        row.name,
        vocab.country_name(row.country) if row.country else "",
        vocab.label(vocab.ORGANISATION_TYPES, row.type),
        _when(row.joined_on),
        "yes" if row.reported else "no",
        row.items,
        row.submitted,
        row.updated,
        row.confirmed,
        _when(row.last_in_year),
        _when(row.last_recent),
        "yes" if row.active else "no",
        "no" if row.never_contributed else "yes",
        _when(row.last_reminder),
    )


def _partners_table(name: str, title: str, keep=lambda row: True):
    def build(board: Dashboard) -> Table:
        return Table(name, title, PARTNER_HEADER, [_partner_line(row) for row in board.partners if keep(row)])

    return build


def _counts_table(name: str, title: str, what: str, pick):
    def build(board: Dashboard) -> Table:
        return Table(name, title, (what, "Items"), [(count.label, count.count) for count in pick(board.counts)])

    return build


def _table_trend(board: Dashboard) -> Table:
    return Table(
        "trend",
        "Reporting rate over five years",
        ("Year", "Partners", "Reported", "Rate (%)"),
        [(point.label, point.partners, point.reported, _percent(point.rate)) for point in board.trend],
    )


def _table_champions(board: Dashboard) -> Table:
    return Table(
        "champions",
        "Champions",
        ("Organisation", "Items", "Submissions", "Updates", "Confirmations", "Examples"),
        [
            (c.name, c.items, c.submitted, c.updated, c.confirmed, "; ".join(e.title for e in c.examples))
            for c in board.champions
        ],
    )


def _table_programmes(board: Dashboard) -> Table:
    if board.scope.programme is not None:
        raise RuleViolation("The per-programme table belongs to the network-wide view.", field="programme")
    return Table(
        "programmes",
        "Programmes",
        ("Programme", "Partners", "Reported", "Rate (%)"),
        [(line.name, line.partners, line.reported, _percent(line.rate)) for line in board.programmes],
    )


def _table_gaps(board: Dashboard) -> Table:
    found = board.gaps
    rows = [("SDG without items", c.label, 0) for c in found.sdgs_without]
    rows += [("SDG with few items", c.label, c.count) for c in found.sdgs_few]
    rows += [("Category without initiatives", c.label, 0) for c in found.thin_categories if not c.count]
    rows += [("Thin category", c.label, c.count) for c in found.thin_categories if c.count]
    rows += [("Country with few items", c.label, c.count) for c in found.countries_few]
    rows += [("Country without items", c.label, 0) for c in found.countries_without]
    return Table("gaps", "Gaps", ("Gap", "Value", "Items"), rows)


def _table_health(board: Dashboard) -> Table:
    return Table(
        "health",
        "Partnership health",
        ("Indicator", "Value", "Good when", "Concern when", "Status"),
        [(i.label, i.shown, i.good_when, i.concern_when, i.status) for i in board.health.indicators]
        + [("Verdict", board.health.summary, "", "", board.health.verdict)],
    )


def _trend_table(key: str):
    def build(board: Dashboard) -> Table:
        dimension = board.trends.dimension(key)
        return Table(
            f"trend-{key}",
            dimension.title,
            (dimension.value_header, *board.trends.years, "Change on the year before"),
            [(row.label, *row.counts, row.change) for row in dimension.rows],
        )

    return build


TABLES = {
    "partners": _partners_table("partners", "Partners"),
    "not-reported": _partners_table("not-reported", "Partners not yet reported", lambda row: not row.reported),
    "never-contributed": _partners_table(
        "never-contributed", "Partners that never contributed", lambda row: row.never_contributed
    ),
    "trend": _table_trend,
    "champions": _table_champions,
    "programmes": _table_programmes,
    "gaps": _table_gaps,
    "kinds": _counts_table("kinds", "Items by kind", "Kind", lambda counts: counts.kinds),
    "categories": _counts_table(
        "categories", "Initiatives by activity category", "Activity category", lambda counts: counts.categories
    ),
    "sdgs": _counts_table("sdgs", "Items by SDG", "SDG", lambda counts: counts.sdgs),
    "countries": _counts_table("countries", "Items by country", "Country", lambda counts: counts.countries),
    "regions": _counts_table("regions", "Items by region", "Region", lambda counts: counts.regions),
    "themes": _counts_table("themes", "Items by theme", "Theme", lambda counts: counts.themes),
    "portfolio": _counts_table(
        "portfolio", "Items by portfolio status", "Portfolio status", lambda counts: counts.portfolio
    ),
    "health": _table_health,
    "trend-categories": _trend_table("categories"),
    "trend-themes": _trend_table("themes"),
    "trend-sdgs": _trend_table("sdgs"),
}


def table(scope: Scope, name: str) -> Table:
    """One of the dashboard's tables, for CSV (from the same cached dashboard); an unknown name is NotFound."""
    if name not in TABLES:
        raise NotFound(name)
    return TABLES[name](dashboard(scope))


# Spreadsheets run a cell that starts with one of these as a formula: such text gets a leading quote.
_FORMULA_START = frozenset("=+-@\t\r")


def to_csv(table: Table) -> str:
    """The table as CSV text, with a byte-order mark so that spreadsheets read it as UTF-8.

    Text that a spreadsheet would run as a formula gets a leading quote.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows(
        [("'" + value) if value.__class__ is str and value[:1] in _FORMULA_START else value for value in row]
        for row in table.rows
    )
    return "\ufeff" + buffer.getvalue()


# --- A partner's own status ---------------------------------------------------------------------------------


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
        at = _as_datetime(at)
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


# --- Public achievements ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicChampion:
    name: str
    items: int


@dataclass(frozen=True)
class Achievements:
    initiatives: int
    resources: int
    partners: int
    countries: int
    worldwide: int  # public items marked global
    sdgs: list[int]  # goals touched, in order
    categories: list[Count]
    champions: list[PublicChampion]

    @property
    def items(self) -> int:
        return self.initiatives + self.resources


def public_achievements(programme: Programme, now: datetime | None = None) -> Achievements:
    """A programme's achievements for everyone, computed from public items only (the visibility rule)."""
    now = now or utcnow()
    return _cached("achievements", (programme.id, now.date()), lambda: _public_achievements(programme, now))


def _public_achievements(programme: Programme, now: datetime) -> Achievements:
    public = select(Item.id.label("item_id")).where(Item.id.in_(_programme_items(programme.id)), public_clause(now))
    counts = breakdowns(public, programme.id, frozenset({"item", "sdg", "country", "organisation"}))
    kinds = {count.key: count.count for count in counts.kinds}
    partners = db.session.scalar(
        select(func.count()).where(Partnership.programme_id == programme.id, partner_on(now.date()))
    )
    return Achievements(
        initiatives=kinds.get("initiative", 0),
        resources=kinds.get("resource", 0),
        partners=partners or 0,
        countries=sum(1 for count in counts.countries if count.key != vocab.GLOBAL),
        worldwide=sum(count.count for count in counts.countries if count.key == vocab.GLOBAL),
        sdgs=[int(count.key) for count in counts.sdgs if count.count],
        categories=counts.categories,
        champions=_public_champions(programme, counts.organisations),
    )


def _public_champions(programme: Programme, public_items: dict[int, int]) -> list[PublicChampion]:
    """The programme's partners with the most public items in it (``public_items``: organisation → items);
    ties go to the longest-standing organisation record (lowest id)."""
    current = select(Partnership.organisation_id).where(
        Partnership.programme_id == programme.id, partner_on(utcnow().date())
    )
    partners = set(db.session.scalars(current))
    top = sorted(
        (organisation_id for organisation_id in public_items if organisation_id in partners),
        key=lambda organisation_id: (-public_items[organisation_id], organisation_id),
    )[:PUBLIC_CHAMPIONS]
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(top))).all())
    return [PublicChampion(names[organisation_id], public_items[organisation_id]) for organisation_id in top]
