"""One meaning everywhere: for generated catalogues and filter and query combinations, the public search,
a desk's staff search (monitoring, the queue) and a plain-Python reading of DESIGN.md's rules agree on
which items match and on every facet count.

The plain reading below is written from DESIGN.md, not from the code: words and phrases in titles,
OR, exclusion and prefixes (whatever the item's language); several values of one filter OR-ed, different
filters AND-ed; ``status`` per programme (with ``programme``: the status in those programmes; without:
core or affiliated somewhere, or ``none`` = in no programme's portfolio); the visibility rule; the staff
scope.
"""

import random
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal import search, vocab
from portal.catalogue.facets import FACETS
from portal.catalogue.filters import CatalogueFilters, parse_filters
from portal.extensions import db
from portal.models import Item, PortfolioEntry, Sdg, utcnow
from portal.search import analysis
from tests.helpers import programme

pytestmark = pytest.mark.search_backends()

WORDS = ("solar", "wind", "cooking", "compost", "bamboo")
PREFIXES = ("sol", "win", "coo", "bam")
PROGRAMMES = ("spp", "ci", "st")
SDGS = (2, 7, 13)
COUNTRIES = ("KE", "FR", "BR")
REGIONS = {"KE": "AF", "FR": "EU", "BR": "SA"}
THEMES = ("plastics", "biodiversity")
CATEGORIES = ("implementation", "research")
RESOURCE_TYPES = ("publication", "tool")
LANGUAGES = ("en", "fr", "es", "ru")  # each item's words analysed in its language
STATES = vocab.values(vocab.STATES)
INACTIVE_DAYS = 800


@dataclass
class Fake:
    """What a generated item is, in plain Python."""

    kind: str
    title: list[str]
    programmes: list[str]
    portfolio: dict[str, str]  # programme → decided status (undecided programmes are absent)
    sdgs: set[int]
    countries: set[str]
    is_global: bool
    themes: set[str]
    category: str | None
    resource_type: str | None
    state: str
    hidden: bool
    inactive: bool
    language: str = "en"
    id: int = 0
    values: dict = field(default_factory=dict)

    def status_in(self, slug: str) -> str:
        return self.portfolio.get(slug, "none")


def fakes() -> st.SearchStrategy[Fake]:
    def build(draw):
        kind = draw(st.sampled_from(vocab.values(vocab.KINDS)))
        programmes = draw(st.lists(st.sampled_from(PROGRAMMES), min_size=1, max_size=3, unique=True))
        decided = draw(st.lists(st.sampled_from(programmes), unique=True))
        return Fake(
            kind=kind,
            title=draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)),
            programmes=programmes,
            portfolio={slug: draw(st.sampled_from(vocab.values(vocab.PORTFOLIO_STATUSES))) for slug in decided},
            sdgs={12, *draw(st.sets(st.sampled_from(SDGS)))},
            countries=draw(st.sets(st.sampled_from(COUNTRIES))),
            is_global=draw(st.booleans()),
            themes=draw(st.sets(st.sampled_from(THEMES))),
            category=draw(st.sampled_from(CATEGORIES)) if kind == "initiative" else None,
            resource_type=draw(st.sampled_from(RESOURCE_TYPES)) if kind == "resource" else None,
            state=draw(st.sampled_from(STATES)),
            hidden=draw(st.booleans()),
            inactive=draw(st.booleans()),
            language=draw(st.sampled_from(LANGUAGES)),
        )

    return st.composite(build)()


def queries() -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS)
    return st.one_of(
        st.just(""),
        word,
        st.tuples(word, word).map(" ".join),
        st.tuples(word, word).map(lambda pair: f"{pair[0]} OR {pair[1]}"),
        st.tuples(word, word).map(lambda pair: f"{pair[0]} -{pair[1]}"),
        st.tuples(word, word).map(lambda pair: f'"{pair[0]} {pair[1]}"'),
        st.sampled_from(PREFIXES).map(lambda prefix: f"{prefix}*"),
    )


def filter_args() -> st.SearchStrategy[dict]:
    def some(values):
        return st.lists(st.sampled_from(values), max_size=2, unique=True)

    return st.fixed_dictionaries(
        {"q": queries()},
        optional={
            "kind": some(vocab.values(vocab.KINDS)),
            "programme": some(PROGRAMMES),
            "sdg": some([str(n) for n in (12, *SDGS)]),
            "status": some(vocab.values(vocab.PORTFOLIO_STATUSES)),
            "country": some([*COUNTRIES, vocab.GLOBAL]),
            "region": some(["AF", "EU"]),
            "category": some(CATEGORIES),
            "resource_type": some(RESOURCE_TYPES),
            "theme": some(THEMES),
            "language": some(LANGUAGES),
            "state": some(STATES),
            "inactive": st.just("1"),
        },
    )


# -- the rules as DESIGN.md states them ------------------------------------------------------------------


def _stem(word: str) -> str:
    """A word as the index keeps it (words match by their stem: "cooking" finds "cook")."""
    return analysis.analyse(word, "en")[0]


def _stems(words: list[str]) -> list[str]:
    return [_stem(word) for word in words]


def text_matches(fake: Fake, q: str) -> bool:
    """Words all required, "phrases" in order, a OR b, -exclusion, prefix*; the words live in titles."""
    title = _stems(fake.title)
    if not q:
        return True
    if (phrase := re.fullmatch(r'"(\w+) (\w+)"', q)) is not None:
        wanted = _stems(list(phrase.groups()))
        return any(title[i : i + 2] == wanted for i in range(len(title) - 1))
    if (prefix := re.fullmatch(r"(\w+)\*", q)) is not None:
        return any(word.startswith(prefix.group(1)) for word in fake.title)
    if " OR " in q:
        return any(_stem(word) in title for word in q.split(" OR "))
    if " -" in q:
        wanted, unwanted = q.split(" -")
        return _stem(wanted) in title and _stem(unwanted) not in title
    return all(_stem(word) in title for word in q.split())


