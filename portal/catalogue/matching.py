"""Match-making: the public offers that fit a country need, best first, with the reasons in words.

An **offer** is an item whose organisation ticked "Offer to other countries". It **fits** a need when
they share something besides SDG 12: a theme, another SDG, the kind of work (the need's activity
category; a training material counts as capacity building, a tool as tools and solutions, a policy
document as policy and instruments), the country or its region, a programme. Offers that fit are
ranked by what they share (``WEIGHTS``) plus how well their words match the need's: the need's title
and description go through the catalogue search (``portal.search.search``, its public interface) as one
query of OR-ed words, restricted to offers, and the best word matches earn up to ``WORDS`` points by
rank. Words alone never make an offer fit. A worldwide offer ("Global") counts for a global need; for a
country's need it adds a little to an offer that fits otherwise.

Only public items are offered (``visibility.public_clause`` in SQL, the public scope in search). The
public offers and their values are read in one statement that starts from the offers (the index
``ix_items_offers``) and looks their values up by key; that list is kept per process until the data
changes, so matching a need compares it in memory (a few milliseconds for thousands of offers) and
runs one search for the words (``benchmarks/matching.py``).
"""

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, cast, literal, select, union_all
from sqlalchemy.orm import lazyload

from portal import search, vocab
from portal.catalogue import notifications
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.item_fields import unique
from portal.catalogue.reporting.cache import cached
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import CountryNeed, Item, ItemCountry, ItemProgramme, ItemTheme, NeedNotice, item_sdgs, utcnow

WEIGHTS = {"theme": 3.0, "country": 3.0, "category": 2.0, "sdg": 2.0, "region": 1.0, "programme": 1.0}
WORLDWIDE = {"global need": 1.0, "country need": 0.5}
WORDS = 3.0
WORD_CANDIDATES = 40  # best word matches considered
MAX_QUERY_WORDS = 8  # the title's words first: each word costs a pass over its postings
SHOWN = 10  # matches listed on a need's page, and whose organisations are mailed
RESOURCE_CATEGORIES = {
    "training_material": "capacity_building",
    "tool": "tools_and_solutions",
    "policy_document": "policy_and_instruments",
}
# What a match's card does not show: not loaded with the best items (only on use).
_NOT_SHOWN = (Item.programme_links, Item.sdgs, Item.country_links, Item.theme_links, Item.portfolio_entries)
PROGRAMME_NAMES = {slug: name for slug, name, _description in vocab.PROGRAMMES}
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass
class _Shared:
    themes: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    category: str | None = None
    in_country: bool = False
    region_countries: int = 0
    worldwide: bool = False
    words: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    item: Item
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class Matches:
    need: CountryNeed
    best: list[Match]  # at most ``limit``, best first
    total: int  # every public offer that fits

    @property
    def organisations(self) -> list[str]:
        return unique(match.item.organisation.name for match in self.best)


@dataclass(frozen=True)
class _Offer:
    """A public offer with the values matching compares."""

    id: int
    category: str | None  # the activity category, or what a resource type counts as
    worldwide: bool
    themes: frozenset[str]
    sdgs: frozenset[int]
    programmes: frozenset[int]
    countries: frozenset[str]


def public_offers() -> dict[int, _Offer]:
    """Every public offer with its values by id, read once and kept until the data changes (the cache
    of ``reporting``, keyed by the day too since the visibility rule's window moves daily)."""
    return cached("offers", (utcnow().date(),), _read_offers)


