""""Did you mean" and similar items in SQL, both from public items only (the visibility rule).

Suggestions: for each word of the query that no public title or summary holds, the closest word of
``search_words`` (trigram candidates, then edit distance 1 before 2, then the word most public items
hold) that some public item holds. ``search_words`` keeps the words of every item, hidden or not, so
every candidate is checked against the public items' own words before it is proposed.

Similar items: the public items that best match the item's own title and summary words (its weighted
lexemes, title first), ranked like a search.
"""

from typing import Any

from sqlalchemy import ColumnElement, Connection, Text, cast, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from portal.catalogue.visibility import PublicRule
from portal.search import syntax
from portal.search.postgresql.schema import documents
from portal.search.postgresql.tsquery import literal

D = documents.c
CANDIDATES = 20
SIMILAR_TERMS = 12
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
    SELECT lexeme FROM search_documents, unnest(ranked) AS t(lexeme, positions, weights)
    WHERE item_id = :item_id
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
    """Cards of the public items most like ``item_id``, best first."""
    terms = list(connection.scalars(_TERMS, {"item_id": item_id, "limit": SIMILAR_TERMS}))
    if not terms:
        return []
    query = cast(" | ".join(map(literal, terms)), TSQUERY)
    statement = (
        select(D.card)
        .where(rule.clause(D), D.item_id != item_id, D.document.bool_op("@@")(query))
        .order_by(func.ts_rank(WEIGHTS, D.ranked, query).desc(), D.updated_at.desc(), D.item_id.desc())
        .limit(limit)
    )
    return list(connection.scalars(statement))
