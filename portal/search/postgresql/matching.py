"""Answering a search in SQL: the scope, the words, the filters, a page, the facet counts.

The same meaning as the Whoosh backend (``portal.search.matching``), condition by condition:

- scope: the visibility rule (``portal.catalogue.visibility``) on the search rows for the public; for
  staff, their programmes in the states asked for, only inactive ones with ``inactive``;
- words: the row's own configuration's tsquery (``portal.search.postgresql.tsquery``);
- filters: each facet's tokens overlap the row's (values OR-ed, facets AND-ed; ``status`` read per
  programme through ``pair:`` tokens when programmes are chosen);
- counts: each facet counted with every OTHER facet applied, in one pass over the rows that fail at
  most the facet being counted (``programme`` and ``status`` are coupled: the programme counts keep
  the selected statuses, the status counts the selected programmes).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY, array

from portal.catalogue.facets import FACET_NAMES, FACETS
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import PublicRule
from portal.search.postgresql.rows import pair_token
from portal.search.postgresql.schema import documents
from portal.search.postgresql.tsquery import TextQuery
from portal.search.results import Hit, SearchScope

D = documents.c
FACET_VALUES: dict[str, tuple] = {facet.name: facet.values for facet in FACETS}
PROGRAMMES = FACET_VALUES["programme"]
STATUSES = FACET_VALUES["status"]
# A token's text → (facet, value), for reading counts back.
BY_TOKEN: dict[str, tuple[str, Any]] = {
    f"{facet}:{value}": (facet, value) for facet, values in FACET_VALUES.items() for value in values
}
TOTAL = "*"  # the token counted for every row that every filter keeps: the total
COUPLED_STATUS = "~status"  # a row's statuses in the selected programmes (its status counts then)
# Title A, summary B, description C, the rest D (ts_rank_cd takes the weights as {D, C, B, A}).
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")
# ts_headline marks the raw text with two control characters (never in an item's text: the
# portal strips them from every input); Python then escapes it and turns them into <mark> tags.
START, STOP = "\x01", "\x02"
HEADLINE = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
MARKS = re.compile(f"([{START}{STOP}])")


def tokens(facet: str, values: Iterable) -> list[str]:
    return [f"{facet}:{value}" for value in values]


def has_any(facet_tokens: list[str]) -> ColumnElement[bool]:
    """The row holds one of ``facet_tokens`` (false for none: a filter with no value finds nothing)."""
    if not facet_tokens:
        return false()
    return D.facets.overlap(cast(facet_tokens, ARRAY(Text)))


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
        conditions.append(has_any(tokens("programme", scope.programmes)))
    return and_(true(), *conditions)


def selections(filters: CatalogueFilters) -> dict[str, ColumnElement[bool]]:
    """The condition of each facet that has values selected (values OR-ed; ``status`` per programme)."""
    chosen = {}
    for facet in FACET_NAMES:
        values = filters.selected(facet)
        if not values:
            continue
        if facet == "status" and filters.programme:
            chosen[facet] = has_any([pair_token(p, s) for p in filters.programme for s in values])
        else:
            chosen[facet] = has_any(tokens(facet, values))
    return chosen


@dataclass
class Words:
    """The words' part of a search: the condition on a row, its query for ranking and highlighting."""

    query: TextQuery | None

    @property
    def row_query(self) -> ColumnElement | None:
        """The tsquery of the row's configuration."""
        if self.query is None or not self.query.candidates:
            return None
        whens = {config: cast(text, TSQUERY) for config, text in self.query.by_config.items() if text}
        return case(whens, value=D.config)

    def condition(self) -> ColumnElement[bool]:
        if self.query is None:
            return true()
        if not self.query.candidates:
            return true() if self.query.everything else false()
        matched = and_(D.document.bool_op("@@")(cast(self.query.candidates, TSQUERY)),
                       D.document.bool_op("@@")(self.row_query))
        if self.query.everything:
            return or_(D.config.in_(self.query.everything), matched)
        return matched

    def rank(self) -> ColumnElement | None:
        if self.query is None or not self.query.ranked or self.row_query is None:
            return None
        return func.coalesce(func.ts_rank_cd(WEIGHTS, D.document, self.row_query, 1), 0)

    def highlighted(self, column: ColumnElement) -> ColumnElement:
        """``column``'s text with what matched between START and STOP (see ``marked``)."""
        if self.row_query is None:
            return column
        headline = func.ts_headline(cast(D.config, REGCONFIG), column, self.row_query, HEADLINE)
        if self.query.everything:
            return case((D.config.in_(self.query.everything), column), else_=headline)
        return headline


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


