"""The catalogue's filter parameters, parsed once for /search, the API, feeds, CSV and the desk.

DESIGN.md's contract: ``q``, the facets of ``portal.catalogue.facets`` (each repeatable), ``sort``,
``page``; the API adds ``per_page``; the desk adds ``state`` (repeatable) and ``inactive=1``. Several
values of one filter are OR-ed, different filters AND-ed. An unknown value is a ``RuleViolation``
naming the parameter, which views turn into a 400 with that message.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.catalogue import RuleViolation
from portal.catalogue.facets import FACET_NAMES, FACETS, STATE
from portal.catalogue.parsing import required_positive_int

SORTS = ("relevance", "newest", "title")
MAX_QUERY_LENGTH = 500
MAX_PAGE = 1000
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    kind: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    sdg: tuple[int, ...] = ()
    status: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    resource_type: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    offer: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    # Desk only (monitoring): workflow states and the inactive switch.
    state: tuple[str, ...] = ()
    inactive: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def selected(self, facet: str) -> tuple:
        return getattr(self, facet)

    def without(self, facet: str, value=None) -> "CatalogueFilters":
        """These filters without ``value`` of ``facet`` (or without the whole facet); back to page 1."""
        kept = () if value is None else tuple(v for v in getattr(self, facet) if v != value)
        return replace(self, page=1, **{facet: kept})

    def cleared(self) -> "CatalogueFilters":
        """These filters without any facet value (words, the desk's switches and the sort stay); page 1."""
        return replace(self, page=1, **dict.fromkeys(FACET_NAMES, ()))

    def refinements(self) -> dict[str, tuple]:
        """The facet filters that are set."""
        return {facet: getattr(self, facet) for facet in FACET_NAMES if getattr(self, facet)}

    def narrows(self) -> bool:
        """True when words or filters leave out part of what the scope holds."""
        return bool(self.q or self.refinements() or self.state or self.inactive)

    def to_args(self, **overrides) -> dict[str, list[str]]:
        """Query parameters that give back these filters (for links: pagination, chips, feeds)."""
        args: dict[str, list[str]] = {}
        q = overrides.get("q", self.q)
        for f in fields(self):
            value = overrides.get(f.name, getattr(self, f.name))
            if value == (default_sort(q) if f.name == "sort" else f.default):
                continue
            if isinstance(value, tuple):
                args[f.name] = [str(v) for v in value]
            elif isinstance(value, bool):
                args[f.name] = ["1"]
            else:
                args[f.name] = [str(value)]
        return args


def default_sort(q: str) -> str:
    """Relevance when there are words to rank by, else the newest first."""
    return "relevance" if q else "newest"


# Each parameter that takes values from a vocabulary, and how its text becomes a value.
PARSERS: dict[str, Callable[[str], object]] = {facet.name: facet.parse for facet in (*FACETS, STATE)}


def page_number(args: MultiDict, maximum: int = MAX_PAGE) -> int:
    """The ``page`` parameter of any paginated list (1 when absent); a RuleViolation (400) when malformed."""
    return required_positive_int(args.get("page"), "page", maximum, default=1)


def parse_filters(args: MultiDict, *, desk: bool = False) -> CatalogueFilters:
    """Filters from query parameters; ``desk`` also accepts ``state`` and ``inactive``."""
    values: dict[str, object] = {}
    typed = args.get("q", "")
    # As sent, as the API document promises: spaces count, and so do the control characters that
    # requests lose (``portal.views.input``).
    if len(getattr(args, "as_sent", {}).get("q", typed)) > MAX_QUERY_LENGTH:
        raise RuleViolation(_("Search for at most %(count)s characters.", count=MAX_QUERY_LENGTH), field="q")
    values["q"] = q = " ".join(typed.split())
    for name, parse in PARSERS.items():
        if name == "state" and not desk:
            continue
        raw_values = [raw for raw in args.getlist(name) if raw.strip()]
        parsed = []
        for raw in raw_values:
            value = parse(raw.strip())
            if value is None:
                raise RuleViolation(_("Unknown %(name)s '%(value)s'.", name=name.replace("_", " "), value=raw[:50]),
                                    field=name)
            if value not in parsed:
                parsed.append(value)
        values[name] = tuple(parsed)
    if desk:
        values["inactive"] = args.get("inactive", "") in ("1", "true", "yes", "on")
    sort = args.get("sort", "").strip() or default_sort(q)
    if sort not in SORTS:
        raise RuleViolation(_("Sort by one of: %(sorts)s.", sorts=", ".join(SORTS)), field="sort")
    values["sort"] = sort
    values["page"] = page_number(args)
    values["per_page"] = required_positive_int(args.get("per_page"), "per_page", MAX_PER_PAGE, DEFAULT_PER_PAGE)
    return CatalogueFilters(**values)


__all__ = ["MAX_PER_PAGE", "SORTS", "CatalogueFilters", "page_number", "parse_filters"]
