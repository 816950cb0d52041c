"""The index as this process reads it: one snapshot per index generation, and what it caches.

Caches follow what they depend on: segment columns live as long as their segment; the generation's
columns, matched-document sets, similar items and suggestions live as long as the generation; the
public mask is kept per visibility rule (``portal.catalogue.visibility.public_rule``), which moves
once a day.

Reading never writes. A missing or unreadable index raises ``SearchUnavailable``: building one takes
tens of seconds, which no visitor's request may spend (``search reindex`` repairs it).
"""

import contextlib
import gc
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from portal.search.columns import Columns, SegmentColumns, pack
from portal.search.query import ParsedQuery
from portal.search.results import SearchUnavailable
from portal.search.scoring import Evaluator, PostingsCache, Segment
from portal.search.store import Store, quiet_leaks

log = logging.getLogger(__name__)

MATCH_CACHE = 256
MATCH_BYTES = 48 * 1024 * 1024
MEMO_SIZE = 512


@dataclass
class Snapshot:
    """One index generation as seen by this process."""

    name: str
    generation: int
    searcher: Searcher
    columns: Columns
    segments: list[Segment]
    postings: PostingsCache
    matches: OrderedDict = field(default_factory=OrderedDict)
    match_bytes: int = 0
    memo: OrderedDict = field(default_factory=OrderedDict)  # similar items and suggestions
    lock: threading.Lock = field(default_factory=threading.Lock)

    def card(self, docnum: int) -> dict[str, Any]:
        return json.loads(self.searcher.stored_fields(docnum)["card"])

    def evaluate(self, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray | None]:
        """The packed set of documents matching ``parsed`` and their ranking (cached for the generation)."""
        key = parsed.key
        with self.lock:
            if key in self.matches:
                self.matches.move_to_end(key)
                return self.matches[key]
        evaluator = Evaluator(self.searcher, self.segments, self.columns.n, self.postings, self._phrase_docs)
        mask, ranking = evaluator.evaluate(parsed, self.columns.alive)
        entry = (pack(mask), ranking)
        with self.lock:
            self.matches[key] = entry
            self.match_bytes += entry[0].nbytes + (ranking.nbytes if ranking is not None else 0)
            while self.matches and (len(self.matches) > MATCH_CACHE or self.match_bytes > MATCH_BYTES):
                _, (packed, old) = self.matches.popitem(last=False)
                self.match_bytes -= packed.nbytes + (old.nbytes if old is not None else 0)
        return entry

    def remembered(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept for the generation under ``key`` (the newest MEMO_SIZE results)."""
        with self.lock:
            if key in self.memo:
                return self.memo[key]
        value = compute()
        with self.lock:
            self.memo[key] = value
            while len(self.memo) > MEMO_SIZE:
                self.memo.popitem(last=False)
        return value

    def _phrase_docs(self, query) -> np.ndarray:
        mask = np.zeros(self.columns.n, dtype=bool)
        mask[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
        return mask


class SnapshotReader:
    """The current snapshot of one store, opened anew whenever the index changes generation."""

    def __init__(self, store: Store):
        self.store = store
        self.lock = threading.RLock()
        self._ix: whoosh_index.Index | None = None
        self._ix_name: str | None = None
        self._snapshot: Snapshot | None = None
        self._segments: dict[str, tuple[SegmentReader, SegmentColumns]] = {}
        self._retired: list[SegmentReader] = []
        self._postings = PostingsCache()

    def current(self) -> Snapshot:
        """The snapshot of the index's latest generation; ``SearchUnavailable`` when it cannot be read."""
        with self.lock:
            snap = self._snapshot
            with contextlib.suppress(Exception):
                if (
                    snap is not None
                    and self._ix is not None
                    and self.store.current_name() == self._ix_name
                    and self._ix.latest_generation() == snap.generation
                ):
                    return snap
            with quiet_leaks():
                try:
                    return self._read_current()
                except SearchUnavailable:
                    raise
                except Exception as error:
                    # Only the message: a logged traceback would keep the files Whoosh leaked open.
                    log.error("The search index cannot be read (%s); run `search reindex`", repr(error))
                gc.collect()
            self.forget()
            raise SearchUnavailable("The search index cannot be read.")

    def forget(self) -> None:
        """Drop the open index (after a rebuild, or when it failed): the next read opens it again."""
        with self.lock:
            self._retire(set(self._segments))
            self._ix, self._ix_name, self._snapshot = None, None, None
            self._segments = {}

    def close(self) -> None:
        """Close every open reader (tests call this when they drop an app)."""
        with self.lock:
            self.forget()
            self._retire(set())

    def _retire(self, segment_ids: set[str]) -> None:
        """Close the readers retired one generation ago; retire those of ``segment_ids``.

        Closing waits one generation so that a search still running on the previous snapshot (in
        another thread) never reads from a closed file.
        """
        for reader in self._retired:
            with contextlib.suppress(Exception):
                reader.close()
        self._retired = [self._segments[segid][0] for segid in segment_ids if segid in self._segments]

    def _read_current(self) -> Snapshot:
        name = self.store.current_name()
        if self._ix is None or name != self._ix_name or name is None:
            self.forget()
            self._ix = self.store.open(name)
            self._ix_name = name
        ix = self._ix
        generation = ix.latest_generation()
        if self._snapshot is not None and self._snapshot.generation == generation:
            return self._snapshot
        toc = TOC.read(ix.storage, ix.indexname, gen=generation, schema=ix.schema)
        readers, parts, segments, scored, offset = [], [], {}, [], 0
        for segment in toc.segments:
            segid = segment.segment_id()
            cached = self._segments.get(segid)
            if cached is None:
                reader = SegmentReader(ix.storage, ix.schema, segment, generation=generation)
                n = reader.doc_count_all()
                cards = (reader.stored_fields(docnum).get("card") for docnum in range(n))
                cached = (reader, SegmentColumns.from_cards(cards, n))
            segments[segid] = cached
            readers.append(cached[0])
            deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
            parts.append((cached[1], offset, deleted))
            scored.append(Segment(segid, cached[0], offset, cached[1].n))
            offset += cached[1].n
        if not readers:
            reader = EmptyReader(ix.schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=generation)
        self._retire(set(self._segments) - set(segments))
        self._segments = segments
        self._postings.forget(keep=set(segments))
        self._snapshot = Snapshot(
            name=name,
            generation=generation,
            searcher=Searcher(reader, fromindex=ix),
            columns=Columns.build(parts),
            segments=scored,
            postings=self._postings,
        )
        return self._snapshot
