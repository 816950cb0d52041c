"""Items counted along the vocabularies (kind, category, SDG, country, region, theme, portfolio status),
and the gaps those counts show.

A count holds its vocabulary's value, never its label: the label is read when the page or the CSV is
made, in the visitor's language, so that one kept set of figures serves every language."""

from dataclasses import dataclass, field

from sqlalchemy import Select, String, and_, case, cast, distinct, func, literal, select, union_all

from portal import vocab
from portal.catalogue.reporting.partners import PartnerRow
from portal.catalogue.reporting.period import ReportScope
from portal.catalogue.reporting.sql import contributions
from portal.extensions import db
from portal.models import Item, ItemCountry, ItemProgramme, ItemTheme, PortfolioEntry, item_sdgs

FEW_SHARE = 0.5
PRIORITY_CATEGORY = "implementation"


LABELS = {
    "kind": lambda key: vocab.label(vocab.KINDS, key),
    "category": lambda key: vocab.label(vocab.ACTIVITY_CATEGORIES, key),
    "sdg": lambda key: vocab.sdg_label(int(key)),
    "country": vocab.country_name,  # "global" too
    "region": lambda key: vocab.label(vocab.REGIONS, key),
    "theme": lambda key: vocab.label(vocab.THEMES, key),
    "portfolio": lambda key: vocab.label(vocab.PORTFOLIO_STATUSES, key),
}


@dataclass(frozen=True)
class Count:
    """One row of a breakdown: a value of a vocabulary (``dimension``, a key of ``LABELS``) and how many
    items have it."""

    dimension: str
    key: str
    count: int

    @property
    def label(self) -> str:
        """The value's label in the interface language."""
        return LABELS[self.dimension](self.key)


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


def _complete(dimension: str, vocabulary, counts: dict) -> list[Count]:
    """Every value of ``vocabulary`` in order, with its count (0 when absent)."""
    return [Count(dimension, str(value), counts.get(str(value), 0)) for value, *_ in vocabulary]


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
    country_counts = [Count("country", code, number) for code, number in countries]
    worldwide = sum(found.get("global", {}).values())
    if worldwide:
        country_counts.append(Count("country", vocab.GLOBAL, worldwide))
    return Breakdowns(
        kinds=_complete("kind", vocab.KINDS, found.get("kind", {})),
        categories=_complete("category", vocab.ACTIVITY_CATEGORIES, found.get("category", {})),
        sdgs=_complete("sdg", vocab.SDGS, found.get("sdg", {})),
        countries=country_counts,
        regions=[c for c in _complete("region", vocab.REGIONS, found.get("region", {})) if c.count or c.key != "AN"],
        themes=sorted(_complete("theme", vocab.THEMES, found.get("theme", {})), key=lambda count: -count.count),
        portfolio=_complete("portfolio", vocab.PORTFOLIO_STATUSES, found.get("portfolio", {})),
        organisations={int(key): number for key, number in found.get("organisation", {}).items()},
    )


def year_breakdowns(scope: ReportScope) -> Breakdowns:
    """The items that counted for the scope's year, by every dimension."""
    events = contributions(scope.programme_id, scope.period.start, scope.period.end).subquery()
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
        countries_without=[Count("country", code, 0) for code, _name in vocab.countries() if code not in reached],
        countries_few=_few(real_countries),
        never_contributed=[row for row in partners if row.never_contributed],
        thin_categories=[count for count in counts.categories if count.count == 0] + _few(counts.categories),
        priority=priority,
        priority_share=(priority.count / total_initiatives) if priority and total_initiatives else None,
    )
