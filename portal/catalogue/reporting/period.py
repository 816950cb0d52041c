"""Reporting years and what a report covers: one programme (or the network) in one year."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.catalogue import PermissionDenied, RuleViolation
from portal.catalogue.parsing import positive_int
from portal.catalogue.permissions import is_admin, moderates
from portal.catalogue.programmes import desk_programmes
from portal.extensions import db
from portal.models import Programme, User, utcnow

NETWORK = "all"  # the ``programme`` parameter of the network-wide view (admins)
FIRST_YEAR = 2000


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
class ReportScope:
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
        return self.programme.name if self.programme is not None else _("All programmes (network)")

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
        message = _("The year must be a number from %(first)s to %(latest)s.", first=FIRST_YEAR, latest=latest)
        raise RuleViolation(message, field="year")
    return year


def open_scope(actor: User, programme: str | None, year: str | int | None, now: datetime | None = None) -> ReportScope:
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
            raise PermissionDenied(_("You do not moderate any programme yet."))
    period = reporting_period(_parse_year(year, now))
    if slug == NETWORK:
        if not is_admin(actor):
            raise PermissionDenied(_("Only the secretariat sees the network-wide report."))
        return ReportScope(None, period, now)
    found = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if found is None:
        raise RuleViolation(_("There is no programme called “%(slug)s”.", slug=slug[:40]), field="programme")
    if not moderates(actor, found):
        raise PermissionDenied(_("You do not moderate this programme."))
    return ReportScope(found, period, now)


def years_up_to(scope: ReportScope, years: int) -> list[Period]:
    """The scope's year and the ``years - 1`` before it, oldest first."""
    return [reporting_period(year) for year in range(scope.period.year - years + 1, scope.period.year + 1)]
