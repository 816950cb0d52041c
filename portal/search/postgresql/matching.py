"""Answering a search in SQL: the scope, the words, the filters, a page, the facet counts.

The same meaning as the Whoosh backend (``portal.search.matching``), condition by condition:

- scope: the visibility rule (``portal.catalogue.visibility``) on the search rows for the public; for
  staff, their programmes in the states asked for, only inactive ones with ``inactive``;
- words: one lookup of the document index (``TextQuery.condition``: the words in any language in use,
  none of the excluded ones), ranked by ``ts_rank_cd`` over the title (A) and summary (B) with the
  row's own language's query, which also highlights it;
- filters: values OR-ed, facets AND-ed (``status`` read per programme when programmes are chosen),
  on the facet codes with words (``selections``), on the bits and numbers without;
- counts: in ``portal.search.postgresql.counts``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    SmallInteger,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY

from portal.catalogue.facets import FACET_NAMES, FACETS
from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import PublicRule
from portal.search.postgresql import codes
from portal.search.postgresql.schema import documents
from portal.search.postgresql.tsquery import TextQuery
from portal.search.results import SearchScope
from portal.search.segmenting import marked_spans, with_marks

D = documents.c
FACET_VALUES: dict[str, tuple] = {facet.name: facet.values for facet in FACETS}
# Title A, summary B, description C, the rest D (ts_rank_cd takes the weights as {D, C, B, A}).
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")
# ts_headline marks the raw text with two control characters (never in an item's text: the portal
# strips them from every input); ``marked`` escapes it and turns them into <mark> tags.
START, STOP = "\x01", "\x02"
HEADLINE = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
MARKS = re.compile(f"([{START}{STOP}])")
PHRASE_OPERATOR = re.compile(r"<\d*-?>")  # ``<->`` or ``<2>`` in a tsquery's text
# With words (``take_planner_settings``): no sequential scan; room for the matches, held once for every
# count and the page (``counts``); and one parallel worker to read and rank them.
WORDS_SETTINGS = text(
    "SELECT set_config('enable_seqscan', 'off', true), set_config('work_mem', '16MB', true),"
    " set_config('max_parallel_workers_per_gather', '1', true), set_config('parallel_setup_cost', '0', true),"
    " set_config('parallel_tuple_cost', '0', true)")
NO_PARALLEL_WORKERS = text("SET LOCAL max_parallel_workers_per_gather = 0")
# psycopg prepares a statement run five times on a connection, and PostgreSQL may then plan it once
# for any parameters (a generic plan): one that cannot use the listed rows' partial index (the state
# is a parameter) and ignores how selective the bits asked for are. Measured at 100 000 items: the
# counts of a deep page went from 40 to 120 ms once that happened. Searches plan each statement anew.
CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


def code_array(values: list[int]) -> ColumnElement:
    return cast(values, ARRAY(Integer))


def has_any(column, values: list[int]) -> ColumnElement[bool]:
    """The row holds one of the codes ``values`` (false for none: a filter without values finds nothing)."""
    return column.overlap(code_array(values)) if values else false()


def has_bits(column, mask: int) -> ColumnElement[bool]:
    """The row's ``column`` has one of the bits of ``mask`` (false for none)."""
    return column.op("&")(literal(mask, BigInteger)) != 0 if mask else false()


def holds(facet: str, values) -> ColumnElement[bool]:
    """The row has one of ``values`` of ``facet``, read from its narrow form (``codes``)."""
    if facet == "country":
        return D.countries.overlap(cast(codes.numbers_of(facet, values), ARRAY(SmallInteger))) if values else false()
    if facet == "language":
        return D.language.in_(codes.numbers_of(facet, values))
    column, mask = codes.mask_of(facet, values)
    return has_bits(D[column], mask)


def base(scope: SearchScope, filters: CatalogueFilters, rule: PublicRule, words: "Words") -> ColumnElement[bool]:
    """The rows a search looks among before its facet selections: those ``scope`` may see that hold
    its words. Without words, the public rows are the listed index's (``schema.LISTED``) within the
    rule's window; with words, the document index finds the rows and the rule is checked on each."""
    if scope.public:
        return and_(rule.clause(D), words.condition())
    conditions = []
    if filters.state:
        conditions.append(D.state.in_(filters.state))
    if filters.inactive:
        conditions.append(D.updated_at < rule.updated_since)
    if scope.programmes is not None:
        conditions.append(has_any(D.facet_codes, codes.values_of("programme", scope.programmes)))
    return and_(words.condition(), *conditions)


