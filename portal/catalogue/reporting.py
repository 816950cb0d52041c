"""Programme reporting straight from the catalogue: what partners upload *is* their report.

Definitions (also written on the dashboard):

- The **reporting year** is a calendar year; ``REPORTING_YEAR_START_MONTH`` may move its start, and a
  year is named after the calendar year in which it starts.
- A programme's **partners** in a year are the organisations in partnership with it on the last day of
  that year (``Partnership.joined_on`` on or before that day).
- A partner **reported** for a programme in a year when, in that year, it submitted, updated or
  confirmed as still active at least one item of that programme that is not a draft and not rejected
  (its current state). The evidence is the audit log: ``item.submitted``, ``item.edited`` and
  ``item.confirmed`` events. Creating an item is not reporting: a new item counts once it is submitted.
  Such an event is a **contribution**; an item of two programmes counts for both.
- **Reporting rate** = partners that reported ÷ partners, against ``REPORTING_TARGET_RATE``.
- **Active partners** made a contribution in the 12 months up to today (or the end of a past year).
- **Champions** made the most contributions (distinct items) in the year.

Every number is a SQL aggregate; Python only shapes the (small) aggregated rows. Public numbers use
``visibility.public_clause()`` and nothing else.
"""

import csv
import io
import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, select

from portal import mail, vocab
from portal.catalogue import NotFound, PermissionDenied, RuleViolation, notifications
from portal.catalogue.permissions import is_admin, moderates
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


def reportable_programmes(actor: User) -> list[Programme]:
    """The programmes whose reports ``actor`` may read: all for admins, the moderated ones otherwise."""
    if is_admin(actor):
        return list(db.session.scalars(select(Programme).order_by(Programme.position)))
    if actor.is_authenticated and actor.is_moderator:
        return list(actor.moderated_programmes)
    return []


def year_choices(now: datetime | None = None) -> list[int]:
    """The years offered in the dashboard's year menu, newest first."""
    latest = current_year(now)
    return list(range(latest, max(FIRST_YEAR, latest - 9) - 1, -1))


def _parse_year(value: str | int | None, now: datetime) -> int:
    latest = current_year(now)
    if value is None or value == "":
        return latest
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= latest):
        raise RuleViolation(f"The year must be a number from {FIRST_YEAR} to {latest}.", field="year")
    return int(text)


def open_scope(actor: User, programme: str | None, year: str | int | None, now: datetime | None = None) -> Scope:
    """Check and resolve the dashboard's parameters.

    A missing programme means the actor's first moderated programme (the network view for admins); a
    missing year means the current one. An unknown programme or a bad year is a RuleViolation (400);
    a programme the actor does not moderate, or the network view for a non-admin, is PermissionDenied.
    """
    now = now or utcnow()
    programmes = reportable_programmes(actor)
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
        query = query.join(
            ItemProgramme, and_(ItemProgramme.item_id == Item.id, ItemProgramme.programme_id == programme_id)
        )
    return query


def _partners(programme_id: int | None, last_day: date) -> Select:
    """Partner organisations on ``last_day``: (organisation_id, joined_on) (the earliest partnership)."""
    query = select(
        Partnership.organisation_id.label("organisation_id"), func.min(Partnership.joined_on).label("joined_on")
    ).where(Partnership.joined_on <= last_day)
    if programme_id is not None:
        query = query.where(Partnership.programme_id == programme_id)
    return query.group_by(Partnership.organisation_id)


def _year_items(scope: Scope) -> Select:
    """Ids of the items that counted in the scope's year: the year's reported items."""
    contributions = _contributions(scope.programme_id, scope.period.start, scope.period.end).subquery()
    return select(contributions.c.item_id)  # IN (...) needs no DISTINCT


def _count_distinct_when(column, action: str) -> ColumnElement[int]:
    return func.count(distinct(case((column.c.action == action, column.c.item_id))))


