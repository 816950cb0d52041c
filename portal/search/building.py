"""A full rebuild of the Whoosh index: the items read, analysed and written by several processes.

Whoosh's own multi-process writer (``ix.writer(procs=N)``) builds every document in the parent and
hands it to the sub-writers through pickled files, so the parent's single core reads the database,
analyses every text and pickles it, while each sub-writer pushes every posting through Whoosh's
sorting pool (pickled to temporary files and read back when there are more than ``limitmb`` of
them) and then reads each posting's field length back from disk. At 100,000 items that was about
130 s of CPU, three quarters of it in Whoosh's writer.

Here each writer process takes a run of consecutive ranges of item ids, reads them from the database
itself (one query per table and range), builds their documents and writes them with a ``BulkWriter``,
one segment per ``SEGMENT_ITEMS`` items at most (a writer holds its segment's postings in memory: about
250 MB for 25,000 items): the same segment Whoosh's ``SegmentWriter`` writes (same terms, postings, weights,
positions, lengths and stored fields; ``tests/search/test_building.py`` compares them), from postings
kept per term in memory and written once, in term order, at the end. Beside its segment each process
saves the segment's columns (``portal.search.columns``), so a worker opening the index reads
them instead of decoding every stored card.

The parent holds the index's write lock, reports progress and commits the segments. Its children
hold none of its locks and die with it (``portal.search.locks``); a child that dies makes the
rebuild fail, and the index being replaced keeps serving.
"""

import multiprocessing
import queue
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.analysis import KeywordAnalyzer
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from portal.extensions import db
from portal.search import cards, documents, internals, locks
from portal.search.columns import COLUMNS_FILE, SegmentColumns, save_segment_columns

Progress = Callable[[int], object]
# A writer process starts a new segment once this many items are in the current one (at a range's end).
SEGMENT_ITEMS = 25_000
# How long the parent waits for a message before it looks whether a writer process died.
POLL_SECONDS = 1.0
# Whoosh's KEYWORD(lowercase=True) analyser, and the words its tokenizer finds.
LOWER_KEYWORDS = KeywordAnalyzer(lowercase=True)
KEYWORD = re.compile(r"[^ \t\r\n]+")


class BulkWriter(SegmentWriter):
    """Writes one new segment from documents added in order, then ``finish()`` returns it.

    Postings are gathered per field and term (document numbers, weights, encoded values) as the
    documents come, already in document order, and written term by term at the end. The fields whose
    analyser is ``documents.PRE_ANALYSED`` (terms separated by spaces, or a list of terms) and the
    lower-cased keywords are counted here directly; the others go through Whoosh's own
    ``field.index``. No index lock: the caller holds it.
    """

    def __init__(self, ix: whoosh_index.Index, **kwargs):
        super().__init__(ix, _lk=False, **kwargs)
        schema = self.schema
        unsupported = [name for name in schema.names() if schema[name].vector or schema[name].separate_spelling()]
        if unsupported:
            raise ValueError(f"BulkWriter does not write vectors or spelling fields: {unsupported}")
        self._postings: dict[str, dict] = {name: {} for name in schema.names() if schema[name].indexed}
        self._spaced = {
            name for name in self._postings
            if schema[name].analyzer == documents.PRE_ANALYSED and type(schema[name].format) is Positions
        }
        self._keywords = {
            name for name in self._postings
            if schema[name].analyzer == LOWER_KEYWORDS and type(schema[name].format) is Frequency
        }
        self._single: dict[int, bytes] = {}  # position → the encoded value of a term seen once there
        # field → each document's length as the index keeps it (one byte: Whoosh rounds long ones)
        self.lengths: dict[str, array] = {name: array("I") for name in self._postings if schema[name].scorable}

    def add_document(self, **fields) -> None:
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None or name.startswith("_"):
                continue
            field = self.schema[name]
            length = 0
            if field.indexed:
                if name in self._spaced:
                    length = self._add_spaced(name, field.format, docnum, value)
                elif name in self._keywords and not field.scorable:
                    self._add_keywords(name, field.format, docnum, value)
                else:
                    terms = self._postings[name]
                    for tbytes, freq, weight, vbytes in field.index(value):
                        self._add(terms, tbytes, docnum, weight, vbytes)
                        if field.scorable:
                            length += freq
                if name in self.lengths:
                    self.lengths[name].append(internals.stored_length(length))
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _add(terms: dict, term, docnum: int, weight: float, vbytes: bytes | None) -> None:
        postings = terms.get(term)
        if postings is None:
            postings = terms[term] = (array("I"), array("d"), [])
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes or b"")

    def _add_spaced(self, name: str, format_: Positions, docnum: int, value: str | list[str]) -> int:
        """What ``Positions.word_values`` gives for terms separated by spaces (or already a list of
        terms, none empty); returns the field's length."""
        tokens = documents.PRE_ANALYSED_TERM.findall(value) if isinstance(value, str) else value
        positions: dict[str, list[int]] = {}
        for position, token in enumerate(tokens):
            found = positions.get(token)
            if found is None:
                positions[token] = [position]
            else:
                found.append(position)
        terms, boost, single = self._postings[name], format_.field_boost, self._single
        for token, where in positions.items():
            if len(where) == 1:
                vbytes = single.get(where[0])
                if vbytes is None:
                    vbytes = single[where[0]] = format_.encode(where)
            else:
                vbytes = format_.encode(where)
            self._add(terms, token, docnum, len(where) * boost, vbytes)
        return len(tokens)

    def _add_keywords(self, name: str, format_: Frequency, docnum: int, value: str) -> None:
        """What ``Frequency.word_values`` gives for lower-cased words separated by spaces."""
        terms, boost = self._postings[name], format_.field_boost
        for token, freq in Counter(KEYWORD.findall(value.lower())).items():
            self._add(terms, token, docnum, freq * boost, pack_uint(freq))

    def _flush_segment(self) -> None:
        """Write the gathered postings (Whoosh's writer would sort its pool here)."""
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted(self._postings):
            terms = self._postings[name]
            lengths = self.lengths.get(name)
            encoded = sorted((term.encode("utf-8") if isinstance(term, str) else term, term) for term in terms)
            if not encoded:
                continue
            writer.start_field(name, self.schema[name])
            for tbytes, term in encoded:
                docnums, weights, values = terms.pop(term)
                writer.start_term(tbytes)
                field_lengths = [lengths[docnum] for docnum in docnums] if lengths is not None else None
                internals.add_postings(writer, docnums, weights, values, field_lengths)
                writer.finish_term()
            writer.finish_field()
        writer.close()

    def finish(self):
        """Close the segment and return it (to be committed by the writer holding the index lock)."""
        return self._finalize_segment()