def selections(filters: CatalogueFilters, words: "Words") -> dict[str, ColumnElement[bool]]:
    """The condition of each facet that has values selected (values OR-ed; ``status`` per programme).

    With words, on the codes: the facet index's bitmaps are ANDed with the document index's, which
    finds few rows. Without, on the narrow form, tested on each row the listed index gives.
    """
    chosen = {}
    for facet in FACET_NAMES:
        values = filters.selected(facet)
        if not values:
            continue
        if facet == "status" and filters.programme:
            chosen[facet] = has_any(D.pair_codes, codes.pairs_of(filters.programme, values)) if words.active \
                else has_bits(D.pair_bits, codes.pair_mask(filters.programme, values))
        else:
            chosen[facet] = has_any(D.facet_codes, codes.values_of(facet, values)) if words.active \
                else holds(facet, values)
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
        return D.document.bool_op("@@")(cast(self.query.condition, TSQUERY))

    def row_query(self, columns) -> ColumnElement:
        """The groups' tsquery in the row's own configuration (NULL where they dropped out)."""
        whens = {config: cast(query, TSQUERY) for config, query in self.query.positive.items() if query}
        return case(whens, value=columns.config) if whens else cast(None, TSQUERY)

    def rank(self) -> ColumnElement | None:
        """``ts_rank_cd`` of the row's title and summary. Many rows match a broad query by their
        description only, and rank 0: without phrases, ``ranked @@ query`` tells them (an eighth of
        the cost, measured), since cover density finds no cover where the query does not match; with
        phrases (whose words may be found apart) every row is ranked."""
        if not self.active or not self.query.ranked:
            return None
        query = self.row_query(D)
        rank = func.ts_rank_cd(WEIGHTS, D.ranked, query, 1)
        if not any(PHRASE_OPERATOR.search(text) for text in self.query.positive.values()):
            rank = case((D.ranked.bool_op("@@")(query), rank), else_=0)
        return func.coalesce(rank, 0)

    def highlighted(self, shown: ColumnElement, columns) -> ColumnElement:
        """The text ``shown`` with what matched between START and STOP (see ``marked``)."""
        if not self.active or not self.query.ranked:
            return shown
        headline = func.ts_headline(cast(columns.config, REGCONFIG), shown, self.row_query(columns), HEADLINE)
        return func.coalesce(headline, shown)


def take_planner_settings(connection: Connection, words: Words) -> None:
    """Planner settings for the rest of the search (``_reading``'s savepoint ends them).

    With words, the document index must answer: the planner cannot see that reading documents from
    TOAST storage row by row (a sequential scan) costs far more than the index, which never reads
    them, so sequential scans are turned off. The matches are held once for the counts and the page:
    at 100 000 items a broad query's 40 000 took PostgreSQL's default 4 MB of work_mem and went to a
    temporary file, so they get 16 MB. They are read and ranked with one parallel worker, which the
    planner, taking ``ts_rank_cd`` for cheap, never chose at its default costs: measured on idle
    cores, a broad query took 190 to 230 ms alone and 130 to 180 ms with a worker, narrow ones the
    same (a worker is started only when one of the server's ``max_parallel_workers`` is free).

    Without words, the listed rows' index gives the rows at once and no parallel worker is started:
    measured at 100 000 items, the counts took 31 ms without workers and 49 ms with two (starting
    them costs more than they save).
    """
    connection.execute(WORDS_SETTINGS if words.active else NO_PARALLEL_WORKERS)


def marked(text: str, cjk_words: frozenset[str] = frozenset()) -> Markup:
    """``text`` escaped for HTML, its START/STOP marks (``Words.highlighted``) as ``<mark>`` tags, and
    the ``cjk_words`` in its runs of CJK characters (which ``ts_headline`` reads as single words)."""
    pieces: list[str] = []
    inside = False
    for piece in MARKS.split(text):
        if piece in (START, STOP):
            if (piece == START) != inside:  # a stray mark (never in practice) is dropped
                pieces.append(Markup("<mark>") if piece == START else Markup("</mark>"))
                inside = not inside
        elif cjk_words and not inside:
            pieces.append(with_marks(piece, marked_spans(piece, cjk_words)))
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


