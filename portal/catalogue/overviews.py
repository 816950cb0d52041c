"""Pages across programmes: a country (its needs, the public items active there, the offers that fit)
and a theme (its items per programme, where programmes meet on it, its needs and offers).

Counts and lists of items come from the catalogue search (public scope: the visibility rule), so a
number here is what the linked search shows.
"""

from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from portal import search, vocab
from portal.catalogue import NotFound, matching, needs
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.reporting.cache import cached
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import CountryNeed, Item, ItemProgramme, ItemTheme, Programme, utcnow

LISTED = 5


def _public(filters: CatalogueFilters, listed: int = LISTED) -> search.SearchResult:
    filters = replace(filters, sort="newest", per_page=listed)
    return search.search(filters, with_facets=False, suggest=False, highlights=False)


@dataclass(frozen=True)
class CountryOverview:
    code: str
    name: str
    region: str | None  # region code (vocab.REGIONS)
    needs: list[CountryNeed]  # open needs of the country
    matches: list[matching.Matches]  # per need, its best offers
    in_country: search.SearchResult  # public items that name the country
    in_region: search.SearchResult | None  # public items that name any country of its region (it included)
    worldwide: search.SearchResult  # public items marked "Global"

    @property
    def region_name(self) -> str:
        return vocab.label(vocab.REGIONS, self.region) if self.region else ""


def country_overview(code: str, best_per_need: int = 3) -> CountryOverview:
    code = (code or "").upper()
    if code not in vocab.country_codes():
        raise NotFound(code)
    region = vocab.country_regions().get(code)
    open_needs = needs.list_needs(needs.NeedFilters(country=(code,)), per_page=100).needs
    return CountryOverview(
        code=code,
        name=vocab.country_name(code),
        region=region,
        needs=open_needs,
        matches=[matching.matches_for(need, limit=best_per_need) for need in open_needs],
        in_country=_public(CatalogueFilters(country=(code,))),
        in_region=_public(CatalogueFilters(region=(region,)), listed=1) if region else None,
        worldwide=_public(CatalogueFilters(country=(vocab.GLOBAL,)), listed=1),
    )


@dataclass(frozen=True)
class ThemeOverview:
    theme: str
    label: str
    total: int  # public items with the theme
    per_programme: list[tuple[Programme, int]]
    overlap: dict[tuple[int, int], int]  # (programme id, programme id) → public items in both, with the theme
    programmes: list[Programme]
    needs: list[CountryNeed]
    offers: search.SearchResult

    def shared(self, first: Programme, second: Programme) -> int:
        return self.overlap.get((min(first.id, second.id), max(first.id, second.id)), 0)


def _overlap(theme: str) -> dict[tuple[int, int], int]:
    """Public items of ``theme`` in each pair of programmes (kept until the data changes: it reads every
    public item of the theme, about 0.4 s at 100 000 items on a busy machine)."""
    return cached("theme_overlap", (theme, utcnow().date()), lambda: _count_overlap(theme))


def _count_overlap(theme: str) -> dict[tuple[int, int], int]:
    first, second = aliased(ItemProgramme), aliased(ItemProgramme)
    rows = db.session.execute(
        select(first.programme_id, second.programme_id, func.count())
        .select_from(ItemTheme)
        .join(Item, Item.id == ItemTheme.item_id)
        .join(first, first.item_id == ItemTheme.item_id)
        .join(second, and_(second.item_id == ItemTheme.item_id, second.programme_id > first.programme_id))
        .where(ItemTheme.theme == theme, public_clause())
        .group_by(first.programme_id, second.programme_id)
    )
    return {(a, b): count for a, b, count in rows}


def theme_overview(theme: str) -> ThemeOverview:
    if theme not in dict(vocab.THEMES):
        raise NotFound(theme)
    counted = search.search(CatalogueFilters(theme=(theme,), per_page=1), suggest=False, highlights=False)
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.position)))
    counts = counted.facets.get("programme", {})
    return ThemeOverview(
        theme=theme,
        label=vocab.label(vocab.THEMES, theme),
        total=counted.total,
        per_programme=[(programme, counts.get(programme.slug, 0)) for programme in programmes],
        overlap=_overlap(theme),
        programmes=programmes,
        needs=needs.list_needs(needs.NeedFilters(theme=(theme,)), per_page=100).needs,
        offers=_public(CatalogueFilters(theme=(theme,), offer=("yes",))),
    )
