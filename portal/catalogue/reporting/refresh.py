"""Reporting figures kept up to date outside the visitor's request, for every worker and host.

At 100 000 items a dashboard takes one to five seconds of SQL. Its figures (numbers and vocabulary
values, the same in every language: labels are read when the page or CSV is made) are stored in the
database (``ReportingFigures``), as JSON (``codec``), with the ``data_version`` and the day they were
computed for, so any worker or host reads them in a few milliseconds; each process also keeps the
last ``KEPT_IN_PROCESS`` it decoded of each kind, while the stored row is unchanged.

When a desk opens a dashboard whose data changed since (any commit: a submission, a decision, a
portfolio admission, a reminder) or whose day has passed (items lapse at midnight), it gets the
stored one at once, marked with the moment it was computed, and once that answer is made this
process's refresher thread claims the row (``claimed_at``: the other workers and hosts then leave
it to this one; a claim older than ``CLAIM_SECONDS`` is a process that died and may be taken over),
computes the new figures and stores them, which the next view shows, in every worker. A dashboard is
computed inside a request only when the database has never had figures for its scope (``warm``,
called by ``wsgi.py``, prepares this year's of every programme and of the network at boot); those
are stored in the request's transaction.

``REPORTING_REFRESH_IN_BACKGROUND = False`` (the tests' default) recomputes inside the request
instead, as before, so that a test sees its change at once; ``Refresher.wait()`` lets a test that
turns it on wait for the thread.
"""

import ctypes
import ctypes.util
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, after_this_request, current_app, g, has_request_context
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.catalogue.reporting import codec
from portal.catalogue.reporting.cache import data_version
from portal.extensions import db
from portal.models import ReportingFigures, utcnow

log = logging.getLogger(__name__)
EXTENSION = "portal.reporting.refresher"
KEPT_IN_PROCESS = 4
CLAIM_SECONDS = 60  # the network's figures take 2 to 5 s at 100 000 items
FIGURES = ReportingFigures.__table__


@dataclass(frozen=True)
class Kept:
    value: Any
    computed_at: datetime
    fresh: bool = True  # False: the data changed since; newer figures are being computed


def _version() -> str:
    """What the figures are computed for: the data version and the day."""
    return "|".join(map(str, (*data_version(), utcnow().date())))


def _stored_key(key: tuple) -> str:
    return "/".join("all" if part is None else str(part) for part in key)


def answered_from_stale_figures() -> bool:
    """Whether this request used kept figures that are being computed again. A page made from them
    must not be kept or given a validator (``portal.views.caching``): the data version it would be
    tagged with is already the new one, so it would outlive the refresh until the next change."""
    return has_request_context() and g.get("reporting_figures_stale", False)


