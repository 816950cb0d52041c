"""Answering a search from one snapshot: the scope, the words, the filters, a page, the facet counts.

Everything is a bit set over the snapshot's documents (``portal.search.columns``): the scope's mask
(the visibility rule for the public), the words' match set (``Snapshot.evaluate``), one mask per
facet with values selected. Totals, pages and counts are ANDs and popcounts of those.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from markupsafe import escape

from portal.catalogue.facets import FACET_NAMES
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import PublicRule
from portal.search.columns import FACET_VALUES, POSITIONS, Columns, count, unpack
from portal.search.query import ParsedQuery, highlight_all, parse
from portal.search.results import Hit, SearchScope
from portal.search.snapshot import Snapshot


@dataclass
class Match:
    """What a search selects in one snapshot, before paging."""

    parsed: ParsedQuery
    base: np.ndarray  # the scope and the words
    selections: dict[str, np.ndarray]  # facet → its mask (values OR-ed)
    selected: np.ndarray  # base AND every selection
    ranking: np.ndarray | None  # document numbers by relevance, when words rank them

    @property
    def total(self) -> int:
        return count(self.selected)


def scope_mask(columns: Columns, scope: SearchScope, filters: CatalogueFilters, rule: PublicRule) -> np.ndarray:
    """The documents ``scope`` may see: the visibility rule for the public; for staff, their programmes
    in the states asked for, only the inactive ones with ``inactive``."""
    if scope.public:
        return columns.public(rule)
    return columns.staff(scope.programmes, filters.state, rule.updated_since if filters.inactive else None)


def selections(columns: Columns, filters: CatalogueFilters) -> dict[str, np.ndarray]:
    """The mask of each facet that has values selected (values OR-ed; ``status`` read per programme)."""
    masks = {}
    for facet in FACET_NAMES:
        values = filters.selected(facet)
        if not values:
            continue
        if facet == "status" and filters.programme:
            masks[facet] = columns.pairs_of(filters.programme, values)
        else:
            masks[facet] = columns.any_of(facet, values)
    return masks


def match(snap: Snapshot, filters: CatalogueFilters, scope: SearchScope, rule: PublicRule) -> Match:
    columns = snap.columns
    base = scope_mask(columns, scope, filters, rule)
    parsed = parse(filters.q, columns.languages())
    ranking = None
    if parsed.query is not None:
        matched, ranking = snap.evaluate(parsed)
        base = base & matched
    chosen = selections(columns, filters)
    selected = base.copy()
    for mask in chosen.values():
        selected &= mask
    return Match(parsed, base, chosen, selected, ranking)


def page_docnums(columns: Columns, found: Match, filters: CatalogueFilters) -> list[int]:
    """The document numbers of the requested page, in the requested order."""
    start = (filters.page - 1) * filters.per_page
    if start >= found.total:
        return []
    if filters.sort == "relevance" and found.ranking is not None:
        allowed = unpack(found.selected, columns.n)
        ordered = found.ranking[allowed[found.ranking]]
    else:
        ordered = columns.docnums(found.selected, "title" if filters.sort == "title" else "newest")
    return ordered[start : start + filters.per_page].tolist()


def hits(snap: Snapshot, docnums: list[int], parsed: ParsedQuery, highlights: bool) -> list[Hit]:
    cards = [snap.card(docnum) for docnum in docnums]
    if highlights:
        marked = highlight_all([(card[name], card["language"]) for card in cards for name in ("title", "summary")],
                               parsed)
    else:
        marked = [escape(card[name]) for card in cards for name in ("title", "summary")]
    return [Hit(card, marked[2 * i], marked[2 * i + 1], (snap.name, snap.generation, docnum))
            for i, (card, docnum) in enumerate(zip(cards, docnums, strict=True))]


def facet_counts(columns: Columns, found: Match, filters: CatalogueFilters) -> dict[str, dict[Any, int]]:
    """Each facet counted with every OTHER facet applied: the count is what ticking the box gives.

    ``programme`` and ``status`` are coupled (a status is decided per programme): the programme counts
    keep the selected statuses, the status counts the selected programmes.
    """
    result = {}
    for facet in FACET_NAMES:
        rest = found.base.copy()
        for other, mask in found.selections.items():
            if other == facet or (facet == "programme" and other == "status"):
                continue
            rest &= mask
        if facet == "programme" and filters.status:
            counts = columns.pair_counts(rest, filters.programme, filters.status, by="programme")
        elif facet == "status" and filters.programme:
            counts = columns.pair_counts(rest, filters.programme, filters.status, by="status")
        else:
            counts = columns.counts(facet, rest)
        shown = counts > 0  # and every selected value, even at 0, in the vocabulary's order
        rows = POSITIONS[facet]
        shown[[rows[value] for value in filters.selected(facet) if value in rows]] = True
        places = np.flatnonzero(shown).tolist()
        values = FACET_VALUES[facet]
        result[facet] = dict(zip([values[place] for place in places], counts[places].tolist(), strict=True))
    return result


def among(columns: Columns, found: Match, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that the search selects, in their order."""
    selected = unpack(found.selected, columns.n)
    kept = []
    for item_id in ids:
        docnum = columns.docnum_of(item_id)
        if docnum is not None and selected[docnum]:
            kept.append(item_id)
    return kept
