"""Matching and BM25F ranking with numpy over Whoosh's postings.

Whoosh's matchers score one document at a time in Python: a broad query over 100 000 items takes
seconds (SEARCH-NOTES.md). Here each term's postings are read once per segment into arrays
(document numbers and term frequencies; segments never change, so the arrays stay valid for the
segment's life) and a query is evaluated as whole-array operations: AND/OR/NOT of clauses as boolean
masks, and Whoosh's own BM25F formula (B=0.75, K1=1.2, field boosts) summed per matched term (a word
read in several languages is an OR of its variants).
Phrases still go through Whoosh's phrase matcher (they need positions) for their match set; prefixes
score a constant, like Whoosh's ``Prefix``.

The result is the set of matching documents and their ranking (document numbers by descending
score), cached per index generation by the caller; any filter then picks its top results from the
ranking in one pass, so facet clicks and pages of the same words cost almost nothing.
"""

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from portal.search.documents import TEXT_FIELDS
from portal.search.internals import read_postings
from portal.search.query import Clause, ParsedQuery

B, K1 = 0.75, 1.2
MAX_PREFIX_TERMS = 200
MAX_FREQUENCIES = 100_000  # document frequencies kept per index generation
POSTINGS_BUDGET = 12_000_000  # postings kept in memory (about 100 MB at most)


@dataclass
class Segment:
    """What the scorer needs of one segment: its reader, id and document offset."""

    segid: str
    reader: object
    offset: int
    n: int


