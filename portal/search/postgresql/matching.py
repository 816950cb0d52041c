"""Answering a search in SQL: the scope, the words, the filters, a page, the facet counts.

The same meaning as the Whoosh backend (``portal.search.matching``), condition by condition:

- scope: the visibility rule (``portal.catalogue.visibility``) on the search rows for the public; for
  staff, their programmes in the states asked for, only inactive ones with ``inactive``;
- words: each row's own configuration's tsquery, in one lookup of the document index
  (``TextQuery.combined``), ranked by ``ts_rank_cd`` over the title (A) and summary (B);
- filters: each facet's codes overlap the row's (values OR-ed, facets AND-ed; ``status`` read per
  programme through the pair codes when programmes are chosen);
- counts: each facet counted with every OTHER facet applied. The rows every filter keeps are counted
  once for all the facets without a selection (and the total); each selected facet is counted over
  the rows that every other filter keeps. ``programme`` and ``status`` are coupled: the programme
  counts keep the selected statuses, the status counts the selected programmes.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY

from portal.catalogue.facets import FACET_NAMES, FACETS
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import PublicRule
from portal.search.postgresql import codes
from portal.search.postgresql.schema import documents
from portal.search.postgresql.tsquery import TextQuery
from portal.search.results import Hit, SearchScope

D = documents.c
FACET_VALUES: dict[str, tuple] = {facet.name: facet.values for facet in FACETS}
# Title A, summary B, description C, the rest D (ts_rank_cd takes the weights as {D, C, B, A}).
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")
# ts_headline marks the raw text with two control characters (never in an item's text: the portal
# strips them from every input); ``marked`` escapes it and turns them into <mark> tags.
START, STOP = "\x01", "\x02"
HEADLINE = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
MARKS = re.compile(f"([{START}{STOP}])")
EVERY = "*"  # the branch of the counts that counts every facet without a selection


def _array(values: list[int]) -> ColumnElement:
    return cast(values, ARRAY(Integer))


def has_any(column, values: list[int]) -> ColumnElement[bool]:
    """The row holds one of the codes ``values`` (false for none: a filter without values finds nothing)."""
    return column.overlap(_array(values)) if values else false()


def scope_clause(scope: SearchScope, filters: CatalogueFilters, rule: PublicRule) -> ColumnElement[bool]:
    """The rows ``scope`` may see: the visibility rule for the public; for staff, their programmes in
    the states asked for, only the inactive ones with ``inactive``."""
    if scope.public:
        return rule.clause(D)
    conditions = []
    if filters.state:
        conditions.append(D.state.in_(filters.state))
    if filters.inactive:
        conditions.append(D.updated_at < rule.updated_since)
    if scope.programmes is not None:
        conditions.append(has_any(D.facet_codes, codes.values_of("programme", scope.programmes)))
    return and_(true(), *conditions)


def selections(filters: CatalogueFilters) -> dict[str, ColumnElement[bool]]:
    """The condition of each facet that has values selected (values OR-ed; ``status`` per programme)."""
    chosen = {}
    for facet in FACET_NAMES:
        values = filters.selected(facet)
        if not values:
            continue
        if facet == "status" and filters.programme:
            chosen[facet] = has_any(D.pair_codes, codes.pairs_of(filters.programme, values))
        else:
            chosen[facet] = has_any(D.facet_codes, codes.values_of(facet, values))
    return chosen


@dataclass
class Words:
    """The words' part of a search: the condition on a row, its query for ranking and highlighting."""

    query: TextQuery | None

    @property
    def active(self) -> bool:
        """There are words that narrow the search (not none, nor only stop words)."""
        return self.query is not None and not self.query.matches_everything

    def condition(self) -> ColumnElement[bool]:
        if not self.active:
            return true()
        if not self.query.by_config:  # no search row at all
            return false()
        return D.document.bool_op("@@")(cast(self.query.combined, TSQUERY))

    def row_query(self, columns) -> ColumnElement:
        """The tsquery of the row's own configuration (NULL where the query dropped out)."""
        whens = {config: cast(text, TSQUERY) for config, text in self.query.by_config.items() if text}
        return case(whens, value=columns.config) if whens else cast(None, TSQUERY)

    def rank(self) -> ColumnElement | None:
        if not self.active or not self.query.ranked:
            return None
        return func.coalesce(func.ts_rank_cd(WEIGHTS, D.ranked, self.row_query(D), 1), 0)

    def highlighted(self, text: ColumnElement, columns) -> ColumnElement:
        """``text`` with what matched between START and STOP (see ``marked``)."""
        if not self.active:
            return text
        headline = func.ts_headline(cast(columns.config, REGCONFIG), text, self.row_query(columns), HEADLINE)
        return func.coalesce(headline, text)


def marked(text: str) -> Markup:
    """``text`` escaped for HTML, its START/STOP marks (``Words.highlighted``) as ``<mark>`` tags."""
    pieces: list[str] = []
    inside = False
    for piece in MARKS.split(text):
        if piece in (START, STOP):
            if (piece == START) != inside:  # a stray mark (never in practice) is dropped
                pieces.append(Markup("<mark>") if piece == START else Markup("</mark>"))
                inside = not inside
        else:
            pieces.append(escape(piece))
    if inside:
        pieces.append(Markup("</mark>"))
    return Markup("").join(pieces)


