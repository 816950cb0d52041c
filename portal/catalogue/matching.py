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

Only public items are offered (``visibility.public_clause`` in SQL, the public scope in search). Shared
values are read in one statement that starts from the public offers (read from the index
``ix_items_offers`` alone) and looks up their themes, SDGs, programmes and countries by key, so the work
grows with the number of offers, not with the catalogue (``benchmarks/matching.py``).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import lazyload

from portal import search, vocab
from portal.catalogue import notifications
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import CountryNeed, Item, ItemCountry, ItemProgramme, ItemTheme, NeedNotice, item_sdgs

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
    word_points: float = 0.0


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
        return list(dict.fromkeys(match.item.organisation.name for match in self.best))


def _public_offers():
    """The public offers with what the index ``ix_items_offers`` holds of them, as a CTE."""
    return (
        select(Item.id, Item.activity_category, Item.resource_type, Item.is_global)
        .where(Item.is_offer.is_(True), public_clause())
        .cte("offers")
    )


def _region_codes(country: str) -> tuple[str | None, list[str]]:
    """The need's region and the countries in it (the country itself included)."""
    regions = vocab.country_regions()
    region = regions.get(country)
    if region is None:
        return None, [country]
    return region, [code for code, other in regions.items() if other == region]


def _shared(need: CountryNeed) -> dict[int, _Shared]:
    """What each public offer shares with ``need`` (offers sharing nothing are absent).

    One statement: the public offers once (from the index alone), then each kind of value by the
    offers' keys, limited to the need's values.
    """
    offers = _public_offers()
    as_text = lambda column: cast(column, String)  # noqa: E731 - the parts of a UNION need one type
    parts = [
        select(offers.c.id, literal("theme"), ItemTheme.theme)
        .join(ItemTheme, ItemTheme.item_id == offers.c.id)
        .where(ItemTheme.theme.in_(list(need.themes) or [""])),
        select(offers.c.id, literal("sdg"), as_text(item_sdgs.c.sdg_number))
        .join(item_sdgs, item_sdgs.c.item_id == offers.c.id)
        .where(item_sdgs.c.sdg_number.in_([n for n in need.sdg_numbers if n != vocab.HOME_SDG] or [0])),
        select(offers.c.id, literal("programme"), as_text(ItemProgramme.programme_id))
        .join(ItemProgramme, ItemProgramme.item_id == offers.c.id)
        .where(ItemProgramme.programme_id.in_([programme.id for programme in need.programmes] or [0])),
        select(offers.c.id, literal("global"), literal("")).where(offers.c.is_global.is_(True)),
    ]
    if need.category:
        resource_types = [kind for kind, category in RESOURCE_CATEGORIES.items() if category == need.category]
        parts.append(select(offers.c.id, literal("category"), literal("")).where(
            or_(offers.c.activity_category == need.category, offers.c.resource_type.in_(resource_types))))
    if need.country != vocab.GLOBAL:
        # upper() keeps SQLite from looking up each offer once per code of the region (fifty-odd times):
        # it reads each offer's few countries instead and keeps those of the region.
        parts.append(select(offers.c.id, literal("country"), ItemCountry.code)
                     .join(ItemCountry, ItemCountry.item_id == offers.c.id)
                     .where(func.upper(ItemCountry.code).in_(_region_codes(need.country)[1])))
    shared: dict[int, _Shared] = defaultdict(_Shared)
    slugs = {programme.id: programme.slug for programme in need.programmes}
    worldwide = []
    for item_id, kind, value in db.session.execute(union_all(*parts)):
        if kind == "country":
            if value == need.country:
                shared[item_id].in_country = True
            else:
                shared[item_id].region_countries += 1
        elif kind == "theme":
            shared[item_id].themes.append(value)
        elif kind == "sdg":
            shared[item_id].sdgs.append(int(value))
        elif kind == "programme":
            shared[item_id].programmes.append(slugs[int(value)])
        elif kind == "category":
            shared[item_id].category = need.category
        else:
            worldwide.append(item_id)
    for item_id in worldwide:
        if need.country == vocab.GLOBAL or item_id in shared:  # worldwide alone does not fit a country's need
            shared[item_id].worldwide = True
    return shared


def _fits(found: _Shared, need: CountryNeed) -> bool:
    return bool(
        found.themes or found.sdgs or found.programmes or found.category or found.in_country
        or found.region_countries or (found.worldwide and need.country == vocab.GLOBAL)
    )


@dataclass(frozen=True)
class WordMatches:
    """The offers whose words best match a need's text: item id → (points, the need's words it has)."""

    ranked: dict[int, tuple[float, list[str]]]


def query_words(title: str, description: str) -> list[str]:
    """A need's words for the search: title words first, then the description's, each once."""
    words = _WORD.findall(f"{title} {description}")
    return list(dict.fromkeys(word.casefold() for word in words))[:MAX_QUERY_WORDS]


def word_matches(title: str, description: str) -> WordMatches:
    """The need's text as one search of OR-ed words among the public offers.

    Services that write call it before their first write: on SQLite the search may write to the
    database from its own connection (its queue), which must not wait for the request's transaction.
    """
    words = query_words(title, description)
    if not words:
        return WordMatches({})
    filters = CatalogueFilters(q=" OR ".join(words), offer=("yes",), sort="relevance", per_page=WORD_CANDIDATES)
    result = search.search(filters, with_facets=False, suggest=False, highlights=False)
    ranked = {}
    for rank, hit in enumerate(result.hits):
        own = {word.casefold() for word in _WORD.findall(f"{hit.title} {hit.summary}")}
        common = [word for word in words if {word, word + "s", word.removesuffix("s")} & own]
        ranked[hit.id] = (WORDS * (1 - rank / WORD_CANDIDATES), common[:4])
    return WordMatches(ranked)


def _score(found: _Shared, worldwide: float) -> float:
    return (
        WEIGHTS["theme"] * len(found.themes)
        + WEIGHTS["sdg"] * len(found.sdgs)
        + WEIGHTS["programme"] * len(found.programmes)
        + WEIGHTS["category"] * bool(found.category)
        + WEIGHTS["country"] * found.in_country
        + WEIGHTS["region"] * bool(found.region_countries)
        + worldwide * found.worldwide
        + found.word_points
    )


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
    shared = _shared(need)
    fitting = {item_id: found for item_id, found in shared.items() if _fits(found, need)}
    if not fitting:
        return Matches(need, [], 0)
    words = words or word_matches(need.title, need.description)
    for item_id, (points, common) in words.ranked.items():
        if item_id in fitting:  # words alone do not make an offer fit
            fitting[item_id].word_points, fitting[item_id].words = points, common
    worldwide = WORLDWIDE["global need" if need.country == vocab.GLOBAL else "country need"]
    scores = {item_id: _score(found, worldwide) for item_id, found in fitting.items()}
    best_ids = sorted(scores, key=lambda item_id: (-scores[item_id], -item_id))[:limit]
    shown = select(Item).where(Item.id.in_(best_ids)).options(*(lazyload(link) for link in _NOT_SHOWN))
    items = {item.id: item for item in db.session.scalars(shown)}
    best = [Match(items[item_id], scores[item_id], _reasons(fitting[item_id], need))
            for item_id in best_ids if item_id in items]  # (an item deleted meanwhile is skipped)
    return Matches(need, best, len(fitting))


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
