"""Helpers every blueprint may use: a safe place to go back to, a public listing's filters, the facets
and chips of a search page, CSV files."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Response, request, url_for
from flask_babel import gettext as _

from portal.catalogue.facets import BY_NAME, FACETS
from portal.catalogue.filters import CatalogueFilters, page_number
from portal.catalogue.spreadsheets import to_csv
from portal.i18n import current_language, number_formatter
from portal.search import SearchResult
from portal.vocab import collation_key

LISTING_PER_PAGE = 10
# Facets with many values show the most frequent first (and every ticked one); the rest sit in a
# disclosure below them, so that every value stays one click away without JavaScript.
FACET_LIMITS = {"country": 25, "language": 10}


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


@dataclass(slots=True)
class FacetOption:
    """One value of a facet as the form shows it (attributes, so a template reads them directly)."""

    value: Any
    label: str
    count: int
    count_text: str  # the count written in the interface language
    checked: bool
    id: str  # the box's id
    key: str = ""  # the label's sort key, for long facets


def _options(name: str, labels: dict, counts: dict, selected: set, number) -> list[FacetOption]:
    return [
        FacetOption(value, labels.get(value, str(value)), count, number(count), value in selected, f"f-{name}-{value}")
        for value, count in counts.items()
    ]


def facet_groups(result: SearchResult) -> list[dict]:
    """The facets as the form shows them: options (value, label, count and its text, ticked, the box's id),
    the first ones and, for long facets, the ``more`` options after them (each part by name, in the
    interface language). Labels, sort keys and numbers are looked up once per page, not per value."""
    language, number = current_language(), number_formatter()
    groups = []
    for facet in FACETS:
        labels = facet.labels(language)
        options = _options(facet.name, labels, result.facets.get(facet.name, {}),
                           set(result.filters.selected(facet.name)), number)
        more: list[FacetOption] = []
        limit = FACET_LIMITS.get(facet.name)
        if limit:
            keys = facet.sort_keys(language)
            for option in options:
                option.key = keys.get(option.value) or collation_key(option.label, language)
            if len(options) > limit:
                ranked = sorted(options, key=lambda option: (not option.checked, -option.count, option.key))
                options, more = ranked[:limit], ranked[limit:]
            options.sort(key=lambda option: option.key)
            more.sort(key=lambda option: option.key)
        groups.append({"name": facet.name, "legend": facet.legend, "options": options, "more": more})
    return groups


def _chip_label(name: str, value) -> str:
    facet = BY_NAME[name]
    if name == "sdg":
        return facet.label(value)
    return _("%(filter)s: %(value)s", filter=facet.legend, value=facet.label(value))


def chips(filters: CatalogueFilters, endpoint: str) -> list[dict]:
    """One removable chip per selected filter value, linking to ``endpoint`` without it."""
    return [
        {"label": _chip_label(name, value), "url": url_for(endpoint, **filters.without(name, value).to_args())}
        for name, values in filters.refinements().items()
        for value in values
    ]


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
