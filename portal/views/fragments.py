"""Markup rendered once and kept: the facets of the search form and their options, the result cards
and the fixed parts of the base layout.

A search page lists 250 to 300 facet values (every country, language, theme...) and 20 results, and
escaping and formatting them one by one in the template was most of its rendering. Their macros
(``facet_option`` in ``_macros/facets.html``, ``result_item`` in ``_macros/results.html``) still write
the markup, but once, with placeholders where what changes from page to page goes; what is kept are
the escaped pieces around the placeholders. A page then joins kept pieces and what it fills in.

- A facet option is kept per facet, value, interface language and ticked state: its box (id, name,
  value) and its label. A page fills in the count.
- A result card is kept per card (``Hit.key``: the index generation and the document), interface
  language, heading and script root (its link starts with it): its kind, link, languages,
  organisation, programmes and date. A page fills in the title and summary, highlighted for its
  words. Plain cards (lists not made by a search) and hits without a key are rendered each time.

- A facet's fieldset (``facet_group``) is kept per facet, interface language and number of values
  behind its disclosure: its legend and disclosure. A page fills in its options.
- A part of the base layout (a macro of ``_macros/layout.html``: the header's links and brand, the
  navigation's public and guest links, the footer) is kept per part, interface language, script root
  and route (``request.url_rule``: the part may read the path and endpoint, and every path of one
  route marks the same link as the current page). A part reads nothing else that changes between
  requests (the signed-in user, CSRF token, messages and query string stay in ``base.html``); a
  request no route matched (a 404) renders the parts afresh.

What would invalidate them: the vocabularies and the catalogues, which a process reads once at start
(``Facet.labels`` keeps the labels likewise; a new release is a new process); a new index generation,
whose cards have new keys; and the macro itself: a template reloaded in development has a new macro,
and what was kept is dropped with the old one. Each kind keeps at most a bounded number of pieces, the
first kept leaving first.
"""

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from jinja2 import Environment
from markupsafe import Markup, escape

from portal.catalogue.facets import Facet
from portal.i18n import current_language, formatting_locale, number_formatter

# Placeholders: characters no label or card holds, which escaping leaves as they are.
COUNT, TITLE, SUMMARY, OPTIONS, MORE = "\x00", "\x01", "\x02", "\x03", "\x04"
COUNTS_KEPT = 4096  # per locale: counts repeat from page to page


class Kept:
    """Pieces of what one macro renders (or the macros of one template, when ``macro`` is None), by key,
    while the template stays the same, at most ``limit``."""

    def __init__(self, template: str, macro: str | None, limit: int):
        self.template, self.name, self.limit = template, macro, limit
        self.macro: Any = None
        self.environment: Environment | None = None  # the app's, which may reload templates (development)
        self.pieces: dict[Any, tuple[str, ...]] = {}
        self.lock = threading.Lock()

    def current(self) -> Any:
        """The macro (or the template's module) as the template now defines it, dropping what an older
        one rendered. Templates are looked up again only in another app or when they may be reloaded."""
        environment = current_app.jinja_env
        if environment is self.environment and not environment.auto_reload:
            return self.macro
        module = environment.get_template(self.template).module
        macro = module if self.name is None else getattr(module, self.name)
        if macro is not self.macro:
            self.macro, self.pieces = macro, {}
        self.environment = environment
        return macro

    def keep(self, key: Any, pieces: tuple[str, ...]) -> tuple[str, ...]:
        with self.lock:
            self.pieces[key] = pieces
            if len(self.pieces) > self.limit:
                del self.pieces[next(iter(self.pieces))]
        return pieces


_options = Kept("_macros/facets.html", "facet_option", limit=20000)  # every value of every facet, 6 languages
cards = Kept("_macros/results.html", "result_item", limit=2048)  # ``shared.result_items``
groups = Kept("_macros/facets.html", "facet_group", limit=2048)  # ``shared.facet_fieldsets``
_layout = Kept("_macros/layout.html", None, limit=4096)  # 6 parts, 6 languages, the routes visitors ask for
# Per formatting locale, counts as pages write them (escaped, in the language's digits and grouping).
_counts: dict[str, dict[int, str]] = {}


@dataclass(frozen=True, slots=True)
class FacetOption:
    """One value of a facet as the ``facet_option`` macro reads it."""

    value: Any
    label: str
    count_text: str
    checked: bool
    id: str  # the box's id


def option_writer(language: str) -> Callable[[Facet, Iterable, Mapping[Any, int], set], Markup]:
    """A function writing the options of a facet: ``(facet, values, counts, ticked) → markup``, in the
    order of ``values``, for this request's ``language``."""
    macro = _options.current()
    pieces = _options.pieces
    number = number_formatter()
    counts_text = _counts.setdefault(formatting_locale(), {})

    def write(facet: Facet, values: Iterable, counts: Mapping[Any, int], ticked: set) -> Markup:
        html = []
        for value in values:
            checked = value in ticked
            key = (facet.name, language, value, checked)
            found = pieces.get(key)
            if found is None:
                label = facet.labels(language).get(value, str(value))
                option = FacetOption(value, label, COUNT, checked, f"f-{facet.name}-{value}")
                found = _options.keep(key, tuple(str(macro(facet.name, option)).split(COUNT)))
            count = counts[value]
            text = counts_text.get(count)
            if text is None:
                text = str(escape(number(count)))
                if len(counts_text) < COUNTS_KEPT:
                    counts_text[count] = text
            html += found[0], text, found[1]
        return Markup("".join(html))  # noqa: S704 - pieces escaped by the macro, counts by escape()

    return write


def layout(part: str) -> Markup:
    """The macro ``part`` of ``_macros/layout.html`` as this request's route, language and script root
    show it: rendered once, then kept (templates call it)."""
    parts = _layout.current()
    rule = request.url_rule
    if rule is None:
        return getattr(parts, part)()
    key = (part, rule.endpoint, rule.rule, current_language(), request.script_root)
    found = _layout.pieces.get(key)
    if found is None:
        found = _layout.keep(key, (getattr(parts, part)(),))  # a macro answers markup
    return found[0]
