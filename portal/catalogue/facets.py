"""The catalogue's facets: the filters whose values come from a vocabulary, in the order pages show them.

One list for the filter parser, the search index's columns and counts, the search form, the JSON API
and its OpenAPI document. Several values of one facet are OR-ed, different facets AND-ed.

``status`` is read per programme (DESIGN.md): with ``programme`` given it asks the item's status in
those programmes; without, ``core`` and ``affiliated`` mean "with that status in some programme's
portfolio" and ``none`` means "in no programme's portfolio" (a programme that has not decided counts
as ``none``). ``statuses_anywhere`` is that second reading.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from portal import vocab
from portal.catalogue.parsing import positive_int

NOT_IN_PORTFOLIO = "none"
_LABELS: dict[tuple[str, str], Any] = {}  # (facet, language) → value → label or sort key; or the legend


def _sdg(raw: str) -> int | None:
    return positive_int(raw, maximum=len(vocab.SDGS))


def _country(raw: str) -> str | None:
    if raw.lower() == vocab.GLOBAL:
        return vocab.GLOBAL
    return raw.upper() if raw.upper() in vocab.country_codes() else None


def _language(raw: str) -> str | None:
    return raw.lower() if raw.lower() in vocab.language_codes() else None


@dataclass(frozen=True, eq=False)
class Facet:
    """A filter with a vocabulary: its parameter name, its legend, its values and how each reads.

    ``label_of`` gives a value's label in the interface language (``vocab``'s labels, kept per language).
    """

    name: str
    legend: str
    values: tuple
    label_of: Callable[[Any], str]
    read: Callable[[str], Any] | None = None  # a parameter's text to a value (None: unknown); default: exact

    @classmethod
    def of(cls, name: str, legend: str, vocabulary: tuple, read: Callable[[str], Any] | None = None) -> "Facet":
        """A facet whose values and labels are those of a ``vocab`` vocabulary."""
        return cls(name, legend, vocab.values(vocabulary), lambda value: vocab.label(vocabulary, value), read)

    def label(self, value) -> str:
        return self.label_of(value)

    def labels(self, language: str) -> dict[Any, str]:
        """Every value's label in ``language``, the interface's language of this request (built once
        per language and process: a search page shows hundreds of them)."""
        key = (self.name, language)
        found = _LABELS.get(key)
        if found is None:
            found = _LABELS[key] = {value: self.label_of(value) for value in self.values}
        return found

    def legend_in(self, language: str) -> str:
        """The legend in ``language``, the interface's language of this request (kept likewise)."""
        key = (f"{self.name}:legend", language)
        found = _LABELS.get(key)
        if found is None:
            found = _LABELS[key] = str(self.legend)
        return found

    def sort_keys(self, language: str) -> dict[Any, str]:
        """Every value's key for sorting by label in ``language`` (``vocab.collation_key``), kept likewise."""
        key = (f"{self.name}:sort", language)
        found = _LABELS.get(key)
        if found is None:
            found = _LABELS[key] = {value: vocab.collation_key(text, language)
                                    for value, text in self.labels(language).items()}
        return found

    def places_by_label(self, language: str) -> dict[Any, int]:
        """Every value's place when the values are sorted by label in ``language`` (equal labels in the
        vocabulary's order), kept likewise: pages sort long facets by it."""
        key = (f"{self.name}:places", language)
        found = _LABELS.get(key)
        if found is None:
            keys = self.sort_keys(language)
            found = _LABELS[key] = {value: place for place, value in enumerate(sorted(self.values, key=keys.get))}
        return found

    def parse(self, raw: str) -> Any:
        """The value a query parameter names, or None when it names none."""
        if self.read is not None:
            return self.read(raw)
        return next((value for value in self.values if str(value) == raw), None)


FACETS: tuple[Facet, ...] = (
    Facet.of("kind", _l("Kind"), vocab.KINDS),
    Facet.of("programme", _l("Programme"), vocab.PROGRAMMES),
    Facet("sdg", _l("SDG"), vocab.values(vocab.SDGS), vocab.sdg_label, _sdg),
    Facet.of("status", _l("Portfolio status"), vocab.PORTFOLIO_STATUSES),
    Facet("country", _l("Country"), (vocab.GLOBAL, *vocab.values(vocab.countries("en"))), vocab.country_name, _country),
    Facet.of("region", _l("Region"), vocab.REGIONS),
    Facet.of("category", _l("Activity category"), vocab.ACTIVITY_CATEGORIES),
    Facet.of("resource_type", _l("Resource type"), vocab.RESOURCE_TYPES),
    Facet.of("theme", _l("Theme"), vocab.THEMES),
    Facet.of("offer", _l("Offers"), vocab.OFFER),  # ``offer=yes``: items offered to other countries
    # The item's language (ISO 639-1), named in the interface language from CLDR.
    Facet("language", _l("Language"), vocab.values(vocab.languages("en")), vocab.language_name, _language),
)
# The desk's filter by workflow state (monitoring): parsed like a facet, never counted in public.
STATE = Facet.of("state", _l("State"), vocab.STATES)
FACET_NAMES: tuple[str, ...] = tuple(facet.name for facet in FACETS)
BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}


def statuses_anywhere(portfolio: Mapping[str, str]) -> set[str]:
    """The statuses ``status`` finds an item by when no programme is given (see the module's docstring)."""
    admitted = {status for status in portfolio.values() if status != NOT_IN_PORTFOLIO}
    return admitted or {NOT_IN_PORTFOLIO}
