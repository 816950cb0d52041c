"""A worker opening the index while another one commits: the commit removes the old generation's table
of contents and merged segment files. The reader retries with the next generation: no 503, no 500,
no rebuild (issue 16.1). Each test stops the reader at one step of opening and commits right there."""

import logging
import threading

import pytest
from flask import request
from flask.testing import FlaskClient
from whoosh import index as whoosh_index

from portal import search
from portal.catalogue.filters import parse_filters
from portal.search import documents
from portal.search.snapshot import SnapshotReader

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself


@pytest.fixture
def segmented(app, make_item):
    """Five items committed one by one (several segments) and the document of a sixth, not yet indexed."""
    for n in range(5):
        make_item(title=f"Compost pilot {n}")
    extra = make_item(title="Compost pilot late")
    with search.service().store.writer(whoosh_index.open_dir(str(search.service().store.current_path()))) as w:
        w.delete_by_term("id", str(extra.id))
    return documents.documents([extra.id])[extra.id]


def commit_merging_everything(path: str, doc: dict) -> None:
    """Another worker's commit, in its own thread: one new document, every segment merged into one."""

    def commit():
        ix = whoosh_index.open_dir(path)
        writer = ix.writer(timeout=10)
        writer.update_document(**doc)
        writer.commit(optimize=True)

    thread = threading.Thread(target=commit)
    thread.start()
    thread.join()


@pytest.mark.parametrize("step", ["_toc", "_open_segment", "_prime"])
def test_a_commit_while_a_worker_opens_the_index_is_no_error(app, make_app, segmented, monkeypatch, caplog,
                                                              step):
    store = search.service().store
    before = store.current_name()
    path = str(store.current_path())
    original = getattr(SnapshotReader, step)
    raced = []

    def racing(self, *args, **kwargs):
        if not raced:
            raced.append(True)
            commit_merging_everything(path, segmented)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SnapshotReader, step, racing)
    worker = make_app()  # a fresh worker: nothing of the index is open yet
    with caplog.at_level(logging.WARNING):
        answer = worker.test_client().get("/api/v1/items", query_string={"q": "compost"})
    assert raced
    assert answer.status_code == 200, answer.text
    assert answer.get_json()["total"] == 6  # the generation the racing commit made, late item included
    assert store.current_name() == before  # nothing rebuilt
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    with worker.app_context():
        snapshot = search.service().snapshot()
        assert len(snapshot.segments) == 1
        # Every file the scorer reads later is open: the field lengths are the real ones, not zeros.
        assert snapshot.postings.field_lengths(snapshot.segments[0], "title").min() > 0


def test_a_really_broken_index_still_answers_503(app, client, segmented):
    for path in search.service().store.current_path().iterdir():
        if path.name.endswith(".trm"):
            path.write_bytes(b"broken")
    search.service().reader.forget()
    assert client.get("/api/v1/items?q=compost").status_code == 503


def test_a_page_checks_the_index_once_and_reads_a_generation_the_process_opened_since(app, client, make_item,
                                                                                       monkeypatch):
    item = make_item(title="Compost pilot")
    service = search.service()
    checks = []
    generation = service.store.generation
    monkeypatch.setattr(service.store, "generation", lambda name: checks.append(name) or generation(name))
    client.get("/search")  # opens the generation that has the item
    checks.clear()
    assert f'href="/items/{item.id}"' in client.get("/search?q=compost").text
    assert len(checks) == 1  # the page's tag and its search read the same snapshot
    with app.test_request_context("/search?q=compost"):
        first = service.snapshot()
        assert service.snapshot() is first and len(checks) == 2

        def another_thread_writes_and_reads():
            with app.app_context():
                make_item(title="Compost pilot two")  # applied to the index after its commit
                service.snapshot()  # which this process now reads

        thread = threading.Thread(target=another_thread_writes_and_reads)
        thread.start()
        thread.join()
        assert service.snapshot() is not first  # never older than what the process has installed
        assert search.search(parse_filters(request.args)).total == 2


def test_a_change_another_worker_made_is_found_by_the_next_request_in_the_same_app_context(app, make_app,
                                                                                          make_item):
    """A script holding one app context around its requests (``flask shell``, a benchmark) shares ``g``
    between them: each request still reads the index afresh, so a change another worker applied is
    found at once, not when this worker's follower next runs."""
    script = FlaskClient(app)  # Flask's own client: its requests reuse the test's app context
    assert "Nothing found" in script.get("/search?q=kelp").text
    other_worker = make_app()
    with other_worker.app_context():
        item_id = make_item(title="Kelp farming pilot").id  # applied to the shared index by the other worker
    assert f'href="/items/{item_id}"' in script.get("/search?q=kelp").text
