"""Helpers every blueprint may use: a safe place to go back to, a public listing's filters, the facets
and chips of a search page, CSV files."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from flask import Response, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal import vocab
from portal.catalogue.facets import BY_NAME, FACETS, Facet
from portal.catalogue.filters import CatalogueFilters, page_number
from portal.catalogue.spreadsheets import csv_chunks, to_csv
from portal.i18n import current_language, format_date
from portal.search import SearchResult
from portal.views import fragments

LISTING_PER_PAGE = 10
# Facets with many values show the most frequent first (and every ticked one); the rest sit in a
# disclosure below them, so that every value stays one click away without JavaScript.
FACET_LIMITS = {"country": 25, "language": 10}
URL_QUERY_SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unencoded in a query string (url_for)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def back_to(default: str) -> str:
    """Where a button's form asks to go back to (its ``next`` field), else ``default``."""
    return safe_next(request.form.get("next")) or default


def listing(**values) -> CatalogueFilters:
    """Filters for a page that lists public items of one programme or SDG, newest first."""
    return CatalogueFilters(sort="newest", page=page_number(request.args), per_page=LISTING_PER_PAGE, **values)


def _shown_and_more(facet: Facet, counts: dict, ticked: set, language: str) -> tuple[list, list]:
    """A facet's values in the order the form shows them: a long facet's most frequent ones (and every
    ticked one) by name, then the rest by name; a short facet's all, in the vocabulary's order."""
    values = list(counts)
    limit = FACET_LIMITS.get(facet.name)
    if not limit:
        return values, []
    place = facet.places_by_label(language).__getitem__
    by_name = sorted(values, key=place)
    if len(by_name) <= limit:
        return by_name, []
    ranked = sorted(by_name, key=counts.__getitem__, reverse=True)  # stable: equal counts stay by name
    if ticked:
        ranked = [value for value in ranked if value in ticked] + [value for value in ranked if value not in ticked]
    return sorted(ranked[:limit], key=place), sorted(ranked[limit:], key=place)


def facet_groups(result: SearchResult) -> list[dict]:
    """The facets as the form shows them: each facet's name, legend, its first options and, for long
    facets, the ``more`` options after them (``more_count`` of them), written as markup in the interface
    language (``portal.views.fragments``: each option rendered once, then only its count filled in)."""
    language = current_language()
    write = fragments.option_writer(language)
    groups = []
    for facet in FACETS:
        counts = result.facets.get(facet.name, {})
        ticked = set(result.filters.selected(facet.name))
        shown, more = _shown_and_more(facet, counts, ticked, language)
        groups.append({"name": facet.name, "legend": facet.legend_in(language),
                       "options": write(facet, shown, counts, ticked), "more": write(facet, more, counts, ticked),
                       "more_count": len(more)})
    return groups


def facet_fieldsets(groups: list[dict]) -> Markup:
    """The ``facet_group`` of each of ``groups`` (``facet_groups``) that has options, one after the other:
    a group's fieldset is rendered once per facet, language and number of values behind its disclosure,
    and then only its options are filled in (``portal.views.fragments``)."""
    macro = fragments.groups.current()
    language = current_language()
    html = []
    for group in groups:
        if not group["options"]:
            continue
        key = (group["name"], language, group["more_count"])
        pieces = fragments.groups.pieces.get(key)
        if pieces is None:
            shape = dict(group, options=fragments.OPTIONS, more=fragments.MORE if group["more"] else "")
            before, rest = str(macro(shape)).split(fragments.OPTIONS)
            pieces = fragments.groups.keep(key, (before, *rest.split(fragments.MORE)))
        html += pieces[0], str(group["options"]), pieces[1]
        if group["more"]:
            html += str(group["more"]), pieces[2]
    return Markup("".join(html))  # noqa: S704 - pieces escaped by the macro, options by ``option_writer``


@dataclass(frozen=True, slots=True)
class ProgrammeBadge:
    name: str
    status: str  # core, affiliated or none
    status_label: str


@dataclass(frozen=True, slots=True)
class ResultCard:
    """A search hit or card as a result list shows it, every label in the interface language."""

    url: str
    kinds: list[str]  # the kind, then the resource type or activity category
    title: Markup  # highlighted when the hit has highlights
    summary: Markup
    organisation: str
    programmes: list[ProgrammeBadge]
    updated_at: str  # ISO 8601, UTC
    updated: str  # the day, as the interface language writes it
    language: str  # the item's own language (its title and summary are in it), "" when unknown