class Refresher:
    """The stored figures of one kind (``compute(key)`` makes one, in an app context, as an instance of
    ``figures``, a dataclass) and the thread that recomputes them when the data moves."""

    def __init__(self, background: "Background", kind: str, compute: Callable[[tuple], Any], figures: type):
        self.background = background
        self.kind = kind
        self.compute = compute
        self.figures = figures
        self.format = codec.layout(figures)
        self.decoded: OrderedDict[str, tuple[tuple, Any]] = OrderedDict()  # key → ((version, computed_at), value)
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Kept:
        """The figures for ``key``: current, or the stored ones while newer are made."""
        stored_key, version = _stored_key(key), _version()
        row = db.session.execute(
            select(FIGURES.c.version, FIGURES.c.computed_at).where(
                FIGURES.c.kind == self.kind, FIGURES.c.key == stored_key, FIGURES.c.format == self.format,
                FIGURES.c.body.is_not(None),
            )
        ).first()
        if row is not None and (row.version == version or current_app.config["REPORTING_REFRESH_IN_BACKGROUND"]):
            value = self._decoded(stored_key, (row.version, row.computed_at))
            if value is not None:
                if row.version == version:
                    return Kept(value, row.computed_at)
                self._schedule_after_request(key)
                if has_request_context():
                    g.reporting_figures_stale = True  # see ``answered_from_stale_figures``
                return Kept(value, row.computed_at, fresh=False)
        with self.lock:  # figures no stored row matches any more: not kept while the new ones are made
            self.decoded.pop(stored_key, None)
        value = self.compute(key)  # never computed yet (or computed by a release with other fields)
        computed_at = self._store(stored_key, version, value)
        _give_back_freed_memory()
        return Kept(value, computed_at)

    def _decoded(self, stored_key: str, stamp: tuple) -> Any:
        """The stored figures of ``stamp`` (version, computed_at), decoded once per process while they last;
        None if they changed meanwhile."""
        with self.lock:
            found = self.decoded.get(stored_key)
            if found is not None and found[0] == stamp:
                self.decoded.move_to_end(stored_key)
                return found[1]
            if found is not None:  # let go of the old figures before decoding the new: not two copies at once
                del self.decoded[stored_key]
                del found
        body = db.session.scalar(
            select(FIGURES.c.body).where(
                FIGURES.c.kind == self.kind, FIGURES.c.key == stored_key, FIGURES.c.version == stamp[0],
                FIGURES.c.computed_at == stamp[1], FIGURES.c.format == self.format,
            )
        )
        if body is None:
            return None
        value = codec.loads(self.figures, body)
        self._remember(stored_key, stamp, value)
        _give_back_freed_memory()  # what decoding and the figures replaced freed (10 MB for the network's)
        return value

    def _remember(self, stored_key: str, stamp: tuple, value: Any) -> None:
        with self.lock:
            self.decoded[stored_key] = (stamp, value)
            self.decoded.move_to_end(stored_key)
            while len(self.decoded) > KEPT_IN_PROCESS:
                self.decoded.popitem(last=False)

    def _store(self, stored_key: str, version: str, value: Any) -> datetime:
        """Write the figures (and end any claim on them) in the session's transaction."""
        computed_at = utcnow()
        values = {"version": version, "format": self.format, "computed_at": computed_at,
                  "body": codec.dumps(value), "claimed_at": None}
        db.session.execute(
            _insert().values(kind=self.kind, key=stored_key, **values)
            .on_conflict_do_update(index_elements=[FIGURES.c.kind, FIGURES.c.key], set_=values)
        )
        self._remember(stored_key, (version, computed_at), value)
        return computed_at

    def _claim(self, stored_key: str, version: str) -> bool:
        """Whether this process may compute the figures of ``stored_key`` for ``version``: they are not
        current, and no other process is computing them (committed at once, so the others see it)."""
        now = utcnow()
        statement = (
            _insert().values(kind=self.kind, key=stored_key, claimed_at=now)
            .on_conflict_do_update(
                index_elements=[FIGURES.c.kind, FIGURES.c.key],
                set_={"claimed_at": now},
                where=or_(FIGURES.c.claimed_at.is_(None), FIGURES.c.claimed_at < now - timedelta(seconds=CLAIM_SECONDS))
                & or_(FIGURES.c.version.is_(None), FIGURES.c.version != version, FIGURES.c.format != self.format),
            )
            .returning(FIGURES.c.kind)  # a row when inserted or updated (rowcount is not reliable for upserts)
        )
        claimed = db.session.execute(statement).first() is not None
        db.session.commit()
        return claimed

    def schedule(self, key: tuple) -> None:
        self.background.schedule(self, key)

    def _schedule_after_request(self, key: tuple) -> None:
        """``schedule``, once the request has made its answer: the thread's work, in this process, would
        otherwise slow the page it was asked from (the dashboard's page took twice as long)."""
        if not has_request_context():
            return self.schedule(key)

        @after_this_request
        def refresh_once_answered(response):
            self.schedule(key)
            return response

    def wait(self) -> None:
        """Until every scheduled result is computed (tests)."""
        self.background.pending.join()

    def refresh(self, key: tuple) -> bool:
        """Compute and store the figures of ``key``, unless they are current or another process is on them
        (False then, and when computing failed: logged, the next view schedules them again)."""
        stored_key = _stored_key(key)
        try:
            version = _version()  # read first: a change made meanwhile triggers another refresh
            if not self._claim(stored_key, version):
                return False  # current already, or another process is computing them
            self._store(stored_key, version, self.compute(key))
            db.session.commit()
            return True
        except Exception:
            log.exception("Reporting figures could not be refreshed")
            db.session.rollback()
            self._release(stored_key)
            return False
        finally:
            db.session.remove()

    def _release(self, stored_key: str) -> None:
        """End this process's claim, so that another view may retry at once (rather than after CLAIM_SECONDS)."""
        try:
            db.session.execute(update(FIGURES).where(FIGURES.c.kind == self.kind, FIGURES.c.key == stored_key)
                               .values(claimed_at=None))
            db.session.commit()
        except Exception:  # the database itself failed: the claim expires
            log.exception("A claim on reporting figures could not be released")


class Background:
    """The one thread of a process (per app) that refreshes figures of every kind, one at a time.

    One thread, not one per kind: glibc gives each thread that allocates its own malloc arena, and what
    an arena once held tends to stay resident.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()
        self.pending: queue.Queue = queue.Queue()
        self.queued: set[tuple] = set()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def schedule(self, keeper: Refresher, key: tuple) -> None:
        job = (keeper.kind, key)
        with self.lock:
            if job in self.queued:
                return
            self.queued.add(job)
        self._ensure_running()
        self.pending.put((keeper, key))

    def _ensure_running(self) -> None:
        with self.lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker starts its own thread
            self._thread = threading.Thread(target=self._run, name="reporting-refresher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            keeper, key = self.pending.get()
            try:
                with self.app.app_context():
                    keeper.refresh(key)
                _give_back_freed_memory()
            finally:
                with self.lock:
                    self.queued.discard((keeper.kind, key))
                self.pending.task_done()


def _give_back_freed_memory() -> None:
    """Return to the system what computing or decoding figures allocated and freed (a few ms): glibc keeps
    it for the process otherwise (about 50 MB stayed resident after computing the network's dashboard at
    100 000 items, 10 MB after decoding it)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    """glibc, when this process runs on it (``malloc_trim``); None elsewhere (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


def _insert():
    """An INSERT that can say ON CONFLICT, in the database's dialect (SQLite or PostgreSQL)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(FIGURES)


def refresher(kind: str, compute: Callable[[tuple], Any], figures: type) -> Refresher:
    """This app's refresher of ``kind`` (one per app and kind, all sharing the app's ``Background`` thread)."""
    found = current_app.extensions.setdefault(EXTENSION, {})
    if kind not in found:
        background = next((keeper.background for keeper in found.values()), None)
        found[kind] = Refresher(background or Background(current_app._get_current_object()), kind, compute, figures)
    return found[kind]