def _reported_count(programme_id: int | None, period: Period) -> tuple[int, int]:
    """(partners, partners that reported) for one programme (or the network) and one year."""
    partners = _partners(programme_id, period.last_day).subquery()
    contributions = _contributions(programme_id, period.start, period.end).subquery()
    total = db.session.scalar(select(func.count()).select_from(partners)) or 0
    reported = db.session.scalar(
        select(func.count(distinct(contributions.c.organisation_id))).where(
            contributions.c.organisation_id.in_(select(partners.c.organisation_id))
        )
    )
    return total, reported or 0


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
    submitted: int
    updated: int
    confirmed: int
    last_in_year: datetime | None
    last_ever: datetime | None  # last contribution up to the end of the year
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
        """What they did, in words: "3 submitted, 1 updated"."""
        parts = [(self.submitted, "submitted"), (self.updated, "updated"), (self.confirmed, "confirmed as active")]
        return ", ".join(f"{number} {word}" for number, word in parts if number)


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
class Dashboard:
    scope: Scope
    summary: Summary
    trend: list[TrendPoint]
    partners: list[PartnerRow]
    not_reported: list[PartnerRow]
    champions: list[Champion]
    kinds: list[Count]
    categories: list[Count]
    sdgs: list[Count]
    countries: list[Count]
    regions: list[Count]
    themes: list[Count]
    portfolio: list[Count]
    gaps: Gaps
    programmes: list[ProgrammeLine] = field(default_factory=list)  # network view only
    reminder_interval_days: int = 7

    @property
    def items(self) -> int:
        return sum(count.count for count in self.kinds)

    @property
    def can_remind(self) -> bool:
        """Reminders go out for one programme, for the current year only."""
        return self.scope.programme is not None and self.scope.is_current


# --- Tables --------------------------------------------------------------------------------------------


def partner_rows(scope: Scope) -> list[PartnerRow]:
    """The main table: every partner with what it contributed in the year, sorted by name."""
    programme_id, period = scope.programme_id, scope.period
    partners = _partners(programme_id, period.last_day).subquery()
    year = _contributions(programme_id, period.start, period.end).subquery()
    year_totals = (
        select(
            year.c.organisation_id,
            func.count(distinct(year.c.item_id)).label("item_count"),
            _count_distinct_when(year, "item.submitted").label("submitted"),
            _count_distinct_when(year, "item.edited").label("updated"),
            _count_distinct_when(year, "item.confirmed").label("confirmed"),
            func.max(year.c.created_at).label("last_in_year"),
        )
        .group_by(year.c.organisation_id)
        .subquery()
    )
    ever = _contributions(programme_id, None, period.end).subquery()
    ever_totals = (
        select(ever.c.organisation_id, func.max(ever.c.created_at).label("last_ever"))
        .group_by(ever.c.organisation_id)
        .subquery()
    )
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
            func.coalesce(year_totals.c.item_count, 0),
            func.coalesce(year_totals.c.submitted, 0),
            func.coalesce(year_totals.c.updated, 0),
            func.coalesce(year_totals.c.confirmed, 0),
            year_totals.c.last_in_year,
            ever_totals.c.last_ever,
            reminders.c.last_reminder,
        )
        .join(partners, partners.c.organisation_id == Organisation.id)
        .outerjoin(year_totals, year_totals.c.organisation_id == Organisation.id)
        .outerjoin(ever_totals, ever_totals.c.organisation_id == Organisation.id)
        .outerjoin(reminders, reminders.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    ).all()
    active_from = scope.active_until - timedelta(days=ACTIVE_DAYS)
    interval = timedelta(days=current_app.config["REMINDER_INTERVAL_DAYS"])
    result = []
    for row in rows:
        last_ever, last_reminder = _as_datetime(row[10]), _as_datetime(row[11])
        next_reminder = last_reminder + interval if last_reminder is not None else None
        result.append(
            PartnerRow(
                *row[:5],
                *row[5:9],
                last_in_year=_as_datetime(row[9]),
                last_ever=last_ever,
                last_reminder=last_reminder,
                active=last_ever is not None and last_ever >= active_from,
                next_reminder_from=next_reminder if next_reminder and next_reminder > scope.now else None,
            )
        )
    return result


