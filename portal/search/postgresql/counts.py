"""Facet counts in SQL, with the same meaning as the Whoosh backend (``portal.search.matching``): each
facet counted with every OTHER facet applied, so a count is what ticking its box gives.

One statement, a branch per set of rows counted, all on the facets' narrow form (``codes``): the rows
every filter keeps, read once, counted for the total and for every facet without a selection (one
aggregate pass testing every value's bit, and the positions of the countries and the language
grouped); and for each selected facet, the rows every other filter keeps, counted for that facet
only. ``programme`` and ``status`` are coupled (a status is decided per programme): the programme
counts keep the selected statuses, the status counts the selected programmes, both read from the
pair bits. A search with words also finds its page in the first branch (``PageQuery``): the
rows are ranked as they are read, once for the counts and the page.

Each branch's counts are kept (``cache.Results``) under everything they depend on, so a facet click
recounts only what it changes.
"""

import functools
from collections.abc import Hashable
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    and_,
    func,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import Grouping

from portal.catalogue.facets import FACET_NAMES
from portal.catalogue.filters import CatalogueFilters
from portal.search.postgresql import codes
from portal.search.postgresql.cache import Results
from portal.search.postgresql.matching import FACET_VALUES, D, PageQuery, code_array
from portal.search.postgresql.schema import LISTED_COLUMNS, documents

LANE = 31  # bits apart of the two bits one sum counts (``_bit_counts``)
EVERY = "*"  # the branch that counts every facet without a selection, and the total
PAGE = "page"  # the ids of the page shown, found with them (their position in the page as the number)


def _ignored(facet: str) -> set[str]:
    """The selections a facet's counts leave out: its own (and the statuses, for programmes)."""
    return {facet, "status"} if facet == "programme" else {facet}


def _tested(label: str, rows, condition, counts: dict[int, str]):
    """(label, code, count) for each of ``counts`` (code → an aggregate over the columns of ``rows``,
    as SQL), counted in one aggregate pass over ``rows`` (a table or a CTE) that hold ``condition``.
    The aggregates are SQL text: a count builds a hundred of them, which costs more as SQLAlchemy
    expressions than PostgreSQL takes to evaluate them."""
    numbers = select(literal_column(f"ARRAY[{', '.join(counts.values())}]").label("numbers")).select_from(
        rows).where(condition).subquery("numbers")
    pairs = func.unnest(code_array(list(counts)), numbers.c.numbers).table_valued("code", "number").render_derived(
        name="tested")
    return select(literal(label).label("facet"), pairs.c.code, pairs.c.number).select_from(numbers).join(
        pairs, true())


def _rows_with_bits(column: str, mask: int) -> str:
    """The count of rows whose ``column`` has one of the bits of ``mask``."""
    return f"count(*) FILTER (WHERE ({column} & {mask}) <> 0)"


@functools.cache
def _bit_counts(facets: tuple[str, ...]) -> dict[int, str]:
    """The count of its bit's rows for each value of ``facets`` (facets with bits), by the value's code.

    Two bits ``LANE`` apart in one column are counted by one sum: ``sum(bits & (2^k + 2^(k+31)))`` is
    ``count_k * 2^k + count_(k+31) * 2^(k+31)``, and as each count is below 2^31 (an item id is a
    32-bit integer) both are read back from it; PostgreSQL computes the sum, named twice, once. The
    51 bits of ``facet_bits`` take 31 sums instead of 51 tests (a broad query's pass over 46 000 rows,
    at 100 000 items: 44 ms with tests, 31 ms with sums, on loaded cores).
    """
    positions: dict[str, dict[int, int]] = {}  # column → bit → code
    for facet in facets:
        for value in FACET_VALUES[facet]:
            column, mask = codes.BITS[facet, value]
            positions.setdefault(column, {})[mask.bit_length() - 1] = codes.code(codes.value_token(facet, value))
    counted = {}
    for column, bits in positions.items():
        for bit, code in bits.items():
            low = bit % LANE
            shared = sum(1 << lane for lane in (low, low + LANE) if lane in bits)
            counted[code] = f"(div(sum({column} & {shared}), {1 << bit}) % {1 << LANE})::bigint"
    return counted


def _numbered(label: str, facet: str, rows, condition):
    """(label, code, count) for each value of the numbered ``facet`` (``codes.NUMBERED``) of ``rows``
    that hold ``condition``: the positions grouped (an array's unnested in the select list, a
    ProjectSet), each turned into its value's code."""
    column = rows.c[codes.NUMBERED[facet]]
    number = func.unnest(column) if isinstance(column.type, ARRAY) else column
    numbered = select(number.label("number")).select_from(rows).where(condition).subquery("numbered")
    known = type_coerce(Grouping(code_array(codes.values_of(facet, FACET_VALUES[facet]))), ARRAY(Integer))
    return select(literal(label).label("facet"), known[numbered.c.number + 1], func.count()).group_by(
        numbered.c.number)