def order_by(filters: CatalogueFilters, words: Words) -> list[tuple[ColumnElement, bool]]:
    """The sort keys of ``filters.sort``: (expression, descending)."""
    rank = words.rank() if filters.sort == "relevance" else None
    if rank is not None:
        return [(rank, True), (D.updated_at, True), (D.item_id, True)]
    if filters.sort == "title":
        return [(D.title_key, False), (D.item_id, False)]
    return [(D.updated_at, True), (D.item_id, True)]


def page(connection: Connection, condition, filters: CatalogueFilters, words: Words, highlights: bool,
         limit: int | None = None) -> list[Hit]:
    """The requested page of results (or the first ``limit``), in the requested order.

    The order and the page are found on the narrow columns; only the page's rows are then read whole
    (their cards, and their highlights).
    """
    keys = [(key.label(f"k{n}"), descending) for n, (key, descending) in enumerate(order_by(filters, words))]
    chosen = select(D.item_id, *(key for key, _ in keys)).where(condition).order_by(
        *(key.desc() if descending else key for key, descending in keys))
    if limit is None:
        chosen = chosen.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
    else:
        chosen = chosen.limit(limit)
    chosen = chosen.subquery("chosen")
    hit = documents.alias("hit")
    columns = [hit.c.card]
    if highlights:
        columns += [words.highlighted(hit.c.card["title"].astext, hit.c),
                    words.highlighted(hit.c.card["summary"].astext, hit.c)]
    outer_keys = [chosen.c[key.name].desc() if descending else chosen.c[key.name] for key, descending in keys]
    statement = select(*columns).join_from(chosen, hit, hit.c.item_id == chosen.c.item_id).order_by(*outer_keys)
    hits = []
    for row in connection.execute(statement):
        card = row[0]
        if highlights:
            hits.append(Hit(card, marked(row[1]), marked(row[2])))
        else:
            hits.append(Hit(card, escape(card["title"]), escape(card["summary"])))
    return hits


def total(connection: Connection, condition) -> int:
    return connection.scalar(select(func.count()).select_from(documents).where(condition))


def _ignored(facet: str) -> set[str]:
    """The selections a facet's counts leave out: its own (and the statuses, for programmes)."""
    return {facet, "status"} if facet == "programme" else {facet}


def _counted(label: str, codes_column, condition, wanted: list[int] | None = None):
    """(label, code, count) of each code of ``codes_column`` in the rows of ``condition``."""
    code = func.unnest(codes_column).table_valued("code").render_derived(name="row_codes")
    statement = select(literal(label).label("facet"), code.c.code, func.count()).select_from(documents).join(
        code, true()).where(condition)
    if wanted is not None:
        statement = statement.where(code.c.code == func.any(_array(wanted)))
    return statement.group_by(code.c.code)


def facet_counts(connection: Connection, base, chosen: dict[str, ColumnElement[bool]],
                 filters: CatalogueFilters) -> tuple[int, dict[str, dict[Any, int]]]:
    """The total and each facet's counts, with every OTHER facet applied, in one statement."""
    coupled = {"programme"} if filters.status else set()
    if filters.programme:
        coupled.add("status")
    separate = set(chosen) | coupled  # counted over their own rows, not over the results

    def kept_by_others(facet: str) -> ColumnElement[bool]:
        return and_(base, *(condition for name, condition in chosen.items() if name not in _ignored(facet)))

    branches = [_counted(EVERY, D.facet_codes, and_(base, *chosen.values()))]
    for facet in sorted(separate):
        if facet == "programme" and filters.status:  # its status in each programme is one asked for
            branches.append(_counted(facet, D.pair_codes, kept_by_others(facet),
                                     codes.pairs_of(codes.PROGRAMMES, filters.status)))
        elif facet == "status" and filters.programme:  # its status in one of the chosen programmes
            for status in codes.STATUSES:
                found = has_any(D.pair_codes, codes.pairs_of(filters.programme, (status,)))
                status_code = literal(codes.code(codes.value_token("status", status)), Integer)
                branches.append(select(literal(facet).label("facet"), status_code, func.count())
                                .where(kept_by_others(facet), found))
        else:
            branches.append(_counted(facet, D.facet_codes, kept_by_others(facet),
                                     codes.values_of(facet, FACET_VALUES[facet])))
    found_total = 0
    counts: dict[str, dict[Any, int]] = {facet: {} for facet in FACET_NAMES}
    for label, code, number in connection.execute(union_all(*branches)):
        if label == EVERY:
            if code == codes.TOTAL:
                found_total = number
            elif code in codes.VALUES and codes.VALUES[code][0] not in separate:
                facet, value = codes.VALUES[code]
                counts[facet][value] = number
        elif code in codes.PAIRS:  # the programme branch: add up the statuses asked for
            programme = codes.PAIRS[code][0]
            counts[label][programme] = counts[label].get(programme, 0) + number
        elif code in codes.VALUES and number:
            counts[label][codes.VALUES[code][1]] = number
    return found_total, {facet: _ordered(facet, counts[facet], filters) for facet in FACET_NAMES}


def _ordered(facet: str, counts: dict[Any, int], filters: CatalogueFilters) -> dict[Any, int]:
    """The facet's values in display order: those counted, and the selected ones even at 0."""
    selected = set(filters.selected(facet))
    return {value: counts.get(value, 0) for value in FACET_VALUES[facet] if counts.get(value) or value in selected}


def among(connection: Connection, condition, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that ``condition`` keeps, in their order."""
    ids = list(ids)
    if not ids:
        return []
    kept = set(connection.scalars(select(D.item_id).where(condition, D.item_id.in_(ids))))
    return [item_id for item_id in ids if item_id in kept]