def result_cards(hits: Iterable) -> list[ResultCard]:
    """What ``_macros/results.html`` shows of each hit (``search.Hit``) or plain card (a dict): labels are
    looked up once per list, not one template call per label of each card."""
    language = current_language()
    kinds, types, categories, statuses = (vocab.labels(vocabulary, language) for vocabulary in (
        vocab.KINDS, vocab.RESOURCE_TYPES, vocab.ACTIVITY_CATEGORIES, vocab.PORTFOLIO_STATUSES))
    programme_names = BY_NAME["programme"].labels(language)
    item_path = url_for("public.item", item_id=0).removesuffix("0")  # every card's link but for its id
    cards = []
    for hit in hits:
        card = hit if isinstance(hit, dict) else hit.card
        kinds_shown = [kinds.get(card["kind"], card["kind"])]
        for labels, value in ((types, card["resource_type"]), (categories, card["category"])):
            if value:
                kinds_shown.append(labels.get(value, value))
        badges = []
        for slug in card["programmes"]:
            status = card["portfolio"].get(slug, "none")
            badges.append(ProgrammeBadge(programme_names.get(slug, slug), status, statuses.get(status, status)))
        cards.append(ResultCard(
            url=f"{item_path}{card['id']}",
            kinds=kinds_shown,
            title=getattr(hit, "title_html", None) or escape(card["title"]),
            summary=getattr(hit, "summary_html", None) or escape(card["summary"]),
            organisation=card["organisation"],
            programmes=badges,
            updated_at=card["updated_at"],
            updated=format_date(card["updated_at"]),
            language=card.get("language") or "",
        ))
    return cards


def result_items(hits: Iterable, heading: str = "h3") -> Markup:
    """The ``result_item`` of each hit (``search.Hit``) or plain card (a dict), one after the other; a
    hit with a key is rendered once per language and heading, and then only its title and summary are
    filled in (``portal.views.fragments``)."""
    macro = fragments.cards.current()
    shown_as = (current_language(), heading, request.script_root)  # the links start with the script root
    hits = list(hits)
    keys = [(key, *shown_as) if (key := getattr(hit, "key", None)) else None for hit in hits]
    kept = [fragments.cards.pieces.get(key) if key else None for key in keys]
    cards = iter(result_cards([hit for hit, pieces in zip(hits, kept, strict=True) if pieces is None]))
    html = []
    for hit, key, pieces in zip(hits, keys, kept, strict=True):
        if key is None:
            html.append(str(macro(next(cards), heading)))
            continue
        if pieces is None:
            card = replace(next(cards), title=fragments.TITLE, summary=fragments.SUMMARY)  # escaping keeps them
            before, rest = str(macro(card, heading)).split(fragments.TITLE)
            between, after = rest.split(fragments.SUMMARY)
            pieces = fragments.cards.keep(key, (before, between, after))
        html += pieces[0], str(hit.title_html), pieces[1], str(hit.summary_html), pieces[2]
    return Markup("".join(html))  # noqa: S704 - pieces escaped by the macro, title and summary by search


def _chip_label(name: str, value, language: str) -> str:
    facet = BY_NAME[name]
    label = facet.labels(language).get(value) or facet.label(value)
    if name == "sdg":
        return label
    return _("%(filter)s: %(value)s", filter=facet.legend_in(language), value=label)


def chips(filters: CatalogueFilters, endpoint: str) -> list[dict]:
    """One removable chip per selected filter value, linking to ``endpoint`` without it.

    The links differ from each other by one parameter: they are written from the page's parameters,
    each encoded once as ``url_for`` encodes it, instead of one ``url_for`` per chip."""
    path = url_for(endpoint)
    pairs = [(name, value, urlencode([(name, value)], safe=URL_QUERY_SAFE))
             for name, values in filters.to_args(page=1).items() for value in values]

    def without(name: str, value: str) -> str:
        query = "&".join(encoded for other, kept, encoded in pairs if (other, kept) != (name, value))
        return f"{path}?{query}" if query else path

    language = current_language()
    return [
        {"label": _chip_label(name, value, language), "url": without(name, str(value))}
        for name, values in filters.refinements().items()
        for value in values
    ]


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence], *, stream: bool = False) -> Response:
    """``rows`` as a CSV file; ``stream``: written while it is sent, a few hundred rows at a time (a long
    table: ``rows`` is then read after the request has ended, so it must hold plain values only)."""
    return Response(
        csv_chunks([str(name) for name in header], rows) if stream else to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