def _as_datetime(value) -> datetime | None:
    """MAX() over a datetime column comes back as a string on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def summary(scope: Scope, partners: list[PartnerRow]) -> Summary:
    return Summary(
        partners=len(partners),
        reported=sum(1 for row in partners if row.reported),
        active=sum(1 for row in partners if row.active),
        target=current_app.config["REPORTING_TARGET_RATE"],
    )


def trend(scope: Scope) -> list[TrendPoint]:
    """Partners, reported partners and the rate for the scope's year and the four before."""
    points = []
    for year in range(scope.period.year - TREND_YEARS + 1, scope.period.year + 1):
        period = reporting_period(year)
        partners, reported = _reported_count(scope.programme_id, period)
        points.append(TrendPoint(year, period.label, partners, reported))
    return points


def champions(scope: Scope, limit: int = CHAMPIONS) -> list[Champion]:
    """The partners with the most contributions (distinct items) in the year, with what they did."""
    partners = _partners(scope.programme_id, scope.period.last_day).subquery()
    year = _contributions(scope.programme_id, scope.period.start, scope.period.end).subquery()
    items = func.count(distinct(year.c.item_id))
    top = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            items,
            _count_distinct_when(year, "item.submitted"),
            _count_distinct_when(year, "item.edited"),
            _count_distinct_when(year, "item.confirmed"),
        )
        .join(year, year.c.organisation_id == Organisation.id)
        .where(Organisation.id.in_(select(partners.c.organisation_id)))
        .group_by(Organisation.id, Organisation.name)
        .order_by(items.desc(), Organisation.name)
        .limit(limit)
    ).all()
    examples = _examples(year, [row[0] for row in top])
    return [Champion(*row, examples=tuple(examples.get(row[0], ()))) for row in top]


def _examples(year, organisation_ids: list[int]) -> dict[int, list[ItemRef]]:
    """A few of the items each organisation contributed, most recent first."""
    if not organisation_ids:
        return {}
    latest = func.max(year.c.created_at)
    rows = db.session.execute(
        select(year.c.organisation_id, Item.id, Item.title)
        .join(Item, Item.id == year.c.item_id)
        .where(year.c.organisation_id.in_(organisation_ids))
        .group_by(year.c.organisation_id, Item.id, Item.title)
        .order_by(year.c.organisation_id, latest.desc(), Item.id)
    )
    examples: dict[int, list[ItemRef]] = {}
    for organisation_id, item_id, title in rows:
        found = examples.setdefault(organisation_id, [])
        if len(found) < EXAMPLES_PER_CHAMPION:
            found.append(ItemRef(item_id, title))
    return examples


def _complete(vocabulary, counts: dict, key=str) -> list[Count]:
    """Every value of ``vocabulary`` in order, with its count (0 when absent)."""
    return [Count(key(value), label, counts.get(value, 0)) for value, label in vocabulary]


def _grouped(query: Select) -> dict:
    return dict(db.session.execute(query).all())


def kinds(items: Select) -> list[Count]:
    counts = _grouped(select(Item.kind, func.count()).where(Item.id.in_(items)).group_by(Item.kind))
    return _complete(vocab.KINDS, counts)


def categories(items: Select) -> list[Count]:
    """Initiatives by activity category."""
    counts = _grouped(
        select(Item.activity_category, func.count())
        .where(Item.id.in_(items), Item.kind == "initiative")
        .group_by(Item.activity_category)
    )
    return _complete(vocab.ACTIVITY_CATEGORIES, counts)


def sdgs(items: Select) -> list[Count]:
    counts = _grouped(
        select(item_sdgs.c.sdg_number, func.count())
        .where(item_sdgs.c.item_id.in_(items))
        .group_by(item_sdgs.c.sdg_number)
    )
    return [Count(str(number), f"SDG {number} – {title}", counts.get(number, 0)) for number, title in vocab.SDGS]


def countries(items: Select) -> list[Count]:
    """Countries reached, most items first, then "Global" for worldwide items."""
    counts = db.session.execute(
        select(ItemCountry.code, func.count())
        .where(ItemCountry.item_id.in_(items))
        .group_by(ItemCountry.code)
        .order_by(func.count().desc(), ItemCountry.code)
    ).all()
    result = [Count(code, vocab.country_name(code), number) for code, number in counts]
    worldwide = db.session.scalar(select(func.count()).where(Item.id.in_(items), Item.is_global.is_(True)))
    if worldwide:
        result.append(Count(vocab.GLOBAL, "Global", worldwide))
    return result


