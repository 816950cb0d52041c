"""Facet counts in SQL, with the same meaning as the Whoosh backend (``portal.search.matching``): each
facet counted with every OTHER facet applied, so a count is what ticking its box gives.

One statement, a branch per set of rows counted: the rows every filter keeps, counted once for the
total and for every facet without a selection (their codes unnested and grouped); and for each
selected facet, the rows every other filter keeps, counted for that facet only (one test per value
when it has few, else its codes). ``programme`` and ``status`` are coupled (a status is decided per
programme): the programme counts keep the selected statuses, the status counts the selected
programmes, both read from the pair codes.

Each branch's counts are kept (``cache.Results``) under everything they depend on, so a facet click
recounts only what it changes.
"""

from collections.abc import Hashable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, and_, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import array

from portal.catalogue.facets import FACET_NAMES
from portal.catalogue.filters import CatalogueFilters
from portal.search.postgresql import codes
from portal.search.postgresql.cache import Results
from portal.search.postgresql.matching import FACET_VALUES, D, code_array, has_any

EVERY = "*"  # the branch that counts every facet without a selection, and the total
FEW_VALUES = 24  # a selected facet with this many values or fewer is counted by one test per value


def _ignored(facet: str) -> set[str]:
    """The selections a facet's counts leave out: its own (and the statuses, for programmes)."""
    return {facet, "status"} if facet == "programme" else {facet}


def _counted(label: str, condition, wanted: list[int] | None = None):
    """(label, code, count) for each facet code of the rows of ``condition`` (only ``wanted`` codes).

    The codes are unnested in the select list (a ProjectSet), which costs a quarter less than a
    lateral join per row.
    """
    codes_of_rows = select(func.unnest(D.facet_codes).label("code")).where(condition).subquery("row_codes")
    statement = select(literal(label).label("facet"), codes_of_rows.c.code, func.count())
    if wanted is not None:
        statement = statement.where(codes_of_rows.c.code == func.any(code_array(wanted)))
    return statement.group_by(codes_of_rows.c.code)


def _tested(label: str, condition, tests: dict[int, ColumnElement[bool]]):
    """(label, code, count) for each of ``tests`` (code → condition), counted in one pass over the rows
    of ``condition``: cheaper than unnesting every row's codes for a facet with few values."""
    numbers = select(array([func.count().filter(test) for test in tests.values()]).label("numbers")).where(
        condition).subquery("numbers")
    pairs = func.unnest(code_array(list(tests)), numbers.c.numbers).table_valued("code", "number").render_derived(
        name="tested")
    return select(literal(label).label("facet"), pairs.c.code, pairs.c.number).select_from(numbers).join(
        pairs, true())


def _holds(code: int) -> ColumnElement[bool]:
    return literal(code, Integer) == func.any(D.facet_codes)


def _branch(facet: str, condition, filters: CatalogueFilters):
    """The branch counting the selected (or coupled) ``facet`` over the rows of ``condition``."""
    if facet == "programme" and filters.status:  # its status in each programme is one asked for
        tests = {code: has_any(D.pair_codes, codes.pairs_of((programme,), filters.status))
                 for code, programme in zip(codes.values_of(facet, codes.PROGRAMMES), codes.PROGRAMMES, strict=True)}
        return _tested(facet, condition, tests)
    if facet == "status" and filters.programme:  # its status in one of the chosen programmes
        tests = {code: has_any(D.pair_codes, codes.pairs_of(filters.programme, (status,)))
                 for code, status in zip(codes.values_of(facet, codes.STATUSES), codes.STATUSES, strict=True)}
        return _tested(facet, condition, tests)
    values = codes.values_of(facet, FACET_VALUES[facet])
    if len(values) <= FEW_VALUES:
        return _tested(facet, condition, {code: _holds(code) for code in values})
    return _counted(facet, condition, values)


def facet_counts(connection: Connection, base, chosen: dict[str, ColumnElement[bool]], filters: CatalogueFilters,
                 results: Results, context: Hashable | None) -> tuple[int, dict[str, dict[Any, int]]]:
    """The total and each facet's counts. ``context``: what ``base`` depends on (None: keep nothing)."""
    coupled = {"programme"} if filters.status else set()
    if filters.programme:
        coupled.add("status")
    separate = sorted(set(chosen) | coupled)  # counted over their own rows, not over the results

    def applied(names) -> tuple:
        """The selections a branch applies, as its key (a status selection reads the programmes too)."""
        kept = tuple((name, filters.selected(name)) for name in sorted(names))
        return (*kept, ("programme", filters.programme)) if "status" in names else kept

    branches = {EVERY: ((EVERY, applied(chosen), ()), _counted(EVERY, and_(base, *chosen.values())))}
    for facet in separate:
        others = [name for name in chosen if name not in _ignored(facet)]
        own = filters.status if facet == "programme" else filters.programme if facet == "status" else ()
        statement = _branch(facet, and_(base, *(chosen[name] for name in others)), filters)
        branches[facet] = ((facet, applied(others), own), statement)
    found = {label: results.get((context, *key)) if context is not None else None
             for label, (key, _) in branches.items()}
    missing = [label for label, rows in found.items() if rows is None]
    if missing:
        computed: dict[str, list] = {label: [] for label in missing}
        for label, code, number in connection.execute(union_all(*(branches[label][1] for label in missing))):
            computed[label].append((code, number))
        for label, rows in computed.items():
            found[label] = rows
            if context is not None:
                results.put((context, *branches[label][0]), rows)
    total = 0
    counts: dict[str, dict[Any, int]] = {facet: {} for facet in FACET_NAMES}
    for code, number in found[EVERY]:
        if code == codes.TOTAL:
            total = number
        elif code in codes.VALUES and codes.VALUES[code][0] not in separate:
            facet, value = codes.VALUES[code]
            counts[facet][value] = number
    for facet in separate:
        counts[facet] = {codes.VALUES[code][1]: number for code, number in found[facet] if number}
    return total, {facet: _ordered(facet, counts[facet], filters) for facet in FACET_NAMES}


def _ordered(facet: str, counts: dict[Any, int], filters: CatalogueFilters) -> dict[Any, int]:
    """The facet's values in display order: those counted, and the selected ones even at 0."""
    selected = set(filters.selected(facet))
    return {value: counts.get(value, 0) for value in FACET_VALUES[facet] if counts.get(value) or value in selected}
