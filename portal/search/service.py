"""The search service of one app: searcher per index generation, queries, facets, suggestions,
similar items, the queue drain, rebuild and drift check.

Caches follow what they depend on: segment columns live as long as their segment; the generation's
columns and matched-document sets live as long as the generation; the public mask is keyed by the
day's visibility cutoff (``inactive_cutoff()``), which moves once a day.
"""

import contextlib
import gc
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from markupsafe import escape
from sqlalchemy import select
from whoosh import index as whoosh_index
from whoosh.idsets import DocIdSet
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from portal.catalogue.filters import CatalogueFilters
from portal.catalogue.visibility import inactive_cutoff, public_clause
from portal.extensions import db
from portal.models import Item
from portal.search import documents, sync
from portal.search.columns import FACET_VALUES, FACETS, Columns, SegmentColumns, count, pack, unpack
from portal.search.query import ParsedQuery, highlight, parse
from portal.search.scoring import Evaluator, PostingsCache, Segment
from portal.search.store import Store, quiet_leaks

log = logging.getLogger(__name__)

MATCH_CACHE = 256
MATCH_BYTES = 48 * 1024 * 1024
SIMILAR_CACHE = 512
LEFTOVER_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Scope:
    """Which documents a search may see. The default is the public: the visibility rule.

    Staff scopes (``public=False``) see every state of the items in ``programmes`` (None: all, for
    admins), narrowed by the filters' ``state`` and ``inactive``.
    """

    public: bool = True
    programmes: tuple[str, ...] | None = None


PUBLIC = Scope()


class _Allowed(DocIdSet):
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


