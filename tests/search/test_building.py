"""A full rebuild writes what Whoosh's own writer would write, in several processes, saves each segment's
columns for the workers that open it, and fails without harm when a writer process dies."""

import os

import numpy as np
import pytest
from whoosh import index as whoosh_index

from portal import demo, search
from portal.extensions import db
from portal.search import building, cards, columns, documents, internals
from portal.search.columns import COLUMNS_FILE, SegmentColumns, load_segment_columns

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself


@pytest.fixture
def catalogue(app, make_item):
    """Demo items in every language the demo has, and a few with accents, repeated words and no text."""
    demo.seed_accounts()
    demo.seed_items(400)
    make_item(title="Gestion des déchets ménagers", summary="Déchets, déchets et encore des déchets.", language="fr")
    make_item(title="Переработка отходов", summary="Новые районы собирают отходы раздельно.", language="ru")
    make_item(title="Of the", summary="A", language="en")  # only stop words and one letter: no terms
    db.session.commit()


def whoosh_writes(path, connection) -> whoosh_index.Index:
    """The same items indexed one by one by Whoosh's own writer."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), documents.make_schema())
    writer = ix.writer()
    for lo, hi in cards.id_ranges(connection):
        found = cards.rows(connection, None, lo, hi)
        for item_id in sorted(found):
            writer.add_document(**documents.document(found[item_id]))
    writer.commit()
    return ix


def contents(ix: whoosh_index.Index) -> dict:
    """Everything an index holds, by item id rather than document number (segments may differ)."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        item_of = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings = {}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            matcher = reader.postings(field, term)
            found = []
            while matcher.is_active():
                found.append((item_of[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            postings[(field, term)] = (info.weight(), info.doc_frequency(), info.max_weight(), sorted(found))
        lengths = {item_of[docnum]: [reader.doc_field_length(docnum, field) for field in documents.TEXT_FIELDS]
                   for docnum in item_of}
        return {
            "stored": {fields["id"]: fields for _, fields in reader.iter_docs()},
            "postings": postings,
            "lengths": lengths,
            "totals": [reader.field_length(field) for field in documents.TEXT_FIELDS],
            "documents": reader.doc_count(),
        }


@pytest.mark.parametrize(("procs", "segment_items", "segments"), [(1, 25_000, 1), (3, 25_000, 3), (2, 120, 4)])
def test_the_rebuild_writes_what_whoosh_would(app, catalogue, tmp_path, procs, segment_items, segments):
    with db.engine.connect() as connection:
        expected = contents(whoosh_writes(tmp_path / "whoosh", connection))
        ranges = cards.id_ranges(connection, batch=50)
    (tmp_path / "bulk").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "bulk"), documents.make_schema())
    counted = []
    building.write_index(ix, ranges, procs=procs, progress=counted.append, segment_items=segment_items)
    # One segment per writer process, or more once a segment holds ``segment_items`` (each writer took
    # about 200 items here, ranges of 50: a segment of 150, then the rest).
    assert len(ix.reader().leaf_readers()) == segments
    numbered = [int(fields["id"]) for _, fields in ix.reader().iter_docs()]
    assert numbered == sorted(numbered)  # documents in id order: ties rank alike after every rebuild
    assert sum(counted) == expected["documents"] == 403
    # Every posting (item, weight, positions), term statistics, length and stored card is the same;
    # within a segment, lengths and statistics Whoosh works out per block agree too.
    assert contents(ix) == expected


def test_each_rebuilt_segment_saves_the_columns_its_cards_give(app, catalogue):
    search.rebuild()
    snapshot = search.service().reader.latest()
    ix = whoosh_index.open_dir(str(search.service().store.current_path()))
    assert len(snapshot.segments) == 1
    for reader in (segment.reader for segment in snapshot.segments):
        n, segment = reader.doc_count_all(), reader.segment()
        saved, lengths = load_segment_columns(internals.segment_file(ix, segment, COLUMNS_FILE), n)
        read = SegmentColumns.from_cards((reader.stored_fields(docnum)["card"] for docnum in range(n)), n)
        for name in ("ids", "state", "hidden", "updated"):
            assert np.array_equal(getattr(saved, name), getattr(read, name)), name
        assert saved.titles == read.titles
        for facet, rows in read.postings.items():
            assert [row.tolist() for row in saved.postings[facet]] == [row.tolist() for row in rows], facet
        assert [row.tolist() for row in saved.pairs] == [row.tolist() for row in read.pairs]
        for field in documents.TEXT_FIELDS:
            stored = [reader.doc_field_length(docnum, field) or 0 for docnum in range(n)]
            assert lengths[field].tolist() == stored, field


@pytest.mark.parametrize("change", ["other facet values", "damaged file"])
def test_saved_columns_that_do_not_fit_are_ignored(app, client, catalogue, monkeypatch, change):
    search.rebuild()
    pages = ("/api/v1/items?per_page=20&sort=title", "/api/v1/items?q=waste&sdg=12&programme=spp")
    expected = [client.get(page).get_json() for page in pages]
    assert all(answer["total"] for answer in expected)
    search.service().reader.close()
    [saved] = search.service().store.current_path().glob(f"*{COLUMNS_FILE}")
    if change == "other facet values":  # an upgrade: the numbers in the saved file mean something else
        monkeypatch.setattr(columns, "_layout", lambda: "another release")
    else:
        saved.write_bytes(saved.read_bytes()[:100])
    assert load_segment_columns(saved, 403) is None
    assert [client.get(page).get_json() for page in pages] == expected


def test_a_writer_process_that_dies_fails_the_rebuild_and_the_old_index_keeps_serving(app, client, catalogue,
                                                                                       monkeypatch):
    search.rebuild()
    before = search.service().store.current_name()
    expected = client.get("/api/v1/items?q=dechets").get_json()
    parent = os.getpid()

    def dies_in_a_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(3)
        raise AssertionError("the rebuild should write in its writer processes")

    monkeypatch.setattr(building, "write_segments", dies_in_a_child)
    monkeypatch.setattr(app.extensions["search"], "rebuild_procs", 2)
    with pytest.raises(RuntimeError, match="writer process"):
        search.rebuild()
    assert search.service().store.current_name() == before
    assert not search.service().store.rebuilding()
    assert client.get("/api/v1/items?q=dechets").get_json() == expected
    assert expected["items"], "the French item is still found"


def test_a_worker_opening_a_rebuilt_index_reads_no_card_for_its_columns(app, client, catalogue, monkeypatch):
    search.rebuild()
    search.service().reader.close()

    def reads_every_card(cards, n):
        raise AssertionError("a rebuilt segment's columns are read from the file saved beside it")

    monkeypatch.setattr(SegmentColumns, "from_cards", reads_every_card)
    assert search.warm()
    assert client.get("/api/v1/items?q=dechets").get_json()["total"] == 1