def write_index(ix: whoosh_index.Index, ranges: list[tuple[int, int]], *, procs: int,
                progress: Progress | None = None, segment_items: int = SEGMENT_ITEMS, **writer_args) -> None:
    """Fill the new, empty index ``ix`` with the items whose ids lie in ``ranges`` and commit it.

    ``procs`` writer processes (1: in this process), each writing the segments of the ranges it took
    (one per ``segment_items`` items at most); ``writer_args`` go to each ``BulkWriter`` (e.g. ``compound``).
    """
    progress = progress or (lambda count: None)
    holder = ix.writer()  # the index lock while the segments are written, then the commit
    try:
        if procs <= 1 or len(ranges) <= 1:
            segments = write_segments(ix, ranges, progress, writer_args, segment_items)
        else:
            segments = _in_processes(ix, ranges, min(procs, len(ranges)), progress, writer_args, segment_items)
    except BaseException:
        holder.cancel()
        raise
    internals.commit_segments(holder, [segment for segment in segments if segment.doc_count_all()])


def write_segments(ix: whoosh_index.Index, ranges: Iterable[tuple[int, int]], progress: Progress,
                   writer_args: dict, segment_items: int = SEGMENT_ITEMS) -> list:
    """The segments holding the items of ``ranges`` (read a range at a time), in order, each saved with
    its columns: a segment is closed once it holds ``segment_items`` items."""
    segments: list = []
    current = _Segment(ix, writer_args)
    try:
        with db.engine.connect() as connection:
            for lo, hi in ranges:
                found = cards.rows(connection, None, lo, hi)
                current.add(found)
                progress(len(found))
                if len(current.cards) >= segment_items:
                    segments.append(current.finish())
                    current = _Segment(ix, writer_args)
        if current.cards or not segments:
            segments.append(current.finish())
        else:
            current.writer.cancel()
    except BaseException:
        current.writer.cancel()
        raise
    return segments


class _Segment:
    """One segment being written, and the stored cards its columns are made from."""

    def __init__(self, ix: whoosh_index.Index, writer_args: dict):
        self.ix = ix
        self.writer = BulkWriter(ix, **writer_args)
        self.cards: list[str] = []

    def add(self, found: dict[int, dict]) -> None:
        for item_id in sorted(found):
            doc = documents.document(found[item_id], joined=False)
            self.writer.add_document(**doc)
            self.cards.append(doc["card"])

    def finish(self):
        segment = self.writer.finish()
        columns = SegmentColumns.from_cards(self.cards, len(self.cards))
        lengths = {name: self.writer.lengths[name] for name in documents.TEXT_FIELDS}
        save_segment_columns(internals.segment_file(self.ix, segment, COLUMNS_FILE), columns, lengths)
        return segment


def _in_processes(ix, ranges, procs: int, progress: Progress, writer_args: dict, segment_items: int) -> list:
    """The segments written by ``procs`` forked processes, each given a run of consecutive ranges: the
    documents are numbered in id order across the segments, rebuild after rebuild."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    shares = [ranges[number * len(ranges) // procs:(number + 1) * len(ranges) // procs] for number in range(procs)]
    app = current_app._get_current_object()
    with locks.children_die_with_me():
        writers = [context.Process(target=_writer_process, daemon=True, name=f"search-writer-{number}",
                                   args=(app, ix, number, share, results, writer_args, segment_items))
                   for number, share in enumerate(shares)]
        for process in writers:
            process.start()
    segments = {}
    try:
        while len(segments) < procs:
            try:
                kind, number, value = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if any(process.exitcode not in (None, 0) for process in writers):
                    raise RuntimeError("A search writer process died; the previous index keeps serving.") from None
                continue
            if kind == "progress":
                progress(value)
            elif kind == "segments":
                segments[number] = value
            else:
                raise RuntimeError(f"A search writer process failed: {value}")
    finally:
        for process in writers:
            if process.is_alive() and len(segments) < procs:
                process.kill()
            process.join()
    return [segment for number in range(procs) for segment in segments[number]]


def _writer_process(app, ix, number: int, ranges, results, writer_args: dict, segment_items: int) -> None:
    """In a forked child: write the segments of ``ranges``; messages are tagged with ``number``."""
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        try:
            written = write_segments(ix, ranges, lambda count: results.put(("progress", number, count)), writer_args,
                                     segment_items)
        except BaseException as error:
            results.put(("error", number, repr(error)))
            raise
        results.put(("segments", number, written))
