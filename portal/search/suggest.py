""""Did you mean" and similar items, both from public items only (the visibility rule as a bit set)."""

from typing import Any

import numpy as np
from whoosh.idsets import DocIdSet

from portal.search import analysis, documents, syntax
from portal.search.columns import unpack
from portal.search.query import ParsedQuery
from portal.search.snapshot import Snapshot


class Allowed(DocIdSet):
    """A set of document numbers backed by a byte per document, for Whoosh's ``filter=``."""

    def __init__(self, mask: np.ndarray):
        self._bytes = mask.astype(np.uint8).tobytes()

    def __contains__(self, docnum: int) -> bool:
        return 0 <= docnum < len(self._bytes) and self._bytes[docnum] == 1

    def __bool__(self) -> bool:  # Whoosh treats a falsy filter as "no filter": never be falsy
        return True

    def __len__(self) -> int:
        return self._bytes.count(1)

    def __iter__(self):
        return (docnum for docnum, flag in enumerate(self._bytes) if flag)


def similar(snap: Snapshot, item_id: int, public: np.ndarray, limit: int) -> list[dict[str, Any]]:
    """Cards of the public items most like ``item_id`` (Whoosh's more-like-this), best first."""
    columns = snap.columns
    docnum = columns.docnum_of(item_id)
    if docnum is None:
        return []
    allowed = unpack(public, columns.n)
    allowed[docnum] = False
    if not allowed.any():
        return []
    card = snap.card(docnum)
    # The field holds analysed terms (portal.search.documents): give Whoosh the item's words as such.
    text = " ".join(analysis.analyse(f"{card['title']} {card['title']} {card['summary']}",
                                     analysis.analyser(card["language"])))
    results = snap.searcher.more_like(docnum, "text", text=text, top=limit, numterms=8, filter=Allowed(allowed))
    return [snap.card(hit_docnum) for _, hit_docnum in results.top_n]


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