def regions(items: Select) -> list[Count]:
    """Items per region (an item in two countries of one region counts once)."""
    region = case(vocab.country_regions(), value=ItemCountry.code, else_=None)
    counts = _grouped(
        select(region, func.count(distinct(ItemCountry.item_id))).where(ItemCountry.item_id.in_(items)).group_by(region)
    )
    return [count for count in _complete(vocab.REGIONS, counts) if count.count or count.key != "AN"]


def themes(items: Select) -> list[Count]:
    counts = _grouped(
        select(ItemTheme.theme, func.count()).where(ItemTheme.item_id.in_(items)).group_by(ItemTheme.theme)
    )
    return sorted(_complete(vocab.THEMES, counts), key=lambda count: -count.count)


def portfolio(scope: Scope, items: Select) -> list[Count]:
    """Items by portfolio status in the programme (network view: one count per item and programme)."""
    status = func.coalesce(PortfolioEntry.status, "none")
    query = (
        select(status, func.count())
        .select_from(ItemProgramme)
        .outerjoin(
            PortfolioEntry,
            and_(
                PortfolioEntry.item_id == ItemProgramme.item_id,
                PortfolioEntry.programme_id == ItemProgramme.programme_id,
            ),
        )
        .where(ItemProgramme.item_id.in_(items))
        .group_by(status)
    )
    if scope.programme_id is not None:
        query = query.where(ItemProgramme.programme_id == scope.programme_id)
    return _complete(vocab.PORTFOLIO_STATUSES, _grouped(query))


def _few(counts: list[Count]) -> list[Count]:
    """The values that have items, but fewer than FEW_SHARE of their average; fewest first."""
    reached = [count for count in counts if count.count]
    if not reached:
        return []
    average = sum(count.count for count in reached) / len(reached)
    few = [count for count in counts if 0 < count.count < FEW_SHARE * average]
    return sorted(few, key=lambda count: (count.count, count.label))


def gaps(
    sdg_counts: list[Count], country_counts: list[Count], category_counts: list[Count], partners: list[PartnerRow]
) -> Gaps:
    """What the year lacks: SDGs, countries and categories with no or few items, silent partners."""
    other_sdgs = [count for count in sdg_counts if count.key != str(vocab.HOME_SDG)]
    reached = {count.key for count in country_counts}
    real_countries = [count for count in country_counts if count.key != vocab.GLOBAL]
    total_initiatives = sum(count.count for count in category_counts)
    priority = next((count for count in category_counts if count.key == PRIORITY_CATEGORY), None)
    return Gaps(
        sdgs_without=[count for count in other_sdgs if count.count == 0],
        sdgs_few=_few(other_sdgs),
        countries_without=[Count(code, name, 0) for code, name in vocab.countries() if code not in reached],
        countries_few=_few(real_countries),
        never_contributed=[row for row in partners if row.last_ever is None],
        thin_categories=[count for count in category_counts if count.count == 0] + _few(category_counts),
        priority=priority,
        priority_share=(priority.count / total_initiatives) if priority and total_initiatives else None,
    )


