"""Per-document columns kept in memory as numpy arrays: filters, scopes, facet counts and sorting.

Whoosh is good at matching words; it is slow at facet counts and range filters (SEARCH-NOTES.md).
So every document's card is read once per index *segment* (segments never change; only their
deletion sets do) into arrays, and each index generation concatenates the segments' arrays and
packs every facet value into a bit set (one row of 64-bit words per value). A filter is then an
AND/OR of rows, a facet count a popcount, a sort an index into a precomputed order: microseconds
to a few milliseconds at 100 000 items.

Deleted documents are excluded by the generation's ``alive`` mask, computed from the TOC's
deletion sets, so reused segment readers can never resurrect a deleted document.

A full rebuild saves each segment's columns, with its documents' field lengths, in a file beside the
segment (``save_segment_columns``), so that a worker opening a rebuilt index of 100,000 items loads
arrays instead of decoding 100,000 stored cards. The file names the facet values its numbers refer
to: after an upgrade that changed them, it is ignored and the columns are read from the cards.
"""

import hashlib
import itertools
import json
import logging
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from portal import vocab
from portal.catalogue.facets import FACET_NAMES, FACETS
from portal.catalogue.visibility import PublicRule
from portal.search import cards as item_cards

STATES = vocab.values(vocab.STATES)
# Every value a facet can take, in display order (countries: "global" first, then by name).
FACET_VALUES: dict[str, tuple] = {facet.name: facet.values for facet in FACETS}
PROGRAMMES = FACET_VALUES["programme"]
STATUSES = FACET_VALUES["status"]
# facet → value → its row in the facet's columns
POSITIONS = {facet: {value: i for i, value in enumerate(values)} for facet, values in FACET_VALUES.items()}
_STATE_INDEX = {state: i for i, state in enumerate(STATES)}
EPOCH = datetime(1970, 1, 1)
log = logging.getLogger(__name__)
# The name of a segment's columns file (after the segment's id; Whoosh removes it with the segment).
COLUMNS_FILE = ".columns.npz"


def epoch_seconds(value: datetime) -> int:
    return int((value - EPOCH).total_seconds())


@dataclass
class SegmentColumns:
    """The columns of one segment, local document numbers 0..n-1 (deleted ones included)."""

    n: int
    ids: np.ndarray
    state: np.ndarray
    hidden: np.ndarray
    updated: np.ndarray
    titles: list[str]
    # facet → value index → local document numbers
    postings: dict[str, list[np.ndarray]]
    # (programme index, status index) → local document numbers
    pairs: list[np.ndarray]

    @classmethod
    def from_cards(cls, cards: Iterable[str | None], n: int) -> "SegmentColumns":
        ids = np.zeros(n, dtype=np.int64)
        state = np.full(n, -1, dtype=np.int8)
        hidden = np.zeros(n, dtype=bool)
        updated = np.zeros(n, dtype=np.int64)
        titles = [""] * n
        postings = {facet: [[] for _ in FACET_VALUES[facet]] for facet in FACET_NAMES}
        pairs: list[list[int]] = [[] for _ in range(len(PROGRAMMES) * len(STATUSES))]
        index = POSITIONS
        regions = vocab.country_regions()
        for docnum, raw in enumerate(cards):
            if raw is None:
                continue
            card = json.loads(raw)
            ids[docnum] = card["id"]
            state[docnum] = _STATE_INDEX.get(card["state"], -1)
            hidden[docnum] = card["hidden"]
            updated[docnum] = epoch_seconds(datetime.fromisoformat(card["updated_at"]))
            titles[docnum] = card["title"].casefold()
            values = item_cards.facet_values(card, regions)
            for facet, facet_values in values.items():
                positions = index[facet]
                rows = postings[facet]
                for value in facet_values:
                    position = positions.get(value)
                    if position is not None:
                        rows[position].append(docnum)
            for slug, status in card["portfolio"].items():
                p, s = index["programme"].get(slug), index["status"].get(status)
                if p is not None and s is not None:
                    pairs[p * len(STATUSES) + s].append(docnum)
        # Compact arrays instead of lists of Python ints: a tenth of the memory.
        packed_postings = {
            facet: [np.asarray(rows, dtype=np.int32) for rows in lists] for facet, lists in postings.items()
        }
        packed_pairs = [np.asarray(rows, dtype=np.int32) for rows in pairs]
        return cls(n, ids, state, hidden, updated, titles, packed_postings, packed_pairs)