def _every(condition, skipped: list[str], counted: dict[int, str], page: PageQuery | None) -> list:
    """The statements counting the total, ``counted`` and every facet not ``skipped`` over the rows of
    ``condition``, read once into a CTE: a pass testing every bit, a grouping per numbered facet; and
    with ``page``, the ids of its rows (their sort keys, the rank among them, computed in the same
    read)."""
    columns = [D[name] for name in LISTED_COLUMNS]
    if page is not None:
        columns += [D.item_id, *(key for key, _ in page.keys)]
    rows = select(*columns).where(condition).cte("every_row").prefix_with("MATERIALIZED")
    with_bits = tuple(facet for facet in FACET_NAMES if facet not in skipped and facet not in codes.NUMBERED)
    statements = [_tested(EVERY, rows, true(), {codes.TOTAL: "count(*)", **_bit_counts(with_bits), **counted})]
    statements += [_numbered(EVERY, facet, rows, true()) for facet in codes.NUMBERED if facet not in skipped]
    if page is not None:
        shown = page.chosen(rows).subquery("shown")
        statements.append(select(literal(PAGE).label("facet"), shown.c.item_id,
                                 func.row_number().over(order_by=page.ordering(shown))))
    return statements


def _statuses_in_programmes(filters: CatalogueFilters) -> dict[int, str]:
    """A count per status: the rows that have it in one of the chosen programmes."""
    return {code: _rows_with_bits("pair_bits", codes.pair_mask(filters.programme, (status,)))
            for code, status in zip(codes.values_of("status", codes.STATUSES), codes.STATUSES, strict=True)}


def _branch(facet: str, condition, filters: CatalogueFilters):
    """The statement counting the selected (or coupled) ``facet`` over the rows of ``condition``."""
    if facet == "programme" and filters.status:  # its status in each programme is one asked for
        counted = {code: _rows_with_bits("pair_bits", codes.pair_mask((programme,), filters.status))
                   for code, programme in zip(codes.values_of(facet, codes.PROGRAMMES), codes.PROGRAMMES, strict=True)}
        return _tested(facet, documents, condition, counted)
    if facet == "status" and filters.programme:  # its status in one of the chosen programmes
        return _tested(facet, documents, condition, _statuses_in_programmes(filters))
    if facet in codes.NUMBERED:
        return _numbered(facet, facet, documents, condition)
    return _tested(facet, documents, condition, _bit_counts((facet,)))


def facet_counts(connection: Connection, base, chosen: dict[str, ColumnElement[bool]], filters: CatalogueFilters,
                 results: Results, context: Hashable | None, page: PageQuery | None = None,
                 ) -> tuple[int, dict[str, dict[Any, int]], list[int] | None]:
    """The total, each facet's counts and, with ``page``, the ids of its rows when they were counted
    now (None when the counts were kept: ``matching.page`` then finds them). ``context``: what
    ``base`` depends on (None: keep nothing).

    A search with words reads its rows from the document index and the table, and ranks each: doing
    it once for the counts and the page halves that (measured at 100 000 items: a broad query's
    page took 100 ms and its counts 110 ms, most of each spent reading the same 40 000 rows)."""
    coupled = {"programme"} if filters.status else set()
    # With programmes chosen, the statuses are counted in them: over the rows every filter keeps when
    # no status is chosen (in the pass counting the results), else over their own rows.
    statuses = _statuses_in_programmes(filters) if filters.programme and not filters.status else {}
    if filters.programme and filters.status:
        coupled.add("status")
    separate = sorted(set(chosen) | coupled)  # counted over their own rows, not over the results

    def applied(names) -> tuple:
        """The selections a branch applies, as its key (a status selection reads the programmes too)."""
        kept = tuple((name, filters.selected(name)) for name in sorted(names))
        return (*kept, ("programme", filters.programme)) if "status" in names else kept

    every = _every(and_(base, *chosen.values()), [*separate, "status"] if statuses else separate, statuses, page)
    branches = {EVERY: ((EVERY, applied(chosen), ()), every)}
    for facet in separate:
        others = [name for name in chosen if name not in _ignored(facet)]
        own = filters.status if facet == "programme" else filters.programme if facet == "status" else ()
        statement = _branch(facet, and_(base, *(chosen[name] for name in others)), filters)
        branches[facet] = ((facet, applied(others), own), [statement])
    found = {label: results.get((context, *key)) if context is not None else None
             for label, (key, _) in branches.items()}
    missing = [label for label, rows in found.items() if rows is None]
    shown: list[tuple[int, int]] | None = [] if EVERY in missing and page is not None else None
    if missing:
        computed: dict[str, list] = {label: [] for label in missing}
        if shown is not None:
            computed[PAGE] = shown
        statements = [statement for name in missing for statement in branches[name][1]]
        for label, code, number in connection.execute(union_all(*statements)):
            computed[label].append((code, number))
        computed.pop(PAGE, None)
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
    ids = None if shown is None else [item_id for item_id, _ in sorted(shown, key=lambda row: row[1])]
    return total, {facet: _ordered(facet, counts[facet], filters) for facet in FACET_NAMES}, ids


def _ordered(facet: str, counts: dict[Any, int], filters: CatalogueFilters) -> dict[Any, int]:
    """The facet's values in display order: those counted, and the selected ones even at 0."""
    selected = set(filters.selected(facet))
    return {value: counts.get(value, 0) for value in FACET_VALUES[facet] if counts.get(value) or value in selected}
