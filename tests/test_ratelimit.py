"""Rate limits counted in the portal's database (``RATELIMIT_STORAGE_URI = "database://"``): one count for
every worker and host, fixed windows that end, and ``sessions purge`` deleting ended ones."""

import multiprocessing

import pytest
from sqlalchemy import func, select

from portal import ratelimit
from portal.extensions import db
from portal.models import RateLimitCounter

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "3 per minute", "RATELIMIT_STORAGE_URI": "database://"}


class Clock:
    """``time.time`` for the storage, moved by hand."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


def test_a_window_counts_hits_until_it_ends(app, clock):
    storage = ratelimit.DatabaseStorage("database://")
    assert storage.check()
    assert [storage.incr("login/1.2.3.4", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("login/1.2.3.4", 60, amount=2) == 5
    assert storage.get("login/1.2.3.4") == 5 and storage.get("other") == 0
    assert storage.get_expiry("login/1.2.3.4") == clock.now + 60
    clock.now += 61  # the window ended: the next hit starts a new one
    assert storage.get("login/1.2.3.4") == 0
    assert storage.incr("login/1.2.3.4", 60) == 1
    storage.clear("login/1.2.3.4")
    assert storage.get("login/1.2.3.4") == 0
    storage.incr("a", 60)
    storage.incr("b", 10)
    clock.now += 30
    assert ratelimit.purge_expired() == 1  # b's window ended, a's goes on
    db.session.commit()
    assert storage.get("a") == 1
    assert storage.reset() == 1


def _worker(config: dict, statuses: list[int]) -> None:
    """A worker of its own (another process, as gunicorn's are) asking the API once per status expected."""
    from portal import create_app

    client = create_app(config).test_client()
    assert [client.get("/api/v1/items").status_code for _ in statuses] == statuses


@pytest.mark.slow
def test_every_worker_and_host_shares_one_count(app):
    # Each worker runs in a fresh process: Flask-Limiter's limiter is one per process, its limits
    # read from the first app that process creates.
    config = {key: value for key, value in app.config.items()
              if key in ("TESTING", "SECRET_KEY", "SEARCH_INDEX_DIR", "UPLOAD_DIR", "BASE_URL", "SEARCH_BACKEND")}
    config.update(LIMITED, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SEARCH_SYNC_SECONDS=0)
    spawn = multiprocessing.get_context("spawn")
    for statuses in ([200, 200], [200, 429]):  # the third hit of the minute passes, wherever it came from
        worker = spawn.Process(target=_worker, args=(config, statuses))
        worker.start()
        worker.join(120)
        assert worker.exitcode == 0
    assert db.session.scalar(select(func.sum(RateLimitCounter.hits))) >= 4


def test_sessions_purge_deletes_ended_windows(app, runner, clock):
    storage = ratelimit.DatabaseStorage("database://")
    storage.incr("ended", 1)
    clock.now += 5
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0
    assert storage.get("ended") == 0
