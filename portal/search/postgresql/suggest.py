""""Did you mean" and similar items in SQL, both from public items only (the visibility rule).

Suggestions: for each word of the query that no public title or summary holds, the closest word of
``search_words`` (trigram candidates, then edit distance 1 before 2, then the word most public items
hold) that some public item holds. ``search_words`` keeps the words of every item, hidden or not, so
every candidate is checked against the public items' own words before it is proposed.

Similar items: the public items holding at least two of the item's key terms, ranked like a search
for any of them. The key terms are its title and summary lexemes (title first, then the most repeated,
then the longest), less those that more than a tenth of the catalogue holds: they say little about an
item, and their index entries are the longest to read (each one made the query rank most of the
catalogue). How many items hold a lexeme is what ``ANALYZE`` keeps for the planner
(``pg_stats.most_common_elems``); before the table is analysed, no lexeme is left out.
"""

import itertools
from typing import Any

from sqlalchemy import ColumnElement, Connection, Text, cast, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from portal.catalogue.visibility import PublicRule
from portal.search import syntax
from portal.search.postgresql.schema import documents
from portal.search.postgresql.tsquery import literal
from portal.search.results import SIMILAR_COMMON_SHARE, SIMILAR_KEY_TERMS

D = documents.c
CANDIDATES = 20
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")

_CANDIDATES = text(
    """
    SELECT word, levenshtein(word, :word) AS distance FROM search_words
    WHERE word % :word AND word <> :word AND levenshtein(word, :word) <= 2
    ORDER BY distance, similarity(word, :word) DESC, word LIMIT :limit
    """
)
# The item's title (A) and summary (B) lexemes: title first, then the most repeated, then the longest.
_TERMS = text(
    """
    WITH common AS (
        SELECT stat.lexeme FROM pg_stats,
            unnest(most_common_elems::text::text[], most_common_elem_freqs) AS stat(lexeme, share)
        WHERE schemaname = current_schema() AND tablename = 'search_documents' AND attname = 'document'
            AND stat.lexeme IS NOT NULL AND stat.share > :common
    )
    SELECT lexeme FROM search_documents, unnest(ranked) AS t(lexeme, positions, weights)
    WHERE item_id = :item_id AND lexeme NOT IN (SELECT lexeme FROM common)
    ORDER BY 'A' = ANY(weights) DESC, cardinality(positions) DESC, length(lexeme) DESC, lexeme LIMIT :limit
    """
)


def _public_holding(word: str, rule: PublicRule) -> ColumnElement[bool]:
    return D.words.contains(cast([word], ARRAY(Text))) & rule.clause(D)


def _public_count(connection: Connection, word: str, rule: PublicRule) -> int:
    return connection.scalar(select(func.count()).select_from(documents).where(_public_holding(word, rule)))


def suggestion(connection: Connection, search: syntax.SearchQuery, rule: PublicRule) -> str | None:
    """The query with misspelt words replaced by close words of public items (None: nothing better)."""
    replacements: dict[str, str] = {}
    for word in search.words:
        if len(word) < 3 or connection.scalar(select(D.item_id).where(_public_holding(word, rule)).limit(1)):
            continue
        by_distance: dict[int, list[str]] = {}
        for candidate, distance in connection.execute(_CANDIDATES, {"word": word, "limit": CANDIDATES}):
            by_distance.setdefault(distance, []).append(candidate)
        for distance in sorted(by_distance):
            counted = [(_public_count(connection, candidate, rule), candidate) for candidate in by_distance[distance]]
            best = min(((-number, candidate) for number, candidate in counted if number), default=None)
            if best is not None:
                replacements[word] = best[1]
                break
    return search.with_words(replacements) if replacements else None


def similar(connection: Connection, item_id: int, rule: PublicRule, limit: int) -> list[dict[str, Any]]:
    """Cards of the public items most like ``item_id``, best first (see the module docstring)."""
    terms = [literal(term) for term in connection.scalars(_TERMS, {"item_id": item_id, "limit": SIMILAR_KEY_TERMS,
                                                                   "common": SIMILAR_COMMON_SHARE})]
    if not terms:
        return []
    any_term = cast(" | ".join(terms), TSQUERY)
    two_terms = cast(" | ".join(f"{a} & {b}" for a, b in itertools.combinations(terms, 2)) or terms[0], TSQUERY)
    statement = (
        select(D.card)
        .where(rule.clause(D), D.item_id != item_id, D.document.bool_op("@@")(two_terms))
        .order_by(func.ts_rank(WEIGHTS, D.ranked, any_term).desc(), D.updated_at.desc(), D.item_id.desc())
        .limit(limit)
    )
    return list(connection.scalars(statement))