@dataclass(frozen=True)
class PageQuery:
    """Which rows a page shows: the sort keys (labelled ``k0``, ``k1``, ..., over the search rows, each
    with whether it descends) and the window (``limit`` rows after ``offset``)."""

    keys: list[tuple[ColumnElement, bool]]
    limit: int
    offset: int

    @classmethod
    def of(cls, filters: CatalogueFilters, words: Words, limit: int | None = None) -> "PageQuery":
        """The page ``filters`` ask for (or the first ``limit`` rows), in their order."""
        keys = [(key.label(f"k{n}"), descending) for n, (key, descending) in enumerate(order_by(filters, words))]
        if limit is not None:
            return cls(keys, limit, 0)
        return cls(keys, filters.per_page, (filters.page - 1) * filters.per_page)

    def ordering(self, rows) -> list[ColumnElement]:
        """The ORDER BY of the keys as columns of ``rows`` (a subquery or CTE that selected them)."""
        return [rows.c[key.name].desc() if descending else rows.c[key.name] for key, descending in self.keys]

    def chosen(self, rows, condition=None):
        """The ids and keys of the page's rows among ``rows`` (the search rows, with ``condition``, or
        a CTE that already holds the keys)."""
        if condition is not None:
            statement = select(D.item_id, *(key for key, _ in self.keys)).where(condition).order_by(
                *(key.desc() if descending else key for key, descending in self.keys))
        else:
            statement = select(rows.c.item_id, *(rows.c[key.name] for key, _ in self.keys)).order_by(
                *self.ordering(rows))
        return statement.limit(self.limit).offset(self.offset)


def page(connection: Connection, condition, filters: CatalogueFilters, words: Words, highlights: bool,
         limit: int | None = None) -> list[tuple[dict, Markup, Markup]]:
    """The requested page of results (or the first ``limit``): (card, title, summary as HTML), in the
    requested order.

    The order and the page are found on the narrow columns; only the page's rows are then read whole
    (their cards, and their highlights).
    """
    wanted = PageQuery.of(filters, words, limit)
    chosen = wanted.chosen(documents, condition).subquery("chosen")
    return _shown(connection, chosen, wanted.ordering(chosen), words, highlights)


def shown(connection: Connection, ids: list[int], words: Words, highlights: bool) -> list[tuple[dict, Markup, Markup]]:
    """The rows ``ids``, in that order, as ``page`` gives them (the counts found them: ``counts``)."""
    if not ids:
        return []
    chosen = func.unnest(code_array(ids)).table_valued("item_id", with_ordinality="position").render_derived(
        name="chosen")
    return _shown(connection, chosen, [chosen.c.position], words, highlights)


def _shown(connection: Connection, chosen, ordering: list[ColumnElement], words: Words,
           highlights: bool) -> list[tuple[dict, Markup, Markup]]:
    """(card, title, summary as HTML) of the rows of ``chosen`` (a subquery of ids), in ``ordering``."""
    hit = documents.alias("hit")
    columns = [hit.c.card]
    if highlights:
        columns += [words.highlighted(hit.c.card["title"].astext, hit.c),
                    words.highlighted(hit.c.card["summary"].astext, hit.c)]
    statement = select(*columns).join_from(chosen, hit, hit.c.item_id == chosen.c.item_id).order_by(*ordering)
    if highlights:
        cjk_words = words.query.cjk_words if words.query is not None else frozenset()
        return [(card, marked(title, cjk_words), marked(summary, cjk_words))
                for card, title, summary in connection.execute(statement)]
    return [(card, escape(card["title"]), escape(card["summary"])) for (card,) in connection.execute(statement)]


def total(connection: Connection, condition) -> int:
    return connection.scalar(select(func.count()).select_from(documents).where(condition))


def among(connection: Connection, condition, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that ``condition`` keeps, in their order."""
    ids = list(ids)
    if not ids:
        return []
    kept = set(connection.scalars(select(D.item_id).where(condition, D.item_id.in_(ids))))
    return [item_id for item_id in ids if item_id in kept]