def programme_lines(scope: Scope) -> list[ProgrammeLine]:
    """Network view: partners, reported partners and rate per programme, in two grouped queries."""
    period = scope.period
    partners = _grouped(
        select(Partnership.programme_id, func.count())
        .where(Partnership.joined_on <= period.last_day)
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
                Partnership.joined_on <= period.last_day,
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


def dashboard(scope: Scope) -> Dashboard:
    """Everything the reporting dashboard shows for ``scope`` (already checked by ``open_scope``)."""
    partners = partner_rows(scope)
    items = _year_items(scope)
    category_counts, sdg_counts, country_counts = categories(items), sdgs(items), countries(items)
    return Dashboard(
        scope=scope,
        summary=summary(scope, partners),
        trend=trend(scope),
        partners=partners,
        not_reported=[row for row in partners if not row.reported],
        champions=champions(scope),
        kinds=kinds(items),
        categories=category_counts,
        sdgs=sdg_counts,
        countries=country_counts,
        regions=regions(items),
        themes=themes(items),
        portfolio=portfolio(scope, items),
        gaps=gaps(sdg_counts, country_counts, category_counts, partners),
        programmes=programme_lines(scope) if scope.programme is None else [],
        reminder_interval_days=current_app.config["REMINDER_INTERVAL_DAYS"],
    )


# --- CSV tables ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple]


def _when(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


PARTNER_HEADER = (
    "Organisation",
    "Country",
    "Type",
    "Partner since",
    "Reported",
    "Items counted",
    "Submitted",
    "Updated",
    "Confirmed as active",
    "Last contribution in the year",
    "Last contribution",
    "Active",
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
        _when(row.last_ever),
        "yes" if row.active else "no",
        _when(row.last_reminder),
    )


def _counts_table(name: str, title: str, what: str, counts: list[Count]) -> Table:
    return Table(name, title, (what, "Items"), [(count.label, count.count) for count in counts])


def _table_partners(scope: Scope) -> Table:
    rows = partner_rows(scope)
    return Table("partners", "Partners", PARTNER_HEADER, [_partner_line(row) for row in rows])


def _table_not_reported(scope: Scope) -> Table:
    rows = [row for row in partner_rows(scope) if not row.reported]
    return Table("not-reported", "Partners not yet reported", PARTNER_HEADER, [_partner_line(row) for row in rows])


def _table_never(scope: Scope) -> Table:
    rows = [row for row in partner_rows(scope) if row.last_ever is None]
    return Table(
        "never-contributed", "Partners that never contributed", PARTNER_HEADER, [_partner_line(r) for r in rows]
    )


def _table_trend(scope: Scope) -> Table:
    return Table(
        "trend",
        "Reporting rate over five years",
        ("Year", "Partners", "Reported", "Rate (%)"),
        [(point.label, point.partners, point.reported, _percent(point.rate)) for point in trend(scope)],
    )


def _table_champions(scope: Scope) -> Table:
    return Table(
        "champions",
        "Champions",
        ("Organisation", "Items", "Submitted", "Updated", "Confirmed as active", "Examples"),
        [
            (c.name, c.items, c.submitted, c.updated, c.confirmed, "; ".join(e.title for e in c.examples))
            for c in champions(scope)
        ],
    )


def _table_programmes(scope: Scope) -> Table:
    if scope.programme is not None:
        raise RuleViolation("The per-programme table belongs to the network-wide view.", field="programme")
    return Table(
        "programmes",
        "Programmes",
        ("Programme", "Partners", "Reported", "Rate (%)"),
        [(line.name, line.partners, line.reported, _percent(line.rate)) for line in programme_lines(scope)],
    )


def _table_gaps(scope: Scope) -> Table:
    items = _year_items(scope)
    found = gaps(sdgs(items), countries(items), categories(items), [])
    rows = [("SDG without items", c.label, 0) for c in found.sdgs_without]
    rows += [("SDG with few items", c.label, c.count) for c in found.sdgs_few]
    rows += [("Category without initiatives", c.label, 0) for c in found.thin_categories if not c.count]
    rows += [("Thin category", c.label, c.count) for c in found.thin_categories if c.count]
    rows += [("Country with few items", c.label, c.count) for c in found.countries_few]
    rows += [("Country without items", c.label, 0) for c in found.countries_without]
    return Table("gaps", "Gaps", ("Gap", "Value", "Items"), rows)


TABLES = {
    "partners": _table_partners,
    "not-reported": _table_not_reported,
    "never-contributed": _table_never,
    "trend": _table_trend,
    "champions": _table_champions,
    "programmes": _table_programmes,
    "gaps": _table_gaps,
    "kinds": lambda scope: _counts_table("kinds", "Items by kind", "Kind", kinds(_year_items(scope))),
    "categories": lambda scope: _counts_table(
        "categories", "Initiatives by activity category", "Activity category", categories(_year_items(scope))
    ),
    "sdgs": lambda scope: _counts_table("sdgs", "Items by SDG", "SDG", sdgs(_year_items(scope))),
    "countries": lambda scope: _counts_table("countries", "Items by country", "Country", countries(_year_items(scope))),
    "regions": lambda scope: _counts_table("regions", "Items by region", "Region", regions(_year_items(scope))),
    "themes": lambda scope: _counts_table("themes", "Items by theme", "Theme", themes(_year_items(scope))),
    "portfolio": lambda scope: _counts_table(
        "portfolio", "Items by portfolio status", "Portfolio status", portfolio(scope, _year_items(scope))
    ),
}


def table(scope: Scope, name: str) -> Table:
    """One of the dashboard's tables, for CSV; an unknown name is NotFound."""
    if name not in TABLES:
        raise NotFound(name)
    return TABLES[name](scope)


# Spreadsheets run a cell that starts with one of these as a formula: such text gets a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str | int | float:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """The table as CSV text, with a byte-order mark so that spreadsheets read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return "\ufeff" + buffer.getvalue()


# --- Reminders ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderOutcome:
    organisation_id: int
    organisation: str
    recipients: tuple[str, ...]
    skipped: str | None = None  # why no reminder went out

    @property
    def sent(self) -> bool:
        return self.skipped is None


def send_reminders(
    actor: User | None,
    programme: Programme,
    year: int | None = None,
    organisation_ids: list[int] | None = None,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[ReminderOutcome]:
    """Remind the programme's partners that have not reported this year (or only ``organisation_ids``).

    A partner reminded for this programme within ``REMINDER_INTERVAL_DAYS`` is skipped, and so is one
    without an active account. Each reminder mails the organisation's active partner accounts and is
    recorded. ``actor`` None is the command line. With ``dry_run`` nothing is written.
    """
    if actor is not None and not moderates(actor, programme):
        raise PermissionDenied("You do not moderate this programme.")
    now = now or utcnow()
    this_year = current_year(now)
    if year is not None and year != this_year:
        raise RuleViolation(f"Reminders go out for the current reporting year ({this_year}) only.", field="year")
    scope = Scope(programme, reporting_period(this_year), now)
    rows = {row.organisation_id: row for row in partner_rows(scope)}
    if organisation_ids is not None:
        unknown = [org_id for org_id in organisation_ids if org_id not in rows]
        if unknown:
            raise RuleViolation(f"That organisation is not a partner of {programme.name}.", field="organisation")
        wanted = [rows[org_id] for org_id in organisation_ids]
    else:
        wanted = list(rows.values())
    wanted = [row for row in wanted if not row.reported]
    recipients = _recipients([row.organisation_id for row in wanted])
    outcomes = []
    for row in wanted:
        emails = tuple(recipients.get(row.organisation_id, ()))
        if row.next_reminder_from is not None:
            skipped = f"reminded on {row.last_reminder:%d %b %Y}; next reminder from {row.next_reminder_from:%d %b %Y}"
        elif not emails:
            skipped = "no active partner account"
        else:
            skipped = None
        outcomes.append(ReminderOutcome(row.organisation_id, row.name, emails, skipped))
    if not dry_run:
        for outcome in outcomes:
            if outcome.sent:
                _remind(outcome, programme, scope.period, actor, now)
        db.session.flush()
    return outcomes


def describe_outcomes(outcomes: list[ReminderOutcome]) -> list[tuple[str, str]]:
    """Flash messages, as (category, text), that say who was reminded and who was not, and why."""
    if not outcomes:
        return [("success", "Every partner has reported: there is nobody to remind.")]
    messages = []
    sent = [outcome for outcome in outcomes if outcome.sent]
    if sent:
        people = sum(len(outcome.recipients) for outcome in sent)
        names = ", ".join(outcome.organisation for outcome in sent[:5]) + (" and others" if len(sent) > 5 else "")
        messages.append(
            (
                "success",
                f"Reminder sent to {len(sent)} partner{'s' if len(sent) != 1 else ''} "
                f"({people} {'person' if people == 1 else 'people'}): {names}.",
            )
        )
    skipped = [outcome for outcome in outcomes if not outcome.sent]
    if skipped:
        reasons = "; ".join(f"{outcome.organisation}: {outcome.skipped}" for outcome in skipped[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        messages.append(("info", f"Not reminded: {reasons}{more}."))
    return messages


def _recipients(organisation_ids: list[int]) -> dict[int, list[str]]:
    """Active partner accounts per organisation."""
    found: dict[int, list[str]] = {}
    if not organisation_ids:
        return found
    rows = db.session.execute(
        select(User.organisation_id, User.email)
        .where(User.organisation_id.in_(organisation_ids), User.role == "partner", User.active.is_(True))
        .order_by(User.email)
    )
    for organisation_id, email in rows:
        found.setdefault(organisation_id, []).append(email)
    return found


def _remind(outcome: ReminderOutcome, programme: Programme, period: Period, actor: User | None, now: datetime) -> None:
    subject = f"Reminder: report your {period.label} work to {programme.name}"
    body = (
        f"Hello,\n\n{outcome.organisation} has not yet reported to the {programme.name} programme for "
        f"{period.label}.\n\nThere is no separate report to write: what you upload is your report. Submit a new "
        f"initiative or resource for {programme.name}, update one of your items, or confirm that an item is still "
        f"active, before {period.last_day:%d %B %Y}.\n\nSee where your organisation stands: "
        f"{notifications.absolute_url('partner.dashboard')}\n\n— {current_app.config['SITE_NAME']}\n"
    )
    for email in outcome.recipients:
        mail.queue(email, subject, body, topic="reporting")
    db.session.add(
        Reminder(
            organisation_id=outcome.organisation_id,
            programme_id=programme.id,
            year=period.year,
            created_at=now,
            sent_by_id=actor.id if actor is not None else None,
        )
    )
    log.info(
        "Reporting reminder to %s for %s (%d recipients)", outcome.organisation, programme.slug, len(outcome.recipients)
    )


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
    programme_ids = [partnership.programme_id for partnership in organisation.partnerships]
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
    for partnership in sorted(organisation.partnerships, key=lambda p: p.programme.position):
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
    public = (
        select(Item.id)
        .join(ItemProgramme, ItemProgramme.item_id == Item.id)
        .where(ItemProgramme.programme_id == programme.id, public_clause(now))
    )
    kind_counts = _grouped(select(Item.kind, func.count()).where(Item.id.in_(public)).group_by(Item.kind))
    countries_reached = db.session.scalar(
        select(func.count(distinct(ItemCountry.code))).where(ItemCountry.item_id.in_(public))
    )
    worldwide = db.session.scalar(select(func.count()).where(Item.id.in_(public), Item.is_global.is_(True)))
    goals = db.session.scalars(
        select(item_sdgs.c.sdg_number)
        .where(item_sdgs.c.item_id.in_(public))
        .distinct()
        .order_by(item_sdgs.c.sdg_number)
    ).all()
    partners = db.session.scalar(select(func.count()).where(Partnership.programme_id == programme.id))
    return Achievements(
        initiatives=kind_counts.get("initiative", 0),
        resources=kind_counts.get("resource", 0),
        partners=partners or 0,
        countries=countries_reached or 0,
        worldwide=worldwide or 0,
        sdgs=list(goals),
        categories=categories(public),
        champions=_public_champions(programme, now),
    )


def _public_champions(programme: Programme, now: datetime) -> list[PublicChampion]:
    """Partners with the most public items submitted, updated or confirmed in the last 12 months."""
    recent = (
        _contributions(programme.id, now - timedelta(days=ACTIVE_DAYS), now + timedelta(seconds=1))
        .where(public_clause(now))
        .subquery()
    )
    items = func.count(distinct(recent.c.item_id))
    rows = db.session.execute(
        select(Organisation.name, items)
        .join(recent, recent.c.organisation_id == Organisation.id)
        .join(
            Partnership,
            and_(Partnership.organisation_id == Organisation.id, Partnership.programme_id == programme.id),
        )
        .group_by(Organisation.id, Organisation.name)
        .order_by(items.desc(), Organisation.name)
        .limit(PUBLIC_CHAMPIONS)
    )
    return [PublicChampion(name, count) for name, count in rows]
