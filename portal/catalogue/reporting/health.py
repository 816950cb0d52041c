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
    """One indicator: its ``key``, its ``status`` and the numbers it shows (``values``: see ``WORDS``); the
    words around them are read in the interface language when shown."""

    key: str
    status: str  # GOOD, WATCH, CONCERN or UNKNOWN (nothing to judge)
    values: tuple[float | None, ...]

    @property
    def label(self) -> str:
        return WORDS[self.key][0]()

    @property
    def shown(self) -> str:
        """The value in words: "62 %", "4 new, 2 lapsed"."""
        return WORDS[self.key][1](*self.values)

    @property
    def good_when(self) -> str:
        return WORDS[self.key][2](*self.values)

    @property
    def concern_when(self) -> str:
        return WORDS[self.key][3](*self.values)


# key → (label, shown, good when, concern when), each a function of the indicator's values.
WORDS = {
    "active": (  # (share,)
        lambda: _("Partners active in the last 12 months"),
        _percent,
        lambda share: _("%(share)s or more", share=_percent(ACTIVE_GOOD)),
        lambda share: _("below %(share)s", share=_percent(ACTIVE_CONCERN)),
    ),
    "balance": (  # (new, lapsed)
        lambda: _("New and lapsed partners"),
        lambda new, lapsed: _("%(new)d new, %(lapsed)d lapsed", new=new, lapsed=lapsed),
        lambda new, lapsed: _("as many new as lapsed, or more"),
        lambda new, lapsed: _("more than twice as many lapsed as new"),
    ),
    "rate": (  # (rate, target)
        lambda: _("Reporting rate in the year"),
        lambda rate, target: _percent(rate),
        lambda rate, target: _("%(share)s or more (the target)", share=_percent(target)),
        lambda rate, target: _("below %(share)s (half the target)", share=_percent(target / 2)),
    ),
    "rate_trend": (  # (first, last), or () when not enough years have a rate
        lambda: _("Reporting rate over five years"),
        lambda *rates: _("%(first)s to %(last)s", first=_percent(rates[0]), last=_percent(rates[1])) if rates else "—",
        lambda *rates: _("steady or rising (a fall under %(points)d points)", points=round(RATE_FALL_WATCH * 100)),
        lambda *rates: _("a fall of more than %(points)d points", points=round(RATE_FALL_CONCERN * 100)),
    ),
    "lapsing": (  # (share,)
        lambda: _("Public items about to become inactive"),
        _percent,
        lambda share: _("%(share)s or less", share=_percent(LAPSING_GOOD)),
        lambda share: _("above %(share)s", share=_percent(LAPSING_CONCERN)),
    ),
}


@dataclass(frozen=True)
class Health:
    indicators: list[Indicator]
    verdict: str  # "healthy", "attention", "risk" or "unknown"
    new_partners: int
    ended_partners: int
    quiet_partners: int
    public_items: int
    lapsing_items: int

    @property
    def lapsed_partners(self) -> int:
        return self.ended_partners + self.quiet_partners

    @property
    def summary(self) -> str:
        """The verdict in a sentence."""
        return _verdict_words(self.verdict, self.indicators)


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
        Indicator("active", _share_status(active_share, ACTIVE_GOOD, ACTIVE_CONCERN), (active_share,)),
        Indicator("balance", _balance_status(new, lapsed), (new, lapsed)),
        Indicator("rate", _share_status(rate, target, target / 2), (rate, target)),
        Indicator(
            "rate_trend",
            UNKNOWN if change is None else _share_status(-change, RATE_FALL_WATCH, RATE_FALL_CONCERN,
                                                         higher_is_better=False),
            () if change is None else (known[0], known[-1]),
        ),
        Indicator("lapsing", _share_status(lapsing, LAPSING_GOOD, LAPSING_CONCERN, higher_is_better=False),
                  (lapsing,)),
    ]
    return Health(indicators, _verdict(indicators), new, ended, quiet, public_items, lapsing_items)


def _verdict(indicators: list[Indicator]) -> str:
    judged = [indicator.status for indicator in indicators if indicator.status != UNKNOWN]
    concerns, watches = judged.count(CONCERN), judged.count(WATCH)
    if not judged:
        return "unknown"
    if concerns >= 2:
        return "risk"
    if concerns or watches >= 2:
        return "attention"
    return "healthy"


def _verdict_words(verdict: str, indicators: list[Indicator]) -> str:
    """The verdict in a sentence, naming the indicators of concern and to watch."""
    concerns = [indicator.label.lower() for indicator in indicators if indicator.status == CONCERN]
    watches = [indicator.label.lower() for indicator in indicators if indicator.status == WATCH]
    if verdict == "unknown":
        return _("Not enough data to judge the partnership's health yet.")
    if verdict == "risk":
        return _("At risk: %(what)s are of concern.", what=", ".join(concerns))
    if verdict == "attention":
        return _("Needs attention: %(what)s.", what=", ".join(concerns + watches))
    if watches:
        return _("Healthy, with one thing to watch: %(what)s.", what=watches[0])
    return _("Healthy: every indicator is good.")


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