@dataclass
class Hit:
    """One result: the indexed card plus escaped, highlighted title and summary."""

    card: dict[str, Any]
    title_html: Any
    summary_html: Any

    def __getattr__(self, name: str):
        try:
            return self.card[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class SearchResult:
    filters: CatalogueFilters
    total: int
    hits: list[Hit]
    facets: dict[str, dict[Any, int]]
    suggestion: str | None = None

    @property
    def page(self) -> int:
        return self.filters.page

    @property
    def per_page(self) -> int:
        return self.filters.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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
    similar: OrderedDict = field(default_factory=OrderedDict)  # similar items and suggestions
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

    def _phrase_docs(self, query) -> np.ndarray:
        mask = np.zeros(self.columns.n, dtype=bool)
        mask[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
        return mask


class _Nothing(Exception):
    """Leave the writer without committing."""


class SearchService:
    """Everything search does for one app (one index folder)."""

    def __init__(self, index_dir: str):
        self.store = Store(index_dir)
        self._lock = threading.RLock()
        self._ix: whoosh_index.Index | None = None
        self._ix_name: str | None = None
        self._snapshot: Snapshot | None = None
        self._segments: dict[str, tuple[SegmentReader, SegmentColumns]] = {}
        self._retired: list[SegmentReader] = []
        self._postings = PostingsCache()
        self._last_leftover_check = 0.0

    # -- the current generation --------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
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
                    return self._current_snapshot()
                except Exception as error:
                    # Only the message: a logged traceback would keep the files Whoosh leaked open.
                    log.error("The search index could not be read (%s); rebuilding it", repr(error))
                gc.collect()
            self._forget()
            self.store.rebuild(expected=self.store.current_name(), after_swap=self.drain)
            return self._current_snapshot()

    def warm(self) -> bool:
        """Read the current index now rather than on the first search (a gunicorn worker at boot).

        False when there is no index yet: building one is left to the first search or to
        ``search reindex``, since a worker that takes minutes to boot would be killed.
        """
        if self.store.current_path() is None:
            return False
        self.snapshot()
        return True

    def _forget(self) -> None:
        self._retire(set(self._segments))
        self._ix, self._ix_name, self._snapshot = None, None, None
        self._segments = {}

    def close(self) -> None:
        """Close every open reader (tests call this when they drop an app)."""
        with self._lock:
            self._retire(set(self._segments))
            self._retire(set())
            self._ix, self._ix_name, self._snapshot, self._segments = None, None, None, {}

    def _retire(self, segment_ids: set[str]) -> None:
        """Close the readers retired one generation ago; retire those of ``segment_ids``.

        Closing waits one generation so that a search still running on the previous snapshot (in
        another thread) never reads from a closed file.
        """
        for reader in self._retired:
            with contextlib.suppress(Exception):
                reader.close()
        self._retired = [self._segments[segid][0] for segid in segment_ids if segid in self._segments]

    def _current_snapshot(self) -> Snapshot:
        name = self.store.current_name()
        if self._ix is None or name != self._ix_name or name is None:
            self._forget()
            self._ix = self.store.open(after_swap=self.drain)
            self._ix_name = self.store.current_name()
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

    # -- searching ---------------------------------------------------------------------------

    def search(
        self,
        filters: CatalogueFilters,
        scope: Scope = PUBLIC,
        *,
        with_facets: bool = True,
        suggest: bool = True,
        highlights: bool = True,
    ) -> SearchResult:
        """One page of results for ``filters`` within ``scope``, with facet counts."""
        self._drain_leftovers()
        snap = self.snapshot()
        columns = snap.columns
        cutoff = inactive_cutoff()
        base = _scope_mask(columns, filters, scope, cutoff)
        parsed = parse(filters.q)
        ranking = None
        if parsed.query is not None:
            matched, ranking = snap.evaluate(parsed)
            base = base & matched
        selections = _selections(columns, filters)
        selected = base.copy()
        for mask in selections.values():
            selected &= mask
        total = count(selected)
        start = (filters.page - 1) * filters.per_page
        docnums: list[int] = []
        if start < total:
            if filters.sort == "relevance" and ranking is not None:
                allowed = unpack(selected, columns.n)
                docnums = ranking[allowed[ranking]][start : start + filters.per_page].tolist()
            else:
                order = "title" if filters.sort == "title" else "newest"
                docnums = columns.docnums(selected, order)[start : start + filters.per_page].tolist()
        cards = [snap.card(docnum) for docnum in docnums]
        if scope.public:
            cards = _confirmed_public(cards)
        if highlights:
            hits = [Hit(card, highlight(card["title"], parsed), highlight(card["summary"], parsed)) for card in cards]
        else:
            hits = [Hit(card, escape(card["title"]), escape(card["summary"])) for card in cards]
        facets = _facet_counts(columns, base, selections, filters) if with_facets else {}
        suggestion = None
        if suggest and total == 0 and parsed.words:
            key = ("suggestion", parsed.text, cutoff)
            with snap.lock:
                cached = snap.similar.get(key, False)
            if cached is False:
                cached = self._suggestion(snap, parsed, columns.public(cutoff))
                with snap.lock:
                    snap.similar[key] = cached
            suggestion = cached
        return SearchResult(filters=filters, total=total, hits=hits, facets=facets, suggestion=suggestion)

    def matching(self, filters: CatalogueFilters, item_ids: Iterable[int], scope: Scope = PUBLIC) -> set[int]:
        """Those of ``item_ids`` that ``filters`` find within ``scope``: no ranking, facets or cards (saved
        searches' digests ask this of a few new items for each of many searches)."""
        snap = self.snapshot()
        columns = snap.columns
        docnums = [docnum for docnum in map(columns.docnum_of, item_ids) if docnum is not None]
        if not docnums:
            return set()
        wanted = np.zeros(columns.n, dtype=bool)
        wanted[docnums] = True
        selected = pack(wanted) & _scope_mask(columns, filters, scope, inactive_cutoff())
        parsed = parse(filters.q)
        if parsed.query is not None:
            selected &= snap.evaluate(parsed)[0]
        for mask in _selections(columns, filters).values():
            selected &= mask
        return set(columns.ids[unpack(selected, columns.n)].tolist())

    def export(self, filters: CatalogueFilters, scope: Scope = PUBLIC, limit: int = 10000) -> list[dict[str, Any]]:
        """Every result of ``filters`` (at most ``limit``), in the requested order, as cards."""
        everything = replace(filters, page=1, per_page=limit)
        result = self.search(everything, scope, with_facets=False, suggest=False, highlights=False)
        return [hit.card for hit in result.hits]

    def similar(self, item_id: int, limit: int = 5) -> list[dict[str, Any]]:
        """Public items most like ``item_id`` (Whoosh's more-like-this over the public scope)."""
        snap = self.snapshot()
        columns = snap.columns
        cutoff = inactive_cutoff()
        key = (item_id, cutoff, limit)
        with snap.lock:
            if key in snap.similar:
                return _confirmed_public(snap.similar[key])
        docnum = columns.docnum_of(item_id)
        cards: list[dict[str, Any]] = []
        if docnum is not None:
            allowed = unpack(columns.public(cutoff), columns.n)
            allowed[docnum] = False
            if allowed.any():
                card = snap.card(docnum)
                text = f"{card['title']} {card['title']} {card['summary']}"
                results = snap.searcher.more_like(
                    docnum, "text", text=text, top=limit, numterms=8, filter=_Allowed(allowed)
                )
                cards = [snap.card(hit_docnum) for _, hit_docnum in results.top_n]
        with snap.lock:
            snap.similar[key] = cards
            while len(snap.similar) > SIMILAR_CACHE:
                snap.similar.popitem(last=False)
        return _confirmed_public(cards)

    def _suggestion(self, snap: Snapshot, parsed: ParsedQuery, public: np.ndarray) -> str | None:
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
        return " ".join(_replace_word(token, replacements) for token in parsed.text.split(" "))

    def card(self, item_id: int) -> dict[str, Any] | None:
        snap = self.snapshot()
        docnum = snap.columns.docnum_of(item_id)
        return snap.card(docnum) if docnum is not None else None

    # -- keeping the index up to date --------------------------------------------------------

    def drain(self) -> int:
        """Index the queued changes; returns how many queue entries were handled."""
        with db.engine.connect() as connection:
            if not sync.read_queue(connection, 1):
                return 0
        name = self.store.current_name()
        path = self.store.current_path()
        if path is None:
            return 0  # the next search builds the index, which then drains the queue
        ix = whoosh_index.open_dir(str(path))
        handled = 0
        while True:
            entries: list[tuple[int, int]] = []
            try:
                # Read after taking the lock: the connection then sees every commit made before it.
                with self.store.writer(ix) as writer, db.engine.connect() as connection:
                    entries = sync.read_queue(connection)
                    if not entries:
                        raise _Nothing
                    _apply(writer, {item_id for _, item_id in entries}, connection)
            except _Nothing:
                return handled
            handled += len(entries)
            # Keep the queue while a rebuild runs or when the index written is no longer current.
            if self.store.current_name() == name and not self.store.rebuilding():
                with db.engine.begin() as connection:
                    sync.remove_entries(connection, [entry for entry, _ in entries])
            else:
                return handled
            if len(entries) < sync.BATCH:
                return handled

    def _drain_leftovers(self) -> None:
        """Now and then, index what a dead worker left in the queue."""
        now = time.monotonic()
        if now - self._last_leftover_check < LEFTOVER_CHECK_SECONDS:
            return
        self._last_leftover_check = now
        try:
            self.drain()
        except Exception:
            log.exception("Could not drain the search queue")

    def rebuild(self, progress: Callable[[int], object] | None = None) -> None:
        """Rebuild the whole index from the database into a new folder and swap it in."""
        with self._lock:
            self.store.rebuild(progress=progress, after_swap=self.drain)
            self._forget()

    def check(self) -> dict[str, list[int]]:
        """Compare the index with the database: ids missing from, stale in, or extra in the index."""
        self.drain()
        snap = self.snapshot()
        columns = snap.columns
        indexed: dict[int, str] = {}
        for docnum in np.flatnonzero(columns.alive).tolist():
            stored = snap.searcher.stored_fields(docnum)
            indexed[int(stored["id"])] = stored["card"]
        database = documents.all_ids()
        missing = sorted(database - indexed.keys())
        extra = sorted(indexed.keys() - database)
        stale = []
        common = sorted(database & indexed.keys())
        for start in range(0, len(common), 2000):
            chunk = common[start : start + 2000]
            for item_id, doc in documents.documents(chunk).items():
                if json.loads(doc["card"]) != json.loads(indexed[item_id]):
                    stale.append(item_id)
        duplicates = len(np.flatnonzero(columns.alive)) - len(indexed)
        return {"missing": missing, "stale": stale, "extra": extra, "duplicates": [duplicates] if duplicates else []}


def _apply(writer: IndexWriter, ids: set[int], connection) -> None:
    """Write the current database state of ``ids`` (each id once per writer: SEARCH-NOTES.md)."""
    docs = documents.documents(ids, connection)
    for item_id in sorted(ids):
        if item_id in docs:
            writer.update_document(**docs[item_id])
        else:
            writer.delete_by_term("id", str(item_id))


def _scope_mask(columns: Columns, filters: CatalogueFilters, scope: Scope, cutoff) -> np.ndarray:
    """The documents ``scope`` may see: the visibility rule, or the staff's programmes and states."""
    if scope.public:
        return columns.public(cutoff)
    return columns.staff(scope.programmes, filters.state, cutoff if filters.inactive else None)


def _selections(columns: Columns, filters: CatalogueFilters) -> dict[str, np.ndarray]:
    """The mask of each facet that has values selected (values OR-ed)."""
    masks = {}
    for facet in FACETS:
        values = filters.selected(facet)
        if not values:
            continue
        if facet == "status" and filters.programme:
            masks[facet] = columns.pairs_of(filters.programme, values)
        else:
            masks[facet] = columns.any_of(facet, values)
    return masks


def _facet_counts(
    columns: Columns, base: np.ndarray, selections: dict[str, np.ndarray], filters: CatalogueFilters
) -> dict[str, dict[Any, int]]:
    """Each facet counted with every OTHER facet applied: the count is what ticking the box gives."""
    result = {}
    for facet in FACETS:
        rest = base.copy()
        for other, mask in selections.items():
            if other == facet or (facet == "programme" and other == "status"):
                continue
            rest &= mask
        if facet == "programme" and filters.status:
            counts = columns.pair_counts(rest, filters.programme, filters.status, by="programme")
        elif facet == "status" and filters.programme:
            counts = columns.pair_counts(rest, filters.programme, filters.status, by="status")
        else:
            counts = columns.counts(facet, rest)
        selected = set(filters.selected(facet))
        result[facet] = {
            value: int(number)
            for value, number in zip(FACET_VALUES[facet], counts.tolist(), strict=True)
            if number or value in selected
        }
    return result


def _confirmed_public(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop any card the database no longer holds public (the index may lag a commit by a moment)."""
    if not cards:
        return cards
    ids = [card["id"] for card in cards]
    public = set(db.session.scalars(select(Item.id).where(Item.id.in_(ids), public_clause())))
    return [card for card in cards if card["id"] in public]


def _in_public(snap: Snapshot, word: str, public_docs: np.ndarray) -> bool:
    """True when ``word`` occurs in a title or summary of a public item."""
    reader = snap.searcher.reader()
    if (documents.WORDS_FIELD, word) not in reader:
        return False
    matcher = reader.postings(documents.WORDS_FIELD, word)
    return any(public_docs[docnum] for docnum in matcher.all_ids())


def _replace_word(token: str, replacements: dict[str, str]) -> str:
    core = token.strip('"-*()')
    replacement = replacements.get(core.lower())
    return token.replace(core, replacement) if replacement else token
