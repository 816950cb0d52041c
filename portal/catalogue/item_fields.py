"""What an item states and the rules its fields obey: one rule set for the submission forms and the import.

``ItemData`` holds the fields of an item, typed. ``validated(kind, data)`` trims and de-duplicates them
(``normalised``) and checks every rule (``check``), reporting all the broken ones at once
(``ItemInvalid``, by field name); ``apply`` copies checked data onto an ``Item``. The submission
services (``portal.catalogue.submission``) and the import (``portal.catalogue.importing``) both go
through these three functions, so a record that the form refuses is refused by the import too.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import vocab
from portal.catalogue import RulesViolated, RuleViolation
from portal.catalogue.figures import FigureText, figures_of, read_figures
from portal.catalogue.parsing import without_control_characters
from portal.extensions import db
from portal.i18n import format_number
from portal.models import Item, ItemCountry, ItemProgramme, ItemTheme, Programme, Sdg, utcnow

MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_DESCRIPTION = 20_000
MAX_URL = 500
MAX_CONTACT = 300
MAX_AUTHORS = 500
MAX_RESULTS = 5000
FIRST_PUBLICATION_YEAR = 1900

@dataclass
class ItemData:
    """What a partner states about an item: the fields of the submission form, typed.

    ``programmes`` are slugs in order, the lead programme first; ``sdgs`` are the SDGs besides SDG 12
    (which every item has); ``countries`` are ISO 3166 alpha-2 codes and/or ``"global"``.
    """

    title: str = ""
    summary: str = ""
    description: str = ""
    programmes: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    website_url: str = ""
    contact: str = ""
    language: str = "en"
    # "Offer to other countries" (match-making).
    is_offer: bool = False
    # Initiatives only.
    activity_category: str = ""
    initiative_status: str = ""
    start_date: date | None = None
    end_date: date | None = None
    results_on_ground: str = ""
    key_figures: list[FigureText] = field(default_factory=list)  # the form's rows, blank ones included
    # Resources only (the file comes as an ``Upload``).
    resource_type: str = ""
    authors: str = ""
    publication_year: int | None = None
    link_url: str = ""

    @classmethod
    def from_item(cls, item: Item) -> "ItemData":
        return cls(
            title=item.title,
            summary=item.summary,
            description=item.description or "",
            programmes=[programme.slug for programme in item.programmes],
            sdgs=[number for number in item.sdg_numbers if number != vocab.HOME_SDG],
            countries=(["global"] if item.is_global else []) + sorted(item.countries),
            themes=list(item.themes),
            website_url=item.website_url or "",
            contact=item.contact or "",
            language=item.language or "en",
            is_offer=item.is_offer,
            activity_category=item.activity_category or "",
            initiative_status=item.initiative_status or "",
            start_date=item.start_date,
            end_date=item.end_date,
            results_on_ground=item.results_on_ground or "",
            key_figures=[FigureText.of(figure) for figure in figures_of(item.key_figures)],
            resource_type=item.resource_type or "",
            authors=item.authors or "",
            publication_year=item.publication_year,
            link_url=item.link_url or "",
        )


class ItemInvalid(RulesViolated):
    """The item breaks one or more rules; ``errors`` maps each field to its messages."""


# --- Rules -----------------------------------------------------------------------------------------


def _lines(value: str | None) -> str:
    """Text with \\n line ends (browsers send \\r\\n) and without control characters (PostgreSQL refuses NUL)."""
    return without_control_characters((value or "").replace("\r\n", "\n").replace("\r", "\n"))


def clean_text(value: str | None) -> str:
    """Plain text as the catalogue keeps it: \\n line ends, no control characters, trimmed."""
    return _lines(value).strip()


def clean_markdown(value: str | None) -> str:
    """Markdown as the catalogue keeps it: like ``clean_text``, but leading spaces stay (they mean code)."""
    return _lines(value).lstrip("\n").rstrip()


def unique(values) -> list:
    """``values`` without repeats, in their first order."""
    return list(dict.fromkeys(values))


def normalised(data: ItemData) -> ItemData:
    """``data`` with text trimmed, lists without repeats, SDG 12 left implicit, country codes upper-case."""
    texts = {
        name: clean_text(getattr(data, name))
        for name in ("title", "summary", "description", "website_url", "contact", "language", "activity_category",
                     "initiative_status", "resource_type", "authors", "link_url", "results_on_ground")
    }
    texts["description"] = clean_markdown(data.description)
    return replace(
        data,
        **texts,
        programmes=unique(clean_text(slug) for slug in data.programmes if clean_text(slug)),
        sdgs=unique(number for number in data.sdgs if number != vocab.HOME_SDG),
        countries=unique("global" if code.strip().lower() == "global" else code.strip().upper()
                          for code in data.countries if code.strip()),
        themes=unique(clean_text(theme) for theme in data.themes if clean_text(theme)),
        key_figures=[row.stripped() for row in data.key_figures],
    )


def is_web_address(url: str) -> bool:
    """An http(s) address with a host and no spaces."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", url)


