"""Markup rendered once and kept: the options of the search form's facets.

A search page lists 250 to 300 facet values (every country, language, theme...), and escaping and
formatting each one in the template was half of the page's rendering. The ``facet_option`` macro
(``_macros/facets.html``) still writes an option's markup, but once per facet, value, interface
language and ticked state, with a placeholder where the count goes; what is kept are the two escaped
pieces around it. A page then writes each option as ``before + count + after`` and each list with one
join.

Kept: each option's box (its id, name and value, ticked or not) and its label in the language.
Filled in per page: the counts and which boxes are ticked.
What would invalidate it: the vocabularies and the catalogues, which a process reads once at start
(``Facet.labels`` keeps the labels likewise; a new release is a new process), and the macro itself:
a template reloaded in development has a new macro, and the kept pieces are dropped with the old one.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from portal.catalogue.facets import Facet
from portal.i18n import formatting_locale, number_formatter

COUNT = "\x00"  # the count's place in a rendered option: no label holds it, and escaping keeps it


@dataclass(frozen=True, slots=True)
class FacetOption:
    """One value of a facet as the ``facet_option`` macro reads it."""

    value: Any
    label: str
    count_text: str
    checked: bool
    id: str  # the box's id


# The macro the pieces were rendered with, and per (facet, language, value, ticked) its two pieces.
_kept: dict[str, Any] = {"macro": None, "pieces": {}}
# Per formatting locale, counts as pages write them (escaped, in the language's digits and grouping).
_counts: dict[str, dict[int, str]] = {}
COUNTS_KEPT = 4096  # per locale: counts repeat from page to page, the most frequent first


def _pieces(macro: Callable, facet: Facet, language: str, value: Any, checked: bool) -> tuple[str, str]:
    label = facet.labels(language).get(value, str(value))
    option = FacetOption(value, label, COUNT, checked, f"f-{facet.name}-{value}")
    before, after = str(macro(facet.name, option)).split(COUNT)
    return before, after


def option_writer(language: str) -> Callable[[Facet, Iterable, Mapping[Any, int], set], Markup]:
    """A function writing the options of a facet: ``(facet, values, counts, ticked) → markup``, in the
    order of ``values``, for this request's ``language``."""
    macro = current_app.jinja_env.get_template("_macros/facets.html").module.facet_option
    if _kept["macro"] is not macro:
        _kept.update(macro=macro, pieces={})
    pieces: dict[tuple, tuple[str, str]] = _kept["pieces"]
    number = number_formatter()
    counts_text = _counts.setdefault(formatting_locale(), {})

    def write(facet: Facet, values: Iterable, counts: Mapping[Any, int], ticked: set) -> Markup:
        html = []
        for value in values:
            checked = value in ticked
            key = (facet.name, language, value, checked)
            found = pieces.get(key)
            if found is None:
                found = pieces[key] = _pieces(macro, facet, language, value, checked)
            count = counts[value]
            text = counts_text.get(count)
            if text is None:
                text = str(escape(number(count)))
                if len(counts_text) < COUNTS_KEPT:
                    counts_text[count] = text
            html += found[0], text, found[1]
        return Markup("".join(html))  # noqa: S704 - pieces escaped by the macro, counts by escape()

    return write
