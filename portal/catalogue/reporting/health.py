"""Partnership health on a programme's reporting dashboard.

Five indicators side by side, each with the thresholds it is judged by (shown on the dashboard), summed
up in a plain-language verdict:

- active partners: the share of partners that contributed in the last 12 months;
- partner balance: partnerships that started in the year against those that lapsed (ended in the year, or
  whose organisation has contributed before but not in the last 12 months);
- reporting rate: the year's, against the network's target;
- reporting rate over five years: its change since the first of the five years;
- items about to lapse: the share of the programme's public items that become inactive within
  ``INACTIVE_WARNING_DAYS``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.catalogue.reporting.partners import PartnerRow, Summary, TrendPoint
from portal.catalogue.reporting.period import ReportScope
from portal.catalogue.reporting.sql import of_programme
from portal.catalogue.visibility import becomes_inactive_soon_clause, public_clause
from portal.extensions import db
from portal.models import Item, Partnership

# Thresholds: (good from, concern below) for shares; see each indicator.
ACTIVE_GOOD, ACTIVE_CONCERN = 0.60, 0.40
LAPSING_GOOD, LAPSING_CONCERN = 0.10, 0.25  # good up to, concern above
RATE_FALL_WATCH, RATE_FALL_CONCERN = 0.05, 0.15  # fall of the rate over five years, in points of 100 %

GOOD, WATCH, CONCERN, UNKNOWN = "good", "watch", "concern", "unknown"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    shown: str  # the value in words: "62 %", "4 new, 2 lapsed"
    good_when: str
    concern_when: str
    status: str  # GOOD, WATCH, CONCERN or UNKNOWN (nothing to judge)


@dataclass(frozen=True)
class Health:
    indicators: list[Indicator]
    verdict: str  # "healthy", "attention", "risk" or "unknown"
    summary: str  # the verdict in a sentence
    new_partners: int
    ended_partners: int
    quiet_partners: int
    public_items: int
    lapsing_items: int

    @property
    def lapsed_partners(self) -> int:
        return self.ended_partners + self.quiet_partners


def _share_status(value: float | None, good: float, concern: float, *, higher_is_better: bool = True) -> str:
    if value is None:
        return UNKNOWN
    if higher_is_better:
        return GOOD if value >= good else CONCERN if value < concern else WATCH
    return GOOD if value <= good else CONCERN if value > concern else WATCH


def _balance_status(new: int, lapsed: int) -> str:
    if new >= lapsed:
        return GOOD
    return CONCERN if lapsed > 2 * new else WATCH


def partnership_changes(programme_id: int | None, start: datetime, end: datetime, now: datetime) -> tuple[int, int]:
    """(partnerships that started, partnerships that ended) in [start, end); an end after ``now`` has not
    happened yet."""
    query = select(
        func.count().filter(Partnership.joined_on >= start.date(), Partnership.joined_on < end.date()),
        func.count().filter(
            Partnership.ended_on >= start.date(), Partnership.ended_on < end.date(), Partnership.ended_on <= now.date()
        ),
    )
    if programme_id is not None:
        query = query.where(Partnership.programme_id == programme_id)
    new, ended = db.session.execute(query).one()
    return new or 0, ended or 0


def lapsing_share(programme_id: int | None, now: datetime) -> tuple[int, int]:
    """(public items of the programme, those of them about to lapse)."""
    public, lapsing = db.session.execute(
        select(func.count(), func.count().filter(becomes_inactive_soon_clause(now)))
        .select_from(Item)
        .where(of_programme(programme_id), public_clause(now))
    ).one()
    return public or 0, lapsing or 0


def health(
    *,
    partners: int,
    active: int,
    rate: float | None,
    target: float,
    rates: Sequence[float | None],
    new: int,
    ended: int,
    quiet: int,
    public_items: int,
    lapsing_items: int,
) -> Health:
    """The indicators and the verdict. ``rates``: the reporting rate of each of the five years, oldest first;
    ``quiet``: partners that contributed before but not in the last 12 months."""
    active_share = active / partners if partners else None
    lapsing = lapsing_items / public_items if public_items else None
    known = [value for value in rates if value is not None]
    change = known[-1] - known[0] if len(known) >= 2 else None
    lapsed = ended + quiet
    indicators = [
        Indicator(
            "active", _("Partners active in the last 12 months"), _percent(active_share),
            _("%(share)s or more", share=_percent(ACTIVE_GOOD)), _("below %(share)s", share=_percent(ACTIVE_CONCERN)),
            _share_status(active_share, ACTIVE_GOOD, ACTIVE_CONCERN),
        ),
        Indicator(
            "balance", _("New and lapsed partners"), _("%(new)d new, %(lapsed)d lapsed", new=new, lapsed=lapsed),
            _("as many new as lapsed, or more"), _("more than twice as many lapsed as new"),
            _balance_status(new, lapsed),
        ),
        Indicator(
            "rate", _("Reporting rate in the year"), _percent(rate),
            _("%(share)s or more (the target)", share=_percent(target)),
            _("below %(share)s (half the target)", share=_percent(target / 2)),
            _share_status(rate, target, target / 2),
        ),
        Indicator(
            "rate_trend", _("Reporting rate over five years"),
            "—" if change is None else _("%(first)s to %(last)s", first=_percent(known[0]), last=_percent(known[-1])),
            _("steady or rising (a fall under %(points)d points)", points=round(RATE_FALL_WATCH * 100)),
            _("a fall of more than %(points)d points", points=round(RATE_FALL_CONCERN * 100)),
            UNKNOWN if change is None else _share_status(-change, RATE_FALL_WATCH, RATE_FALL_CONCERN,
                                                         higher_is_better=False),
        ),
        Indicator(
            "lapsing", _("Public items about to become inactive"), _percent(lapsing),
            _("%(share)s or less", share=_percent(LAPSING_GOOD)), _("above %(share)s", share=_percent(LAPSING_CONCERN)),
            _share_status(lapsing, LAPSING_GOOD, LAPSING_CONCERN, higher_is_better=False),
        ),
    ]
    verdict, summary = _verdict(indicators)
    return Health(indicators, verdict, summary, new, ended, quiet, public_items, lapsing_items)


def _verdict(indicators: list[Indicator]) -> tuple[str, str]:
    judged = [indicator for indicator in indicators if indicator.status != UNKNOWN]
    concerns = [indicator.label.lower() for indicator in judged if indicator.status == CONCERN]
    watches = [indicator.label.lower() for indicator in judged if indicator.status == WATCH]
    if not judged:
        return "unknown", _("Not enough data to judge the partnership's health yet.")
    if len(concerns) >= 2:
        return "risk", _("At risk: %(what)s are of concern.", what=", ".join(concerns))
    if concerns or len(watches) >= 2:
        return "attention", _("Needs attention: %(what)s.", what=", ".join(concerns + watches))
    if watches:
        return "healthy", _("Healthy, with one thing to watch: %(what)s.", what=watches[0])
    return "healthy", _("Healthy: every indicator is good.")




def partnership_health(
    scope: ReportScope, totals: Summary, points: list[TrendPoint], partners: list[PartnerRow]
) -> Health:
    """The health of ``scope`` from the dashboard's summary, trend and partner rows, plus two counts."""
    new, ended = partnership_changes(scope.programme_id, scope.period.start, scope.period.end, scope.now)
    public, lapsing = lapsing_share(scope.programme_id, scope.now)
    return health(
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