class PostingsCache:
    """(segment id, field, term) → (document numbers, term frequencies), least recently used first out."""

    def __init__(self, budget: int = POSTINGS_BUDGET):
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.lengths: dict[tuple[str, str], np.ndarray] = {}

    def get(self, segment: Segment, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        key = (segment.segid, field, term)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        entry = read_postings(segment.reader, field, term)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = entry
                self.size += len(entry[0])
            while self.size > self.budget and len(self._entries) > 1:
                _, (ids, _) = self._entries.popitem(last=False)
                self.size -= len(ids)
        return entry

    def field_lengths(self, segment: Segment, field: str, known: np.ndarray | None = None) -> np.ndarray:
        """Each document's length of ``field`` in ``segment`` (``known``: as saved by the rebuild)."""
        key = (segment.segid, field)
        if key not in self.lengths:
            length = segment.reader.doc_field_length
            self.lengths[key] = known if known is not None else np.fromiter(
                (length(docnum, field) or 0 for docnum in range(segment.n)), dtype=np.float32, count=segment.n
            )
        return self.lengths[key]

    def forget(self, keep: set[str]) -> None:
        """Drop what belongs to segments no longer in the index."""
        with self._lock:
            self._forget(keep)

    def _forget(self, keep: set[str]) -> None:
        for key in [key for key in self._entries if key[0] not in keep]:
            ids, _ = self._entries.pop(key)
            self.size -= len(ids)
        for key in [key for key in self.lengths if key[0] not in keep]:
            del self.lengths[key]


class Evaluator:
    """Evaluates one parsed query over one index generation."""

    def __init__(self, searcher, segments: list[Segment], n: int, cache: PostingsCache,
                 phrase_docs: Callable[[object], np.ndarray], frequencies: dict | None = None):
        self.searcher = searcher
        self.frequencies = frequencies if frequencies is not None else {}
        self.segments = segments
        self.n = n
        self.cache = cache
        self.phrase_docs = phrase_docs
        self.total_docs = max(searcher.doc_count_all(), 1)
        self._avg = {field: searcher.avg_field_length(field) or 1.0 for field in TEXT_FIELDS}

    def frequency(self, field: str, token: str) -> int:
        """Whoosh's document frequency of ``token`` in ``field``, kept for the generation: a word read in
        several languages asks for several terms, each a lookup in every segment's dictionary."""
        key = (field, token)
        found = self.frequencies.get(key)
        if found is None:
            if len(self.frequencies) >= MAX_FREQUENCIES:
                self.frequencies.clear()
            found = self.frequencies[key] = self.searcher.doc_frequency(field, token)
        return found

    def term(self, token: str, fields=tuple(TEXT_FIELDS)) -> tuple[np.ndarray, np.ndarray]:
        """Mask of documents with ``token`` in any of ``fields``, and its BM25F score there."""
        mask = np.zeros(self.n, dtype=bool)
        score = np.zeros(self.n, dtype=np.float32)
        for field in fields:
            frequency = self.frequency(field, token)
            if not frequency:
                continue
            idf = math.log(self.total_docs / (frequency + 1)) + 1
            for segment in self.segments:
                ids, tf = self.cache.get(segment, field, token)
                if not len(ids):
                    continue
                lengths = self.cache.field_lengths(segment, field)[ids]
                norm = K1 * ((1 - B) + B * lengths / self._avg[field])
                at = ids + segment.offset
                mask[at] = True
                score[at] += TEXT_FIELDS[field] * idf * (tf * (K1 + 1)) / (tf + norm)
        return mask, score

    def word(self, variants: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """A word in any of its variants (its terms in several languages), their scores added, as
        Whoosh's ``Or`` does (an item rarely holds two variants of one word)."""
        mask, score = self.term(variants[0])
        for variant in variants[1:]:
            variant_mask, variant_score = self.term(variant)
            mask |= variant_mask
            score += variant_score
        return mask, score

    def phrase(self, clause: Clause) -> tuple[np.ndarray, np.ndarray]:
        """Like Whoosh's ``Phrase``, field by field and reading by reading: where the phrase occurs in a
        field, the score of its words in that field (a phrase in the summary does not score its words'
        hits in the title)."""
        mask = np.zeros(self.n, dtype=bool)
        score = np.zeros(self.n, dtype=np.float32)
        for phrase in clause.query.subqueries:  # one Phrase per reading and field (portal.search.query)
            where = self.phrase_docs(phrase)
            if not where.any():
                continue
            for token in phrase.words:
                score += np.where(where, self.term(token, (phrase.fieldname,))[1], 0)
            mask |= where
        return mask, score

    def prefix(self, variants: tuple[str, ...]) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        reader = self.searcher.reader()
        for field in TEXT_FIELDS:
            for text in variants:
                for count, term in enumerate(reader.expand_prefix(field, text)):
                    if count >= MAX_PREFIX_TERMS:
                        break
                    term = term.decode() if isinstance(term, bytes) else term
                    for segment in self.segments:
                        ids, _ = self.cache.get(segment, field, term)
                        mask[ids + segment.offset] = True
        return mask

    def clause(self, clause: Clause) -> tuple[np.ndarray, np.ndarray]:
        if clause.kind == "prefix":
            mask = self.prefix(clause.tokens[0])
            return mask, mask.astype(np.float32)  # a constant score, as Whoosh's Prefix query gives
        if clause.kind == "phrase":
            return self.phrase(clause)
        mask = np.ones(self.n, dtype=bool)
        score = np.zeros(self.n, dtype=np.float32)
        for variants in clause.tokens:
            word_mask, word_score = self.word(variants)
            mask &= word_mask
            score += word_score
        return mask, np.where(mask, score, 0)

    def evaluate(self, parsed: ParsedQuery, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(matching documents, their document numbers by descending score or None when unranked)."""
        if not parsed.groups:
            mask = alive.copy()
            score = None
        else:
            mask = alive.copy()
            score = np.zeros(self.n, dtype=np.float32)
            for group in parsed.groups:
                group_mask = np.zeros(self.n, dtype=bool)
                for clause in group:
                    clause_mask, clause_score = self.clause(clause)
                    group_mask |= clause_mask
                    score += clause_score
                mask &= group_mask
        for clause in parsed.exclusions:
            clause_mask, _ = self.clause(clause)
            mask &= ~clause_mask
        if score is None:
            return mask, None
        matched = np.flatnonzero(mask)
        ranking = matched[np.lexsort((matched, -score[matched]))]
        return mask, ranking.astype(np.int64)
