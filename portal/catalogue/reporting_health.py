"""Partnership health and trends, for a programme's reporting dashboard.

**Health** puts five indicators side by side, each with the thresholds it is judged by (shown on the
dashboard), and sums them up in a plain-language verdict:

- active partners: the share of partners that contributed in the last 12 months;
- partner balance: partnerships that started in the year against those that lapsed (ended in the year, or
  whose organisation has contributed before but not in the last 12 months);
- reporting rate: the year's, against the network's target;
- reporting rate over five years: its change since the first of the five years;
- items about to lapse: the share of the programme's public items that become inactive within
  ``INACTIVE_WARNING_DAYS``.

**Trends** count the programme's *new items* (created in the year, neither drafts nor rejected) per
activity category, theme and SDG for each of the five years, and name the biggest risers and fallers
between the last two years. A theme is **emerging** when its new items at least doubled (and reached
``EMERGING_MIN``).

The functions take what they need (counts, rows, periods) rather than the reporting module's objects, so
that this module moves as it is into a reporting package.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import String, case, cast, func, literal, select, union_all

from portal import vocab
from portal.catalogue.visibility import becomes_inactive_soon_clause, public_clause
from portal.extensions import db
from portal.models import Item, ItemProgramme, ItemTheme, Partnership, item_sdgs

# Thresholds: (good from, concern below) for shares; see each indicator.
ACTIVE_GOOD, ACTIVE_CONCERN = 0.60, 0.40
LAPSING_GOOD, LAPSING_CONCERN = 0.10, 0.25  # good up to, concern above
RATE_FALL_WATCH, RATE_FALL_CONCERN = 0.05, 0.15  # fall of the rate over five years, in points of 100 %
EMERGING_MIN = 3
MOVERS = 3

GOOD, WATCH, CONCERN, UNKNOWN = "good", "watch", "concern", "unknown"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


# --- Health ---------------------------------------------------------------------------------------------


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


def _of_programme(programme_id: int | None):
    if programme_id is None:
        return Item.id.is_not(None)
    return Item.id.in_(select(ItemProgramme.item_id).where(ItemProgramme.programme_id == programme_id))


def lapsing_share(programme_id: int | None, now: datetime) -> tuple[int, int]:
    """(public items of the programme, those of them about to lapse)."""
    public, lapsing = db.session.execute(
        select(func.count(), func.count().filter(becomes_inactive_soon_clause(now)))
        .select_from(Item)
        .where(_of_programme(programme_id), public_clause(now))
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


# --- Trends -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    """One value of a vocabulary and its new items in each year (oldest first)."""

    key: str
    label: str
    counts: tuple[int, ...]

    @property
    def before(self) -> int:
        return self.counts[-2] if len(self.counts) > 1 else 0

    @property
    def now(self) -> int:
        return self.counts[-1]

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def doubled(self) -> bool:
        return self.now >= EMERGING_MIN and self.now >= 2 * self.before


@dataclass(frozen=True)
class DimensionTrend:
    key: str  # "categories", "themes", "sdgs"
    title: str
    value_header: str
    rows: list[TrendRow]

    @property
    def risers(self) -> list[TrendRow]:
        return sorted((row for row in self.rows if row.change > 0), key=lambda row: (-row.change, row.label))[:MOVERS]

    @property
    def fallers(self) -> list[TrendRow]:
        return sorted((row for row in self.rows if row.change < 0), key=lambda row: (row.change, row.label))[:MOVERS]


@dataclass(frozen=True)
class Trends:
    years: tuple[str, ...]  # the periods' labels, oldest first
    dimensions: list[DimensionTrend]
    emerging_min: int = EMERGING_MIN

    @property
    def emerging(self) -> list[TrendRow]:
        """Themes whose new items at least doubled from last year (and reached EMERGING_MIN)."""
        themes = next(dimension for dimension in self.dimensions if dimension.key == "themes")
        return [row for row in themes.rows if row.doubled]

    def dimension(self, key: str) -> DimensionTrend:
        return next(dimension for dimension in self.dimensions if dimension.key == key)


def trends(programme_id: int | None, periods: Sequence, excluded_states: Sequence[str]) -> Trends:
    """New items per activity category (initiatives), theme and SDG in each of ``periods`` (objects with
    ``start``, ``end`` and ``label``, oldest first), counted in one grouped query."""
    # The latest period that started before the item was created is its year.
    index_of = case(*((Item.created_at >= period.start, index) for index, period in reversed(list(enumerate(periods)))))
    new_items = (
        select(Item.id.label("item_id"), index_of.label("year"), Item.activity_category.label("category"),
               Item.kind.label("kind"))
        .where(
            _of_programme(programme_id),
            Item.state.not_in(excluded_states),
            Item.created_at >= periods[0].start,
            Item.created_at < periods[-1].end,
        )
        .cte("new_items")
    )
    category = (
        select(literal("categories"), cast(new_items.c.category, String), new_items.c.year, func.count())
        .where(new_items.c.kind == "initiative", new_items.c.category.is_not(None))
        .group_by(new_items.c.category, new_items.c.year)
    )
    theme = (
        select(literal("themes"), cast(ItemTheme.theme, String), new_items.c.year, func.count())
        .join(new_items, new_items.c.item_id == ItemTheme.item_id)
        .group_by(ItemTheme.theme, new_items.c.year)
    )
    sdg = (
        select(literal("sdgs"), cast(item_sdgs.c.sdg_number, String), new_items.c.year, func.count())
        .join(new_items, new_items.c.item_id == item_sdgs.c.item_id)
        .where(item_sdgs.c.sdg_number != vocab.HOME_SDG)
        .group_by(item_sdgs.c.sdg_number, new_items.c.year)
    )
    found: dict[tuple[str, str], list[int]] = {}
    for dimension, key, position, number in db.session.execute(union_all(category, theme, sdg)):
        found.setdefault((dimension, key), [0] * len(periods))[int(position)] = number

    def rows(dimension: str, vocabulary) -> list[TrendRow]:
        return [
            TrendRow(str(value), label, tuple(found.get((dimension, str(value)), [0] * len(periods))))
            for value, label in vocabulary
        ]

    sdgs = [(number, vocab.sdg_label(number)) for number, _title in vocab.SDGS if number != vocab.HOME_SDG]
    return Trends(
        tuple(period.label for period in periods),
        [
            DimensionTrend("categories", _("New initiatives by activity category"), _("Activity category"),
                           rows("categories", vocab.ACTIVITY_CATEGORIES)),
            DimensionTrend("themes", _("New items by theme"), _("Theme"), rows("themes", vocab.THEMES)),
            DimensionTrend("sdgs", _("New items by SDG (besides SDG 12)"), _("SDG"), rows("sdgs", sdgs)),
        ],
    )