def _read_offers() -> dict[int, _Offer]:
    """One statement: the public offers (from the index ``ix_items_offers`` alone), then their themes,
    SDGs, programmes and countries looked up by key."""
    offers = (
        select(Item.id, Item.activity_category, Item.resource_type, Item.is_global)
        .where(Item.is_offer.is_(True), public_clause())
        .cte("offers")
    )
    as_text = lambda column: cast(column, String)  # noqa: E731 - the parts of a UNION need one type
    values = union_all(
        select(offers.c.id, literal("theme"), ItemTheme.theme).join(ItemTheme, ItemTheme.item_id == offers.c.id),
        select(offers.c.id, literal("sdg"), as_text(item_sdgs.c.sdg_number))
        .join(item_sdgs, item_sdgs.c.item_id == offers.c.id),
        select(offers.c.id, literal("programme"), as_text(ItemProgramme.programme_id))
        .join(ItemProgramme, ItemProgramme.item_id == offers.c.id),
        select(offers.c.id, literal("country"), ItemCountry.code).join(ItemCountry, ItemCountry.item_id == offers.c.id),
    )
    found: dict[int, dict[str, set]] = {}
    for item_id, category, resource_type, worldwide in db.session.execute(select(offers)):
        found[item_id] = {"theme": set(), "sdg": set(), "programme": set(), "country": set(),
                          "row": (category or RESOURCE_CATEGORIES.get(resource_type or ""), bool(worldwide))}
    for item_id, kind, value in db.session.execute(values):
        if item_id in found:
            found[item_id][kind].add(int(value) if kind in ("sdg", "programme") else value)
    return {
        item_id: _Offer(item_id, *parts["row"], frozenset(parts["theme"]), frozenset(parts["sdg"]),
                        frozenset(parts["programme"]), frozenset(parts["country"]))
        for item_id, parts in found.items()
    }


def _region_codes(country: str) -> frozenset[str]:
    """The other countries of the need's region."""
    regions = vocab.country_regions()
    region = regions.get(country)
    if region is None:
        return frozenset()
    return frozenset(code for code, other in regions.items() if other == region and code != country)


@dataclass(frozen=True)
class _NeedValues:
    """A need's values as matching compares them."""

    themes: frozenset[str]
    sdgs: frozenset[int]
    programmes: dict[int, str]  # id → slug
    country: str | None  # None: a global need
    region: frozenset[str]  # the other countries of the country's region
    category: str | None

    @classmethod
    def of(cls, need: CountryNeed) -> "_NeedValues":
        country = need.country if need.country != vocab.GLOBAL else None
        return cls(
            themes=frozenset(need.themes),
            sdgs=frozenset(number for number in need.sdg_numbers if number != vocab.HOME_SDG),
            programmes={programme.id: programme.slug for programme in need.programmes},
            country=country,
            region=_region_codes(country) if country else frozenset(),
            category=need.category or None,
        )

    def points(self, offer: _Offer) -> float | None:
        """What ``offer`` shares with the need, weighed (``WEIGHTS``); None when it does not fit.

        Every offer gets only this number; the reasons are worked out for the best ones (``shared``).
        """
        themes, sdgs = len(offer.themes & self.themes), len(offer.sdgs & self.sdgs)
        programmes = len(offer.programmes & self.programmes.keys())
        category = self.category is not None and offer.category == self.category
        in_country, in_region = self.country in offer.countries, bool(offer.countries & self.region)
        worldwide = offer.worldwide and self.country is None  # worldwide alone fits a global need only
        if not (themes or sdgs or programmes or category or in_country or in_region or worldwide):
            return None
        return (
            WEIGHTS["theme"] * themes + WEIGHTS["sdg"] * sdgs + WEIGHTS["programme"] * programmes
            + WEIGHTS["category"] * category + WEIGHTS["country"] * in_country + WEIGHTS["region"] * in_region
            + WORLDWIDE["global need" if self.country is None else "country need"] * offer.worldwide
        )

    def shared(self, offer: _Offer) -> _Shared:
        """What ``offer`` shares with the need, for its reasons."""
        return _Shared(
            themes=sorted(offer.themes & self.themes),
            sdgs=sorted(offer.sdgs & self.sdgs),
            programmes=[self.programmes[key] for key in offer.programmes & self.programmes.keys()],
            category=self.category if self.category is not None and offer.category == self.category else None,
            in_country=self.country in offer.countries,
            region_countries=len(offer.countries & self.region),
            worldwide=offer.worldwide,
        )


@dataclass(frozen=True)
class WordMatches:
    """The offers whose words best match a need's text: item id → (points, the need's words it has)."""

    ranked: dict[int, tuple[float, list[str]]]


def query_words(title: str, description: str) -> list[str]:
    """A need's words for the search: title words first, then the description's, each once."""
    words = _WORD.findall(f"{title} {description}")
    return unique(word.casefold() for word in words)[:MAX_QUERY_WORDS]


