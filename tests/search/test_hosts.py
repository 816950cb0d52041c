"""Whoosh on several hosts sharing one database: each host applies every change to its own index by a
cursor of its own; nothing is pruned that a known host has not applied; a host left behind past the
retention period rebuilds; a host that writes nothing itself still sees the others' changes within
seconds (issue 10.3)."""

import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal import search
from portal.catalogue.filters import parse_filters
from portal.extensions import db
from portal.models import SearchHost, SearchQueueEntry

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself


def found(q: str) -> list[int]:
    return [hit.id for hit in search.search(parse_filters(MultiDict({"q": q}))).hits]


def queued() -> int:
    return db.session.scalar(select(func.count(SearchQueueEntry.id)))


@pytest.fixture
def other_host(app, make_app, tmp_path):
    """A second host: the same database, its own index folder, built as an operator does (README)."""
    other = make_app(SEARCH_INDEX_DIR=str(tmp_path / "other-host-index"))
    with other.app_context():
        search.rebuild()
    return other


def test_both_hosts_catch_up_and_the_queue_waits_for_the_slower_one(app, other_host, make_item):
    item = make_item(title="Seaweed packaging pilot")  # written on this host: applied here at once
    assert found("seaweed") == [item.id]
    assert queued() > 0  # the other host has not applied it yet: nothing pruned
    for _ in range(3):
        make_item(title="Another pilot")  # more drains here: still nothing the other host needs goes
    assert queued() >= 4
    with other_host.app_context():
        assert found("seaweed") == []
        assert search.drain() >= 4
        assert found("seaweed") == [item.id]
        assert len(found("pilot")) == 4
    make_item(title="A last pilot")  # this host's drain may now prune what both have applied
    assert queued() == 1
    cursors = dict(db.session.execute(select(SearchHost.host_id, SearchHost.applied_through)).all())
    assert len(cursors) == 2


def test_each_host_reports_its_own_drift_and_every_cursor(app, other_host, make_item):
    make_item(title="Reported on both hosts")
    with other_host.app_context():  # the command runs in the current app's context
        result = other_host.test_cli_runner().invoke(args=["search", "check"])  # drains, then compares
    assert result.exit_code == 0, result.output
    this, other = search.service().host_id, other_host.extensions["search"].host_id
    assert f"Host {other} (this host): applied the queue through" in result.output
    assert f"Host {this}:" in result.output
    assert "0 changes behind" in result.output


def test_a_host_left_behind_past_the_retention_period_rebuilds(app, make_app, other_host, make_item):
    make_item(title="Applied by both")
    with other_host.app_context():
        search.drain()
    hasty = make_app(SEARCH_QUEUE_RETENTION_HOURS=0)  # this host's next drain prunes everything applied here
    with hasty.app_context():
        make_item(title="Pruned before the other host saw it")
        assert queued() == 0
        search.service().close()
    with other_host.app_context():
        with pytest.raises(search.SearchUnavailable):
            search.service().drain()  # it knows what it missed: never a silently stale index
        assert search.drain() >= 0  # the catch-up rebuilds (outside any request)
        assert len(found("pruned")) == 1
        assert search.check() == {"missing": [], "stale": [], "extra": [], "duplicates": []}


def test_a_host_that_writes_nothing_sees_a_change_within_two_seconds(app, make_app, tmp_path, make_item):
    reader = make_app(SEARCH_INDEX_DIR=str(tmp_path / "reading-host-index"), SEARCH_SYNC_SECONDS=0.5)
    with reader.app_context():
        search.rebuild()
        assert search.warm()  # what wsgi.py does in each worker: starts the follower thread
    client = reader.test_client()
    item = make_item(title="Mangrove restoration toolkit")
    committed = time.monotonic()
    while client.get("/api/v1/items?q=mangrove").get_json()["total"] != 1:
        assert time.monotonic() - committed < 2, "the other host did not pick the change up within 2 s"
        time.sleep(0.05)
    assert [hit["id"] for hit in client.get("/api/v1/items?q=mangrove").get_json()["items"]] == [item.id]
