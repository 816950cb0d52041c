""""Did you mean" and similar items, both from public items only (the visibility rule as a bit set)."""

import math
from collections import Counter
from typing import Any

import numpy as np

from portal.search import analysis, documents, syntax
from portal.search.columns import unpack
from portal.search.query import ParsedQuery
from portal.search.results import SIMILAR_COMMON_SHARE, SIMILAR_KEY_TERMS
from portal.search.scoring import Evaluator
from portal.search.snapshot import Snapshot


def similar(snap: Snapshot, item_id: int, public: np.ndarray, limit: int) -> list[dict[str, Any]]:
    """Cards of the public items most like ``item_id``, best first: those sharing at least two of its key
    terms (``key_terms``; one when it has one), by their BM25F score for them, as a search scores words.
    Two, so that a word like "de" alone makes no likeness."""
    columns = snap.columns
    docnum = columns.docnum_of(item_id)
    if docnum is None:
        return []
    allowed = unpack(public, columns.n)
    allowed[docnum] = False
    evaluator = snap.evaluator()
    terms = key_terms(evaluator, snap.card(docnum)) if allowed.any() else []
    if not terms:
        return []
    score = np.zeros(columns.n, dtype=np.float32)
    shared = np.zeros(columns.n, dtype=np.int8)
    for term in terms:
        holders, term_score = evaluator.term(term)
        score += term_score
        shared += holders
    candidates = np.flatnonzero((shared >= min(2, len(terms))) & allowed)
    best = candidates[np.lexsort((candidates, -score[candidates]))[:limit]]
    return [snap.card(hit_docnum) for hit_docnum in best.tolist()]


def key_terms(evaluator: Evaluator, card: dict[str, Any], count: int = SIMILAR_KEY_TERMS) -> list[str]:
    """The terms of an item's title (twice) and summary that say most about it: by how often the item
    uses them and how few other items do (tf-idf). A term no other item holds finds nothing; one that
    more than a tenth of the catalogue holds says little, and its postings are the longest to read."""
    terms = analysis.analyse(f"{card['title']} {card['title']} {card['summary']}", analysis.analyser(card["language"]))
    most = max(10, int(evaluator.total_docs * SIMILAR_COMMON_SHARE))  # in a small catalogue, any
    weights = {}
    for term, uses in Counter(terms).items():
        holders = max(evaluator.frequency(field, term) for field in documents.TEXT_FIELDS)
        if 1 < holders <= most:
            weights[term] = uses * math.log(evaluator.total_docs / holders)
    return sorted(weights, key=lambda term: (-weights[term], term))[:count]


def suggestion(snap: Snapshot, parsed: ParsedQuery, public: np.ndarray) -> str | None:
    """The query with misspelt words replaced by close words found in public items only."""
    public_docs = unpack(public, snap.columns.n)
    if not public_docs.any():
        return None
    reader = snap.searcher.reader()
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(parsed.words):
        if len(word) < 3 or _in_public(snap, word, public_docs):
            continue
        # Closest first, then the most frequent (Whoosh's own corrector ranks by frequency only).
        for distance in (1, 2):
            candidates = [c for c in reader.terms_within(documents.WORDS_FIELD, word, distance) if c != word]
            candidates.sort(key=lambda c: (-reader.doc_frequency(documents.WORDS_FIELD, c), c))
            found = next((c for c in candidates if _in_public(snap, c, public_docs)), None)
            if found:
                replacements[word] = found
                break
    if not replacements:
        return None
    return syntax.SearchQuery(parsed.text).with_words(replacements)


def _in_public(snap: Snapshot, word: str, public_docs: np.ndarray) -> bool:
    """True when ``word`` occurs in a title or summary of a public item."""
    reader = snap.searcher.reader()
    if (documents.WORDS_FIELD, word) not in reader:
        return False
    matcher = reader.postings(documents.WORDS_FIELD, word)
    return any(public_docs[docnum] for docnum in matcher.all_ids())