def _layout() -> str:
    """What the numbers of a columns file refer to: its layout, the facet values, states and regions."""
    described = repr((2, STATES, sorted(FACET_VALUES.items()), sorted(vocab.country_regions().items())))
    return hashlib.sha256(described.encode()).hexdigest()


def _flatten(lists: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.array([len(docnums) for docnums in lists], dtype=np.int64)
    return (np.concatenate(lists) if lists else np.zeros(0, dtype=np.int32)), sizes


def _unflatten(values: np.ndarray, sizes: np.ndarray) -> list[np.ndarray]:
    return np.split(values, np.cumsum(sizes)[:-1]) if len(sizes) else []


def save_segment_columns(path: Path, columns: SegmentColumns, lengths: Mapping[str, Iterable[int]]) -> None:
    """Save a segment's columns and its documents' field lengths (as the index keeps them) at ``path``."""
    titles = [title.encode() for title in columns.titles]
    arrays = {
        "layout": np.array(_layout()),
        "n": np.array(columns.n),
        "ids": columns.ids,
        "state": columns.state,
        "hidden": columns.hidden,
        "updated": columns.updated,
        "titles": np.frombuffer(b"".join(titles), dtype=np.uint8),
        "title_sizes": np.array([len(title) for title in titles], dtype=np.int64),
    }
    for facet, lists in columns.postings.items():
        arrays[f"facet.{facet}"], arrays[f"facet_sizes.{facet}"] = _flatten(lists)
    arrays["pairs"], arrays["pair_sizes"] = _flatten(columns.pairs)
    for name, values in lengths.items():
        arrays[f"length.{name}"] = np.asarray(values, dtype=np.float32)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")  # Whoosh ignores names starting with a dot
    with open(temporary, "wb") as file:
        np.savez(file, **arrays)
    os.replace(temporary, path)


def load_segment_columns(path: Path, n: int) -> tuple[SegmentColumns, dict[str, np.ndarray]] | None:
    """The columns and field lengths saved at ``path`` for a segment of ``n`` documents; None when there
    is no such file, it was saved for other facet values, or it cannot be read (the caller then reads
    the cards)."""
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as saved:
            if str(saved["layout"]) != _layout() or int(saved["n"]) != n:
                return None
            arrays = {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        log.warning("Ignoring the unreadable search columns file %s (%r)", path, error)
        return None
    blob = arrays["titles"].tobytes()
    offsets = np.concatenate([[0], np.cumsum(arrays["title_sizes"])]).tolist()
    columns = SegmentColumns(
        n=n,
        ids=arrays["ids"],
        state=arrays["state"],
        hidden=arrays["hidden"],
        updated=arrays["updated"],
        titles=[blob[start:end].decode() for start, end in itertools.pairwise(offsets)],
        postings={facet: _unflatten(arrays[f"facet.{facet}"], arrays[f"facet_sizes.{facet}"]) for facet in FACET_NAMES},
        pairs=_unflatten(arrays["pairs"], arrays["pair_sizes"]),
    )
    lengths = {name[len("length."):]: values for name, values in arrays.items() if name.startswith("length.")}
    return columns, lengths


def pack(mask: np.ndarray) -> np.ndarray:
    """A boolean array as little-endian 64-bit words."""
    packed = np.packbits(mask, bitorder="little")
    padding = (-len(packed)) % 8
    if padding:
        packed = np.concatenate([packed, np.zeros(padding, dtype=np.uint8)])
    return packed.view(np.uint64)


def unpack(words: np.ndarray, n: int) -> np.ndarray:
    return np.unpackbits(words.view(np.uint8), count=n, bitorder="little").astype(bool)


def count(words: np.ndarray) -> int:
    return int(np.bitwise_count(words).sum())


@dataclass
class Columns:
    """The columns of one index generation: concatenated segments, global document numbers."""

    n: int
    alive: np.ndarray
    ids: np.ndarray
    state: np.ndarray
    hidden: np.ndarray
    updated: np.ndarray
    titles: list[str]
    rows: dict[str, np.ndarray]  # facet → packed matrix (values by words)
    pairs: np.ndarray  # packed matrix (programme-status pairs by words)
    _orders: dict[str, np.ndarray] = field(default_factory=dict)
    _held: dict[str, tuple[np.ndarray, np.ndarray] | None] = field(default_factory=dict)
    _public: dict[PublicRule, np.ndarray] = field(default_factory=dict)
    _by_id: dict[int, int] | None = None
    _languages: tuple[str, ...] | None = None

    @classmethod
    def build(cls, segments: list[tuple[SegmentColumns, int, set[int]]]) -> "Columns":
        """From (segment columns, document offset, deleted local numbers) in index order."""
        n = sum(columns.n for columns, _, _ in segments)
        alive = np.ones(n, dtype=bool)
        for _columns, offset, deleted in segments:
            if deleted:
                alive[offset + np.fromiter(deleted, dtype=np.int64)] = False

        def concat(name, dtype):
            parts = [getattr(columns, name) for columns, _, _ in segments]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        titles: list[str] = []
        for columns, _, _ in segments:
            titles.extend(columns.titles)

        def matrix(lists_per_segment: list[list[np.ndarray]], width: int) -> np.ndarray:
            dense = np.zeros((width, n), dtype=bool)
            for (_columns, offset, _), lists in zip(segments, lists_per_segment, strict=True):
                for row, docnums in enumerate(lists):
                    if len(docnums):
                        dense[row, offset + docnums] = True
            packed = np.packbits(dense, axis=1, bitorder="little")
            padding = (-packed.shape[1]) % 8
            if padding:
                packed = np.pad(packed, ((0, 0), (0, padding)))
            return np.ascontiguousarray(packed).view(np.uint64)

        rows = {
            facet: matrix([columns.postings[facet] for columns, _, _ in segments], len(FACET_VALUES[facet]))
            for facet in FACET_NAMES
        }
        pairs = matrix([columns.pairs for columns, _, _ in segments], len(PROGRAMMES) * len(STATUSES))
        return cls(
            n=n,
            alive=alive,
            ids=concat("ids", np.int64),
            state=concat("state", np.int8),
            hidden=concat("hidden", bool),
            updated=concat("updated", np.int64),
            titles=titles,
            rows=rows,
            pairs=pairs,
        )

    @property
    def words(self) -> int:
        return (self.n + 63) // 64

    def empty(self) -> np.ndarray:
        return np.zeros(self.words, dtype=np.uint64)

    def public(self, rule: PublicRule) -> np.ndarray:
        """``rule`` (``portal.catalogue.visibility``) as a bit set, kept for as long as the rule stands."""
        if rule not in self._public:
            mask = (
                self.alive
                & (self.state == _STATE_INDEX[rule.state])
                & ~self.hidden
                & (self.updated >= epoch_seconds(rule.updated_since))
            )
            self._public[rule] = pack(mask)
        return self._public[rule]

    def staff(self, programmes: tuple[str, ...] | None, states: tuple[str, ...], inactive_before: datetime | None):
        """Every document in ``programmes`` (None: all), in ``states`` (empty: any), inactive ones only
        when ``inactive_before`` is given."""
        mask = self.alive.copy()
        if states:
            mask &= np.isin(self.state, [_STATE_INDEX[state] for state in states])
        if inactive_before is not None:
            mask &= self.updated < epoch_seconds(inactive_before)
        packed = pack(mask)
        if programmes is not None:
            packed &= self.any_of("programme", programmes)
        return packed

    def any_of(self, facet: str, values: Iterable) -> np.ndarray:
        positions = [POSITIONS[facet][value] for value in values if value in POSITIONS[facet]]
        if not positions:
            return self.empty()
        return np.bitwise_or.reduce(self.rows[facet][positions], axis=0)

    def pairs_of(self, programmes: Iterable[str], statuses: Iterable[str]) -> np.ndarray:
        """Documents whose portfolio status in one of ``programmes`` is one of ``statuses``."""
        width = len(STATUSES)
        positions = [
            POSITIONS["programme"][p] * width + POSITIONS["status"][s]
            for p in programmes
            for s in statuses
            if p in POSITIONS["programme"] and s in POSITIONS["status"]
        ]
        if not positions:
            return self.empty()
        return np.bitwise_or.reduce(self.pairs[positions], axis=0)

    def counts(self, facet: str, mask: np.ndarray) -> np.ndarray:
        """For each value of ``facet``: how many documents of ``mask`` have it. A narrow ``mask`` has
        most of its words empty: then only the words holding documents are read. Values no document
        holds are not read either (``_held``)."""
        held = self._held_rows(facet)
        if held is not None:
            places, rows = held
            counts = np.zeros(len(FACET_VALUES[facet]), dtype=np.int64)
            counts[places] = self._counts(rows, mask)
            return counts
        return self._counts(self.rows[facet], mask)

    @staticmethod
    def _counts(rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
        words = np.flatnonzero(mask)
        if len(words) * 2 < len(mask):
            return np.bitwise_count(rows[:, words] & mask[words]).sum(axis=1)
        return np.bitwise_count(rows & mask).sum(axis=1)

    def _held_rows(self, facet: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The values of ``facet`` that some document holds and their rows, when they are fewer than
        half its values (languages: a catalogue is written in a few of the 184); None otherwise."""
        if facet not in self._held:
            rows = self.rows[facet]
            places = np.flatnonzero(rows.any(axis=1))
            self._held[facet] = (places, rows[places]) if len(places) * 2 < len(rows) else None
        return self._held[facet]

    def pair_counts(self, mask: np.ndarray, programmes: tuple[str, ...], statuses: tuple[str, ...], by: str):
        """Counts coupling programme and portfolio status (a status is decided per programme): by
        programme, of the documents with one of ``statuses`` there; by status, of those with it in one of
        ``programmes``."""
        grid = self.pairs.reshape(len(PROGRAMMES), len(STATUSES), -1)
        if by == "programme":
            chosen = [POSITIONS["status"][s] for s in statuses if s in POSITIONS["status"]]
            return self._counts(np.bitwise_or.reduce(grid[:, chosen], axis=1), mask)
        chosen = [POSITIONS["programme"][p] for p in programmes if p in POSITIONS["programme"]]
        return self._counts(np.bitwise_or.reduce(grid[chosen], axis=0), mask)

    def order(self, key: str) -> np.ndarray:
        """Document numbers sorted by ``newest`` (updated_at, newest first) or ``title``."""
        if key not in self._orders:
            if key == "newest":
                self._orders[key] = np.lexsort((-self.ids, -self.updated)).astype(np.int64)
            else:
                titles = np.array(self.titles) if self.titles else np.zeros(0, dtype=str)
                self._orders[key] = np.lexsort((self.ids, titles)).astype(np.int64)
        return self._orders[key]

    def docnums(self, mask: np.ndarray, key: str) -> np.ndarray:
        """The documents of ``mask`` in ``key`` order."""
        order = self.order(key)
        return order[unpack(mask, self.n)[order]]

    def languages(self) -> tuple[str, ...]:
        """The languages of the documents in this generation (queries are read in each of them)."""
        if self._languages is None:
            present = self.counts("language", pack(self.alive)).tolist()
            self._languages = tuple(value for value, n in zip(FACET_VALUES["language"], present, strict=True) if n)
        return self._languages

    def docnum_of(self, item_id: int) -> int | None:
        if self._by_id is None:
            live = np.flatnonzero(self.alive)
            self._by_id = dict(zip(self.ids[live].tolist(), live.tolist(), strict=True))
        return self._by_id.get(item_id)
