"""Year-over-year trends on a programme's reporting dashboard.

They count the programme's *new items* (created in the year, neither drafts nor rejected) per activity
category, theme and SDG for each of the five years, and name the biggest risers and fallers between the
last two years. A theme is **emerging** when its new items at least doubled (and reached
``EMERGING_MIN``).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, select, union_all

from portal import vocab
from portal.catalogue.reporting.breakdowns import LABELS
from portal.catalogue.reporting.partners import TREND_YEARS
from portal.catalogue.reporting.period import ReportScope, years_up_to
from portal.catalogue.reporting.sql import NOT_COUNTED_STATES, of_programme, year_of
from portal.extensions import db
from portal.models import Item, ItemTheme, item_sdgs

EMERGING_MIN = 3
MOVERS = 3
# Each dimension: the vocabulary of its values (a dimension of ``breakdowns.LABELS``), its title and the
# header of its values' column, read in the interface language when shown.
DIMENSIONS = {
    "categories": ("category", _l("New initiatives by activity category"), _l("Activity category")),
    "themes": ("theme", _l("New items by theme"), _l("Theme")),
    "sdgs": ("sdg", _l("New items by SDG (besides SDG 12)"), _l("SDG")),
}


@dataclass(frozen=True)
class TrendRow:
    """One value of a vocabulary (``dimension``: see ``breakdowns.LABELS``) and its new items in each year
    (oldest first)."""

    dimension: str
    key: str
    counts: tuple[int, ...]

    @property
    def label(self) -> str:
        return LABELS[self.dimension](self.key)

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
    rows: list[TrendRow]

    @property
    def title(self) -> str:
        return str(DIMENSIONS[self.key][1])

    @property
    def value_header(self) -> str:
        return str(DIMENSIONS[self.key][2])

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
        return [row for row in self.dimension("themes").rows if row.doubled]

    def dimension(self, key: str) -> DimensionTrend:
        return next(dimension for dimension in self.dimensions if dimension.key == key)


def trends(scope: ReportScope) -> Trends:
    """New items per activity category (initiatives), theme and SDG in the scope's year and the four
    before, counted in one grouped query."""
    periods = years_up_to(scope, TREND_YEARS)
    new_items = (
        select(
            Item.id.label("item_id"),
            year_of(Item.created_at, periods).label("year"),
            Item.activity_category.label("category"),
            Item.kind.label("kind"),
        )
        .where(
            of_programme(scope.programme_id),
            Item.state.not_in(NOT_COUNTED_STATES),
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
    first = periods[0].year
    for dimension, key, year, number in db.session.execute(union_all(category, theme, sdg)):
        found.setdefault((dimension, key), [0] * len(periods))[int(year) - first] = number

    def rows(dimension: str, values) -> list[TrendRow]:
        empty = [0] * len(periods)
        vocabulary = DIMENSIONS[dimension][0]
        return [TrendRow(vocabulary, str(value), tuple(found.get((dimension, str(value)), empty))) for value in values]

    values = {
        "categories": vocab.values(vocab.ACTIVITY_CATEGORIES),
        "themes": vocab.values(vocab.THEMES),
        "sdgs": [number for number in vocab.values(vocab.SDGS) if number != vocab.HOME_SDG],
    }
    return Trends(
        tuple(period.label for period in periods),
        [DimensionTrend(dimension, rows(dimension, values[dimension])) for dimension in DIMENSIONS],
    )