def status_matches(fake: Fake, statuses: tuple, programmes: tuple) -> bool:
    if programmes:
        return any(fake.status_in(slug) in statuses for slug in programmes if slug in fake.programmes)
    admitted = {fake.status_in(slug) for slug in fake.programmes} - {"none"}
    return bool((admitted or {"none"}) & set(statuses))


def facet_values(fake: Fake) -> dict[str, set]:
    return {
        "kind": {fake.kind},
        "programme": set(fake.programmes),
        "sdg": fake.sdgs,
        "country": fake.countries | ({vocab.GLOBAL} if fake.is_global else set()),
        "region": {REGIONS[code] for code in fake.countries},
        "category": {fake.category},
        "resource_type": {fake.resource_type},
        "theme": fake.themes,
        "language": {fake.language},
    }


def matches(fake: Fake, filters: CatalogueFilters, desk: tuple[str, ...] | None) -> bool:
    """``desk``: None for the public; else the desk's programmes (all of them for an admin)."""
    if desk is None:
        if not (fake.state == "published" and not fake.hidden and not fake.inactive):
            return False
    else:
        if not set(fake.programmes) & set(desk):
            return False
        if filters.state and fake.state not in filters.state:
            return False
        if filters.inactive and not fake.inactive:
            return False
    if not text_matches(fake, filters.q):
        return False
    if filters.status and not status_matches(fake, filters.status, filters.programme):
        return False
    values = facet_values(fake)
    return all(set(chosen) & values[name] for name, chosen in filters.refinements().items() if name != "status")


def expected_counts(catalogue: list[Fake], filters: CatalogueFilters, desk) -> dict[str, dict]:
    """The count of each facet value: what ticking that box alone (other facets kept) would give."""
    counts = {}
    for facet in FACETS:
        counts[facet.name] = {}
        held = set().union(*(facet_values(fake).get(facet.name, set()) for fake in catalogue))
        candidates = held | set(filters.selected(facet.name)) | set(vocab.values(vocab.PORTFOLIO_STATUSES))
        for value in (value for value in facet.values if value in candidates):  # the others count 0
            number = sum(matches(fake, replace(filters, **{facet.name: (value,)}), desk) for fake in catalogue)
            if number or value in filters.selected(facet.name):
                counts[facet.name][value] = number
    return counts


# -- the catalogue in the database -----------------------------------------------------------------------


def store(catalogue: list[Fake], organisation) -> None:
    """Replace every item by ``catalogue`` in one transaction (the index follows after the commit).

    Whoosh names each new index segment with the global ``random`` generator, which Hypothesis puts
    back in the same state for every example: reseeded here, the next example's segment cannot take
    this one's file names. (Python reseeds it in every forked worker, so production does not need this.)
    """
    random.seed()
    for item in db.session.scalars(db.select(Item)):
        db.session.delete(item)
    now = utcnow()
    for fake in catalogue:
        updated = now - timedelta(days=INACTIVE_DAYS if fake.inactive else 3)
        item = Item(kind=fake.kind, title=" ".join(fake.title), summary="Plain text.", organisation=organisation,
                    state=fake.state, hidden=fake.hidden, is_global=fake.is_global, activity_category=fake.category,
                    resource_type=fake.resource_type, language=fake.language, created_at=updated,
                    updated_at=updated)
        item.programmes = [programme(slug) for slug in fake.programmes]
        item.sdgs = [db.session.get(Sdg, number) for number in sorted(fake.sdgs)]
        item.countries = sorted(fake.countries)
        item.themes = sorted(fake.themes)
        item.portfolio_entries = [PortfolioEntry(programme=programme(slug), status=status)
                                  for slug, status in fake.portfolio.items()]
        db.session.add(item)
        db.session.flush()
        fake.id = item.id
    db.session.commit()


def run(filters: CatalogueFilters, scope: search.SearchScope) -> tuple[set[int], dict]:
    result = search.search(replace(filters, per_page=100), scope, suggest=False, highlights=False)
    return {hit.id for hit in result.hits}, result.facets


DESKS = {"public": None, "admin": PROGRAMMES, "spp desk": ("spp",), "ci and st desk": ("ci", "st")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(catalogue=st.lists(fakes(), min_size=1, max_size=8), combinations=st.lists(filter_args(), min_size=1,
                                                                                 max_size=4))
def test_public_search_staff_search_and_the_rules_agree(app, make_organisation, catalogue, combinations):
    store(catalogue, make_organisation())
    for args in combinations:
        for desk_name, desk in DESKS.items():
            filters = parse_filters(MultiDict(args), desk=desk is not None)
            if desk is None:
                scope = search.PUBLIC
            elif desk_name == "admin":
                scope = search.SearchScope(public=False, programmes=None)
            else:
                scope = search.SearchScope(public=False, programmes=desk)
            expected = {fake.id for fake in catalogue if matches(fake, filters, desk)}
            found, facets = run(filters, scope)
            assert found == expected, (desk_name, args)
            assert facets == expected_counts(catalogue, filters, desk), (desk_name, args)
            if desk is not None:  # the queue: the database's candidates, narrowed by the same meaning
                candidates = [fake.id for fake in catalogue]
                random.Random(len(candidates)).shuffle(candidates)
                assert search.among(candidates, filters, scope) == [i for i in candidates if i in expected]
