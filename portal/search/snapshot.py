"""The index as this process reads it: one snapshot per index generation, and what it caches.

Caches follow what they depend on: segment columns live as long as their segment; the generation's
columns, matched-document sets, decoded cards, similar items and suggestions live as long as the
generation; the public mask is kept per visibility rule (``portal.catalogue.visibility.public_rule``),
which moves once a day.

Reading never writes. A missing or unreadable index raises ``SearchUnavailable``: building one takes
tens of seconds, which no visitor's request may spend (``search reindex`` repairs it).
"""

import contextlib
import gc
import itertools
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from portal.search import internals
from portal.search.columns import COLUMNS_FILE, Columns, SegmentColumns, load_segment_columns, pack
from portal.search.documents import TEXT_FIELDS
from portal.search.query import ParsedQuery
from portal.search.results import SearchUnavailable
from portal.search.scoring import Evaluator, PostingsCache, Segment
from portal.search.store import Store, quiet_leaks

log = logging.getLogger(__name__)

MATCH_CACHE = 256
MATCH_BYTES = 48 * 1024 * 1024
MEMO_SIZE = 512
CARDS_KEPT = 2048  # decoded cards per generation (about 4 KB each)
# How long a reader keeps trying while writers move the index under it (then: the previous snapshot).
OPEN_PATIENCE = 20.0
# A new generation bringing more unread documents than this is opened in the background.
BACKGROUND_DOCS = 2000


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
    cards: dict = field(default_factory=dict)  # docnum → decoded card, the first-decoded leaving first
    frequencies: dict = field(default_factory=dict)  # (field, term) → document frequency
    lock: threading.Lock = field(default_factory=threading.Lock)

    def card(self, docnum: int) -> dict[str, Any]:
        """The card of document ``docnum``, decoded once for the generation (the latest CARDS_KEPT):
        every page showing it gets the same dict, which nobody may change."""
        found = self.cards.get(docnum)
        if found is None:
            found = json.loads(self.searcher.stored_fields(docnum)["card"])
            with self.lock:
                self.cards[docnum] = found
                if len(self.cards) > CARDS_KEPT:
                    del self.cards[next(iter(self.cards))]
        return found

    def evaluate(self, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray | None]:
        """The packed set of documents matching ``parsed`` and their ranking (cached for the generation)."""
        key = parsed.key
        with self.lock:
            if key in self.matches:
                self.matches.move_to_end(key)
                return self.matches[key]
        mask, ranking = self.evaluator().evaluate(parsed, self.columns.alive)
        entry = (pack(mask), ranking)
        with self.lock:
            self.matches[key] = entry
            self.match_bytes += entry[0].nbytes + (ranking.nbytes if ranking is not None else 0)
            while self.matches and (len(self.matches) > MATCH_CACHE or self.match_bytes > MATCH_BYTES):
                _, (packed, old) = self.matches.popitem(last=False)
                self.match_bytes -= packed.nbytes + (old.nbytes if old is not None else 0)
        return entry

    def evaluator(self) -> Evaluator:
        """What scores queries over this generation (``evaluate`` keeps its results; this does not)."""
        return Evaluator(self.searcher, self.segments, self.columns.n, self.postings, self._phrase_docs,
                         self.frequencies)

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
    """The current snapshot of one store, opened anew whenever the index changes generation.

    Another process's commit writes a new generation and removes the files of the previous one (its
    table of contents, the segments it merged) while this one may be opening it. Opening is therefore
    an attempt: read the table of contents, open each new segment and every file of it that is read
    later (stored cards, field lengths), then check that neither the folder nor the generation moved
    meanwhile. When they moved, the attempt is dropped and made again on the newer generation; only a
    failure on an index that did not move means the index is broken (``SearchUnavailable``).

    A new generation that brings many documents this process has not read yet (a rebuilt folder, a
    large merge) is opened by a background thread while searches keep the previous snapshot, which
    is whole and only seconds older: nobody waits for the seconds that reading 60,000 cards takes.
    Opening happens outside the lock; only installing the new snapshot takes it.
    """

    def __init__(self, store: Store):
        self.store = store
        self.lock = threading.RLock()  # guards what is installed: the snapshot and its segments
        self._snapshot: Snapshot | None = None
        self._indexes: dict[str, whoosh_index.Index] = {}
        self._segments: dict[str, tuple[SegmentReader, SegmentColumns]] = {}
        self._retired: list[SegmentReader] = []
        self._postings = PostingsCache()
        self._warmer: threading.Thread | None = None

    def current(self) -> Snapshot:
        """The snapshot of the index's latest generation (or, while a background thread opens a much
        larger new one, the previous one); ``SearchUnavailable`` when the index cannot be read."""
        snap = self._snapshot
        if snap is not None and self._unchanged(snap.name, snap.generation):
            return snap
        return self._refresh(keep_previous=True)

    def installed(self) -> Snapshot | None:
        """The snapshot ``current`` last answered (or a background thread installed), checked against
        the index's files or not."""
        return self._snapshot

    def latest(self) -> Snapshot:
        """The snapshot of the latest generation, opened now however long it takes (a background thread)."""
        return self._refresh(keep_previous=False)

    def forget(self) -> None:
        """Drop the open index (when it failed): the next read opens it again."""
        with self.lock:
            self._retire(set(self._segments))
            self._snapshot = None
            self._segments = {}
            self._indexes = {}

    def close(self) -> None:
        """Close every open reader (tests call this when they drop an app)."""
        warmer = self._warmer
        if warmer is not None:
            warmer.join()
        with self.lock:
            self.forget()
            self._retire(set())

    def _refresh(self, *, keep_previous: bool) -> Snapshot:
        with quiet_leaks():
            try:
                return self._read_current(keep_previous)
            except SearchUnavailable:
                raise
            except Exception as error:
                # Only the message: a logged traceback would keep the files Whoosh leaked open.
                log.error("The search index cannot be read (%s); run `search reindex`", repr(error))
            gc.collect()
        self.forget()
        raise SearchUnavailable("The search index cannot be read.")

    def _retire(self, segment_ids: set[str]) -> None:
        """Close the readers retired one generation ago; retire those of ``segment_ids``.

        Closing waits one generation so that a search still running on the previous snapshot (in
        another thread) never reads from a closed file.
        """
        for reader in self._retired:
            with contextlib.suppress(Exception):
                reader.close()
        self._retired = [self._segments[segid][0] for segid in segment_ids if segid in self._segments]

    def _unchanged(self, name: str | None, generation: int | None) -> bool:
        """True when ``name`` is still the current folder and ``generation`` its latest generation."""
        try:
            return self.store.current_name() == name and self.store.generation(name) == generation
        except OSError:
            return False

    def _index(self, name: str | None) -> whoosh_index.Index:
        ix = self._indexes.get(name) if name else None
        if ix is None:
            ix = self.store.open(name)
            self._indexes = {name: ix}
        return ix

    def _read_current(self, keep_previous: bool) -> Snapshot:
        # Segments never change, so a segment opened by an attempt that another commit overtook serves
        # the next attempt too whenever the newer generation still has it: retries only open what is new.
        opened: dict[str, tuple[SegmentReader, SegmentColumns]] = {}
        try:
            return self._attempts(keep_previous, opened)
        finally:
            for segid, (reader, _) in opened.items():
                if self._segments.get(segid, (None,))[0] is not reader:
                    with contextlib.suppress(Exception):
                        reader.close()

    def _attempts(self, keep_previous: bool, opened: dict) -> Snapshot:
        deadline = time.monotonic() + OPEN_PATIENCE
        for attempt in itertools.count():
            name = self.store.current_name()
            generation = None
            try:
                ix = self._index(name)
                generation = self.store.generation(name)
                previous = self._snapshot
                if previous is not None and (previous.name, previous.generation) == (name, generation):
                    return previous
                toc = self._toc(ix, generation)
                known = set(self._segments) | set(opened)
                missing = [segment for segment in toc.segments if segment.segment_id() not in known]
                if keep_previous and previous is not None and sum(s.doc_count_all() for s in missing) > BACKGROUND_DOCS:
                    self._warm_in_background()
                    return previous
                for segment in missing:
                    opened[segment.segment_id()] = self._open_segment(ix, toc, segment)
                with self.lock:
                    whole = all(s.segment_id() in self._segments or s.segment_id() in opened for s in toc.segments)
                    if whole and self._unchanged(name, generation):
                        return self._install(name, ix, toc, opened)
            except SearchUnavailable:
                raise
            except Exception:
                if self._unchanged(name, generation) or time.monotonic() > deadline:
                    raise  # the index is broken, not moving
            # Another process committed (or swapped folders) while this one opened: try the newer one.
            if time.monotonic() > deadline:
                if self._snapshot is not None:
                    return self._snapshot  # writers keep moving it: the previous snapshot is still whole
                raise SearchUnavailable("The search index changes too fast to be read.")
            log.info("The search index moved while being opened; reading its newer generation")
            if attempt:
                time.sleep(min(0.01 * attempt, 0.1))
        raise AssertionError("unreachable")

    def _warm_in_background(self) -> None:
        with self.lock:
            if self._warmer is not None and self._warmer.is_alive():
                return
            self._warmer = threading.Thread(target=self._warm, name="search-index-warmer", daemon=True)
            self._warmer.start()

    def _warm(self) -> None:
        start = time.perf_counter()
        with contextlib.suppress(SearchUnavailable):  # logged; searches keep the previous snapshot
            snap = self.latest()
            log.info("Opened search index generation %s of %s in the background in %.1f s",
                     snap.generation, snap.name, time.perf_counter() - start)

    def _toc(self, ix: whoosh_index.Index, generation: int) -> TOC:
        return TOC.read(ix.storage, ix.indexname, gen=generation)

    def _open_segment(self, ix: whoosh_index.Index, toc: TOC, segment) -> tuple[SegmentReader, SegmentColumns]:
        """A reader of ``segment`` with every file it reads later already open, and its columns."""
        reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        try:
            self._prime(reader)
            n = reader.doc_count_all()
            saved = load_segment_columns(internals.segment_file(ix, segment, COLUMNS_FILE), n)
            if saved is None:  # a segment written by a commit rather than a rebuild: read its cards
                cards = (reader.stored_fields(docnum).get("card") for docnum in range(n))
                columns, lengths = SegmentColumns.from_cards(cards, n), {}
            else:
                columns, lengths = saved
            for name in TEXT_FIELDS:  # what the first ranked search of this segment would read
                self._postings.field_lengths(Segment(segment.segment_id(), reader, 0, n), name, lengths.get(name))
            return reader, columns
        except BaseException:
            reader.close()
            raise

    def _prime(self, reader: SegmentReader) -> None:
        """Open the files Whoosh opens lazily (stored fields, field lengths) while they still exist.

        A file removed before this leaves Whoosh answering defaults (zero lengths) rather than failing;
        the generation check after opening catches that case, since files go only with a newer one.
        """
        if reader.doc_count_all():
            reader.stored_fields(0)
            for name in TEXT_FIELDS:
                reader.doc_field_length(0, name)

    def _install(self, name: str, ix: whoosh_index.Index, toc: TOC, opened: dict) -> Snapshot:
        """Make the generation of ``toc`` current, reusing the readers of segments already open."""
        readers, parts, segments, scored, offset = [], [], {}, [], 0
        for segment in toc.segments:
            segid = segment.segment_id()
            cached = self._segments.get(segid) or opened[segid]  # another thread may have installed it
            segments[segid] = cached
            readers.append(cached[0])
            deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
            parts.append((cached[1], offset, deleted))
            scored.append(Segment(segid, cached[0], offset, cached[1].n))
            offset += cached[1].n
        if not readers:
            reader = EmptyReader(toc.schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=toc.generation)
        self._retire(set(self._segments) - set(segments))
        self._segments = segments
        self._postings.forget(keep=set(segments))
        self._snapshot = Snapshot(
            name=name,
            generation=toc.generation,
            searcher=Searcher(reader, fromindex=ix),
            columns=Columns.build(parts),
            segments=scored,
            postings=self._postings,
        )
        return self._snapshot