@dataclass(frozen=True)
class Reference:
    """The database's programmes and SDGs, by slug and number: loaded once when many items are checked."""

    programmes: dict[str, Programme]
    sdgs: dict[int, Sdg]

    @classmethod
    def load(cls) -> "Reference":
        return cls({programme.slug: programme for programme in db.session.scalars(select(Programme))},
                   {sdg.number: sdg for sdg in db.session.scalars(select(Sdg))})


# Messages for the fields with a length limit, and for the web addresses.
TOO_LONG = {
    "title": _l("The title may be at most %(maximum)s characters long; it has %(length)s."),
    "summary": _l("The summary may be at most %(maximum)s characters long; it has %(length)s."),
    "description": _l("The description may be at most %(maximum)s characters long; it has %(length)s."),
    "website_url": _l("The website may be at most %(maximum)s characters long; it has %(length)s."),
    "link_url": _l("The link may be at most %(maximum)s characters long; it has %(length)s."),
    "contact": _l("The contact may be at most %(maximum)s characters long; it has %(length)s."),
    "authors": _l("The authors may be at most %(maximum)s characters long; it has %(length)s."),
    "results_on_ground": _l("The results on the ground may be at most %(maximum)s characters long; it has "
                            "%(length)s."),
}
NOT_A_WEB_ADDRESS = {
    "website_url": _l("The website must be a web address starting with http:// or https://."),
    "link_url": _l("The link must be a web address starting with http:// or https://."),
}


def _listed(values) -> str:
    return gettext(", ").join(str(value) for value in values)