def word_matches(title: str, description: str) -> WordMatches:
    """The need's text as one search of OR-ed words among the public offers.

    Services that write call it before their first write: on SQLite the search may write to the
    database from its own connection (its queue), which must not wait for the request's transaction.
    """
    words = query_words(title, description)
    if not words:
        return WordMatches({})
    filters = CatalogueFilters(q=" OR ".join(words), offer=("yes",), sort="relevance", per_page=WORD_CANDIDATES)
    try:
        result = search.search(filters, with_facets=False, suggest=False, highlights=False)
    except search.SearchUnavailable:  # words only add points: the need is matched without them
        return WordMatches({})
    ranked = {}
    for rank, hit in enumerate(result.hits):
        own = {word.casefold() for word in _WORD.findall(f"{hit.title} {hit.summary}")}
        common = [word for word in words if {word, word + "s", word.removesuffix("s")} & own]
        ranked[hit.id] = (WORDS * (1 - rank / WORD_CANDIDATES), common[:4])
    return WordMatches(ranked)


def _reasons(found: _Shared, need: CountryNeed) -> list[str]:
    """Why an offer fits, in words: "same theme: Circular economy", "SDG 7", "used in Kenya"..."""
    reasons = [_("same theme: %(theme)s", theme=vocab.label(vocab.THEMES, theme)) for theme in sorted(found.themes)]
    reasons += [_("SDG %(number)d", number=number) for number in sorted(found.sdgs)]
    if found.category:
        reasons.append(_("same kind of work: %(category)s",
                         category=vocab.label(vocab.ACTIVITY_CATEGORIES, found.category)))
    if found.in_country:
        reasons.append(_("used in %(country)s", country=vocab.country_name(need.country)))
    if found.region_countries:
        reasons.append(ngettext("used in %(num)d country of the region", "used in %(num)d countries of the region",
                                found.region_countries))
    if found.worldwide:
        reasons.append(_("used worldwide"))
    reasons += [_("same programme: %(programme)s", programme=PROGRAMME_NAMES.get(slug, slug))
                for slug in found.programmes]
    if found.words:
        reasons.append(_("words in common: %(words)s", words=", ".join(found.words)))
    return reasons


def matches_for(need: CountryNeed, limit: int = SHOWN, words: WordMatches | None = None) -> Matches:
    """The public offers that fit ``need``, best first (ties: the newest item first); ``words``: the
    need's ``word_matches`` when already known."""
    values = _NeedValues.of(need)
    offers = public_offers()
    scores = {}
    for offer in offers.values():
        points = values.points(offer)
        if points is not None:
            scores[offer.id] = points
    if not scores:
        return Matches(need, [], 0)
    words = words or word_matches(need.title, need.description)
    for item_id, (points, _common) in words.ranked.items():
        if item_id in scores:  # words alone do not make an offer fit
            scores[item_id] += points
    best_ids = heapq.nlargest(limit, scores, key=lambda item_id: (scores[item_id], item_id))
    shown = select(Item).where(Item.id.in_(best_ids)).options(*(lazyload(link) for link in _NOT_SHOWN))
    items = {item.id: item for item in db.session.scalars(shown)}
    best = []
    for item_id in best_ids:
        if item_id not in items:
            continue  # deleted meanwhile
        found = values.shared(offers[item_id])
        found.words = words.ranked.get(item_id, (0.0, []))[1]
        best.append(Match(items[item_id], scores[item_id], _reasons(found, need)))
    return Matches(need, best, len(scores))


def tell_organisations(need: CountryNeed, words: WordMatches | None = None) -> int:
    """Mail the organisations behind the need's listed matches, each once per need; returns how many.

    Only the best matches' organisations (``SHOWN``): in a large catalogue most offers share
    something with any need, and mailing all of them would mail most of the network.
    """
    if not need.is_open:
        return 0
    told = set(db.session.scalars(select(NeedNotice.organisation_id).where(NeedNotice.need_id == need.id)))
    offers: dict[int, list[Item]] = defaultdict(list)
    for match in matches_for(need, words=words).best:
        offers[match.item.organisation_id].append(match.item)
    mailed = 0
    for organisation_id, items in offers.items():
        if organisation_id in told:
            continue
        if notifications.offers_fit_need(need, organisation_id, items):
            db.session.add(NeedNotice(need_id=need.id, organisation_id=organisation_id))
            mailed += 1
    db.session.flush()
    return mailed