def where(scope_condition, words: Words, chosen: dict[str, ColumnElement[bool]]) -> ColumnElement[bool]:
    return and_(scope_condition, words.condition(), *chosen.values())


def order_by(filters: CatalogueFilters, words: Words) -> list:
    rank = words.rank() if filters.sort == "relevance" else None
    if rank is not None:
        return [rank.desc(), D.updated_at.desc(), D.item_id.desc()]
    if filters.sort == "title":
        return [D.title_key, D.item_id]
    return [D.updated_at.desc(), D.item_id.desc()]


def page(connection: Connection, condition, filters: CatalogueFilters, words: Words, highlights: bool,
         limit: int | None = None) -> list[Hit]:
    """The requested page of results (or the first ``limit``), in the requested order."""
    columns = [D.card]
    if highlights:
        columns += [words.highlighted(D.card["title"].astext), words.highlighted(D.card["summary"].astext)]
    statement = select(*columns).where(condition).order_by(*order_by(filters, words))
    if limit is None:
        statement = statement.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
    else:
        statement = statement.limit(limit)
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


def facet_counts(connection: Connection, base, chosen: dict[str, ColumnElement[bool]],
                 filters: CatalogueFilters) -> tuple[int, dict[str, dict[Any, int]]]:
    """The total and each facet's counts, with every OTHER facet applied, in one statement.

    Each row of the scope and words is read once, with one boolean per selected facet; its tokens
    are counted for a facet when every selection that facet does not leave out holds.
    """
    names = list(chosen)
    flags = {name: f"s{i}" for i, name in enumerate(names)}
    rows = select(D.facets, *(condition.label(flags[name]) for name, condition in chosen.items()))
    # The rows some facet counts: every selection holds but those one facet leaves out.
    counted_by = [names] + [[n for n in names if n not in _ignored(facet)] for facet in names]
    if "status" in names and "programme" not in names:
        counted_by.append([n for n in names if n not in _ignored("programme")])
    rows = rows.where(base, or_(*(and_(true(), *(chosen[n] for n in needed)) for needed in counted_by)))
    rows = rows.offset(0).subquery("m")  # OFFSET 0: each row's booleans are computed once

    def holds(needed: Iterable[str]) -> ColumnElement[bool]:
        return and_(true(), *(rows.c[flags[n]] for n in needed))

    every = holds(names)
    pairs_by_programme = {pair_token(p, s): p for p in PROGRAMMES for s in filters.status}
    derived = []
    if filters.programme:  # the status counts read the selected programmes' statuses, once per row
        for status in STATUSES:
            found = rows.c.facets.overlap(cast([pair_token(p, status) for p in filters.programme], ARRAY(Text)))
            derived.append(case((found, literal(f"{COUPLED_STATUS}:{status}")), else_=None))
    extra = [literal(TOTAL), *derived]
    source = rows.c.facets.op("||", return_type=ARRAY(Text))(func.array_remove(array(extra), None))
    token = func.unnest(source).table_valued("token").render_derived()
    kind = func.split_part(token.c.token, ":", 1)
    whens = [(token.c.token == TOTAL, every)]
    for facet in FACET_NAMES:
        if facet == "programme" and filters.status:
            whens.append((kind == "programme", false()))
        elif facet == "status" and filters.programme:
            whens.append((kind == "status", false()))
            whens.append((kind == COUPLED_STATUS, holds(n for n in names if n not in _ignored(facet))))
        else:
            whens.append((kind == facet, holds(n for n in names if n not in _ignored(facet))))
    if filters.status:
        whens.append((token.c.token.in_(list(pairs_by_programme)), holds(n for n in names
                                                                         if n not in _ignored("programme"))))
    statement = (
        select(token.c.token, func.count())
        .select_from(rows)
        .join(token, true())
        .where(case(*whens, else_=false()))
        .group_by(token.c.token)
    )
    found = 0
    counts: dict[str, dict[Any, int]] = {facet: {} for facet in FACET_NAMES}
    for text_token, number in connection.execute(statement):
        if text_token == TOTAL:
            found = number
        elif text_token in pairs_by_programme:
            programme = pairs_by_programme[text_token]
            counts["programme"][programme] = counts["programme"].get(programme, 0) + number
        elif text_token.startswith(f"{COUPLED_STATUS}:"):
            counts["status"][text_token.split(":", 1)[1]] = number
        elif text_token in BY_TOKEN:
            facet, value = BY_TOKEN[text_token]
            counts[facet][value] = number
    return found, {facet: _ordered(facet, counts[facet], filters) for facet in FACET_NAMES}


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