def check(kind: str, data: ItemData, reference: Reference | None = None) -> dict[str, list[str]]:
    """Every rule that the (normalised) ``data`` of an item of ``kind`` breaks, by field name."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(str(message))

    def limit(name: str, maximum: int) -> None:
        length = len(getattr(data, name))
        if length > maximum:
            fail(name, str(TOO_LONG[name]) % {"maximum": format_number(maximum), "length": format_number(length)})

    if not data.title:
        fail("title", gettext("Give the item a title."))
    limit("title", MAX_TITLE)
    if not data.summary:
        fail("summary", gettext("Give a short summary: it shows in search results."))
    limit("summary", MAX_SUMMARY)
    limit("description", MAX_DESCRIPTION)

    known_programmes = (reference or Reference.load()).programmes
    if not data.programmes:
        fail("programmes", gettext("Choose the lead programme: every item belongs to at least one programme."))
    elif unknown := [slug for slug in data.programmes if slug not in known_programmes]:
        fail("programmes", gettext("Choose programmes from the list; unknown: %(values)s.", values=_listed(unknown)))

    if unknown := [str(number) for number in data.sdgs if number not in dict(vocab.SDGS)]:
        fail("sdgs", gettext("Choose SDGs from the list (1 to 17); unknown: %(values)s.", values=_listed(unknown)))
    elif len(data.sdgs) > vocab.MAX_OTHER_SDGS:
        fail("sdgs", ngettext("Choose at most %(maximum)s SDGs besides SDG 12: you chose %(num)s.",
                              "Choose at most %(maximum)s SDGs besides SDG 12: you chose %(num)s.",
                              len(data.sdgs), maximum=vocab.MAX_OTHER_SDGS))

    unknown = [code for code in data.countries if code != "global" and code not in vocab.country_codes()]
    if unknown:
        fail("countries", gettext("Choose countries from the list (ISO 3166) or “Global”; unknown: %(values)s.",
                                  values=_listed(unknown)))
    if unknown := [theme for theme in data.themes if theme not in dict(vocab.THEMES)]:
        fail("themes", gettext("Choose themes from the list; unknown: %(values)s.", values=_listed(unknown)))
    if data.language not in vocab.language_codes():
        fail("language", gettext("Choose a language from the list (ISO 639-1, e.g. en, fr)."))

    for name in ("website_url", "link_url"):
        url = getattr(data, name)
        if url and not is_web_address(url):
            fail(name, NOT_A_WEB_ADDRESS[name])
        limit(name, MAX_URL)
    limit("contact", MAX_CONTACT)

    if kind == "initiative":
        if data.activity_category not in dict(vocab.ACTIVITY_CATEGORIES):
            fail("activity_category", gettext("Choose the activity category."))
        if data.initiative_status not in dict(vocab.INITIATIVE_STATUSES):
            fail("initiative_status", gettext("Choose whether the initiative is planned, ongoing or completed."))
        if data.start_date and data.end_date and data.end_date < data.start_date:
            fail("end_date", gettext("The end date cannot be before the start date."))
        limit("results_on_ground", MAX_RESULTS)
        for name, messages in read_figures(data.key_figures)[1].items():
            errors.setdefault(name, []).extend(messages)
    elif kind == "resource":
        if data.resource_type not in dict(vocab.RESOURCE_TYPES):
            fail("resource_type", gettext("Choose the resource type."))
        limit("authors", MAX_AUTHORS)
        latest = utcnow().year + 1
        if data.publication_year is not None and not FIRST_PUBLICATION_YEAR <= data.publication_year <= latest:
            fail("publication_year", gettext("Give a year between %(first)s and %(latest)s.",
                                             first=FIRST_PUBLICATION_YEAR, latest=latest))
    else:
        raise RuleViolation(gettext("Unknown kind of item: %(kind)s.", kind=kind), field="kind")
    return errors


def validated(kind: str, data: ItemData) -> ItemData:
    """``data`` normalised; raises ``ItemInvalid`` with every broken rule."""
    data = normalised(data)
    errors = check(kind, data)
    if errors:
        raise ItemInvalid(errors)
    return data


# --- Writing ---------------------------------------------------------------------------------------


def apply(item: Item, kind: str, data: ItemData, reference: Reference | None = None) -> None:
    """Copy the checked ``data`` onto ``item``; the fields of the other kind stay empty."""
    reference = reference or Reference.load()
    item.title, item.summary, item.description = data.title, data.summary, data.description
    item.website_url = data.website_url or None
    item.contact = data.contact or None
    item.language = data.language
    item.is_offer = data.is_offer

    programmes = reference.programmes
    current = {link.programme.slug: link for link in item.programme_links}
    item.programme_links = [current.get(slug) or ItemProgramme(programme=programmes[slug]) for slug in data.programmes]
    item.programme_links.reorder()

    numbers = sorted({vocab.HOME_SDG, *data.sdgs})
    item.sdgs = [reference.sdgs[number] for number in numbers]

    item.is_global = "global" in data.countries
    codes = [code for code in data.countries if code != "global"]
    countries = {link.code: link for link in item.country_links}
    item.country_links = [countries.get(code) or ItemCountry(code=code) for code in codes]
    themes = {link.theme: link for link in item.theme_links}
    item.theme_links = [themes.get(theme) or ItemTheme(theme=theme) for theme in data.themes]

    initiative, resource = kind == "initiative", kind == "resource"
    item.activity_category = data.activity_category if initiative else None
    item.initiative_status = data.initiative_status if initiative else None
    item.start_date = data.start_date if initiative else None
    item.end_date = data.end_date if initiative else None
    item.results_on_ground = (data.results_on_ground or None) if initiative else None
    figures = read_figures(data.key_figures)[0] if initiative else []
    item.key_figures = [figure.as_json() for figure in figures] or None
    item.resource_type = data.resource_type if resource else None
    item.authors = (data.authors or None) if resource else None
    item.publication_year = data.publication_year if resource else None
    item.link_url = (data.link_url or None) if resource else None
