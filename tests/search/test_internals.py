"""The private Whoosh internals ``portal.search.internals`` relies on are still there and still mean
what they meant: an upgrade of Whoosh that changes them fails here, saying what changed."""

import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.index import TOC

from portal import search
from portal.search import internals

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself

UPGRADE = f"Whoosh {whoosh.versionstring()} changed an internal that portal/search/internals.py uses"


def test_postings_are_decoded_block_by_block_and_match_the_public_api(app, make_item):
    for n in range(3):
        make_item(title=f"Compost toolkit {n}", summary="Compost, compost and more compost. " * (n + 1))
    snapshot = search.service().snapshot()
    for segment in snapshot.segments:
        leaf = internals._leaf(segment.reader.postings("text", "compost"))
        missing = [name for name in internals.BLOCK_MATCHER_API if not hasattr(leaf, name)]
        assert not missing, (f"{UPGRADE}: the on-disk matcher {type(leaf).__name__} lost {missing} (searches "
                             "still work through the public API, about 30 times slower on broad queries)")
        ids, weights = internals.read_postings(segment.reader, "text", "compost")
        public = segment.reader.postings("text", "compost")
        expected = []
        while public.is_active():
            expected.append((public.id(), public.weight()))
            public.next()
        assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == expected, f"{UPGRADE}: block decoding"


def test_the_latest_generation_is_read_from_the_file_names(app, make_item):
    make_item(title="A second generation")
    path = str(search.service().store.current_path())
    assert hasattr(TOC, "_latest_generation"), f"{UPGRADE}: TOC._latest_generation is gone"
    ix = whoosh_index.open_dir(path)
    assert ix.indexname == internals.INDEX_NAME, f"{UPGRADE}: the default index name"
    assert internals.latest_generation(path) == ix.latest_generation() > 0, f"{UPGRADE}: generations"


def test_the_rebuild_writer_finds_what_it_replaces_in_whoosh_writers(app, tmp_path):
    from whoosh.writing import SegmentWriter

    from portal.search import documents

    missing = [name for name in internals.SEGMENT_WRITER_API if not hasattr(SegmentWriter, name)]
    assert not missing, f"{UPGRADE}: SegmentWriter lost {missing} (portal/search/building.py overrides them)"
    ix = whoosh_index.create_in(str(tmp_path), documents.make_schema())
    writer = ix.writer()
    try:
        writer.fieldwriter.start_field("text", ix.schema["text"])
        writer.fieldwriter.start_term(b"compost")
        postings = writer.fieldwriter._postwriter
        missing = [name for name in internals.POSTINGS_WRITER_API if not hasattr(postings, name)]
        assert not missing, f"{UPGRADE}: the postings writer {type(postings).__name__} lost {missing}"
    finally:
        writer.cancel()
