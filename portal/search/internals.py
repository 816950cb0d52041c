"""Every use of Whoosh's private internals, in one place (``tests/search/test_internals.py`` checks
them against the installed Whoosh and fails with a clear message when upstream changes them).

- Postings are decoded a block at a time from the on-disk matcher (``_read_ids``, ``_read_weights``,
  ``_next_block``, ``_ids``, ``_weights``): stepping through them one posting at a time with the
  public ``id()``/``next()`` is about 30 times slower for the numpy scorer.
- The latest generation of an index folder is read from its file names (``TOC._latest_generation``)
  without reading the table of contents, which another process may be removing at that moment.
- A full rebuild (``portal.search.building``) writes its segments with a ``SegmentWriter`` subclass
  that replaces the sorting pool: it overrides ``_flush_segment`` and uses ``perdocwriter``,
  ``fieldwriter``, ``_added``, ``_finalize_segment``; the writer holding the index lock commits the
  segments others wrote as Whoosh's ``MpWriter`` does (``_close_segment``, ``_commit_toc``,
  ``_finish``), and it fills the block buffers of the field writer's ``_postwriter`` a block at a
  time rather than calling ``add`` for each posting (``add_postings``). Field lengths are kept in one byte
  (``length_to_byte``/``byte_to_length``).
- Files named after a segment (``segment.make_filename``) are removed by Whoosh with the segment:
  the columns saved beside a segment live exactly as long as it.
"""

from array import array
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

INDEX_NAME = getattr(whoosh_index, "_DEF_INDEX_NAME", "MAIN")  # the name open_dir() gives an index
# What the block decoder needs of Whoosh 2.7's on-disk matcher (whoosh.codec.whoosh3.W3LeafMatcher).
BLOCK_MATCHER_API = ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights")
# What the rebuild's writer needs of Whoosh 2.7's SegmentWriter (whoosh.writing).
SEGMENT_WRITER_API = ("_flush_segment", "_finalize_segment", "_close_segment", "_commit_toc", "_finish")
# What it needs of the postings writer under a field writer (whoosh.codec.whoosh3.W3PostingsWriter).
POSTINGS_WRITER_API = ("_blocklimit", "_write_block", "_ids", "_weights", "_values", "_maxweight", "_minlength",
                       "_maxlength")


def stored_length(length: int) -> int:
    """A field length as the index keeps it (one byte: long fields are rounded), 0 for none."""
    return byte_to_length(length_to_byte(length)) if length else 0


def add_postings(writer, docnums: array, weights: array, values: list[bytes], lengths: list[int] | None) -> None:
    """What ``writer.add(docnum, weight, value, length)`` does for each posting of the current term, in
    blocks: the postings writer's buffer is filled a block at a time (``POSTINGS_WRITER_API``)."""
    postings = writer._postwriter
    limit = postings._blocklimit
    for start in range(0, len(docnums), limit):
        end = start + limit
        if len(postings._ids):  # full: add_posting writes a full block before the next posting
            postings._write_block()
        postings._ids.extend(docnums[start:end])
        block_weights = weights[start:end]
        postings._weights.extend(array("f", block_weights))
        postings._maxweight = max(postings._maxweight, max(block_weights))
        postings._values.extend(value for value in values[start:end] if value)
        block_lengths = [length for length in lengths[start:end] if length] if lengths is not None else ()
        if block_lengths:
            shortest = min(block_lengths)
            if postings._minlength is None or shortest < postings._minlength:
                postings._minlength = shortest
            postings._maxlength = max(postings._maxlength, max(block_lengths))


def commit_segments(writer: SegmentWriter, segments: list) -> None:
    """Commit ``segments`` (written by other writers without the lock) as the index's only segments,
    with ``writer``, which holds the index lock and wrote nothing itself."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


def segment_file(ix: whoosh_index.Index, segment, extension: str) -> Path:
    """The path of a file of ``segment`` in the folder of ``ix``, removed by Whoosh with the segment."""
    return Path(ix.storage.folder) / segment.make_filename(extension)


def latest_generation(path: str) -> int:
    """The newest generation in an index folder (-1: none); ``OSError`` when the folder is gone."""
    return TOC._latest_generation(FileStorage(path), INDEX_NAME)


def _leaf(matcher):
    """The on-disk matcher under a segment reader's deletion filter (deletions are masked elsewhere)."""
    while hasattr(matcher, "child") and not hasattr(matcher, "_read_ids"):
        matcher = matcher.child
    return matcher


def decodes_blocks(matcher) -> bool:
    """True when ``matcher`` (an on-disk leaf matcher) has the block API this module uses."""
    return all(hasattr(matcher, name) for name in BLOCK_MATCHER_API)


def read_postings(reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, term frequencies) of a term in one segment, deleted documents included."""
    try:
        matcher = _leaf(reader.postings(field, term))
    except TermNotFound:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    ids, weights = [], []
    if decodes_blocks(matcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
    else:  # the public, slow way: a Whoosh without the block API still gives the right answers
        pairs = []
        while matcher.is_active():
            pairs.append((matcher.id(), matcher.weight()))
            matcher.next()
        if pairs:
            ids.append(np.array([p[0] for p in pairs], dtype=np.int32))
            weights.append(np.array([p[1] for p in pairs], dtype=np.float32))
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)
