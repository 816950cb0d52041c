"""Dashboards kept up to date outside the visitor's request.

At 100 000 items a dashboard takes one to five seconds of SQL. Each process keeps the dashboards
asked for (``CACHE_SIZE`` of them), each with the ``data_version`` and the day it was computed for.
When a desk opens a dashboard whose data changed since (any commit: a submission, a decision, a
portfolio admission, a reminder) or whose day has passed (items lapse at midnight), it gets the kept
one at once, marked with the moment it was computed, and this process's refresher thread computes
the new one once that answer is made (not meanwhile: it would slow it), which the next view shows.
A dashboard is computed inside a request only when this process has none for its scope yet (a scope
nobody asked for since the process started; ``warm``, called by ``wsgi.py``, prepares this year's
dashboard of every programme and of the network in the background at boot).

Several workers and hosts: each process refreshes what it keeps (the ``data_version`` is read from
the shared database), so every worker catches up with every change without talking to the others.

``REPORTING_REFRESH_IN_BACKGROUND = False`` (the tests' default) recomputes inside the request
instead, as before, so that a test sees its change at once; ``Refresher.wait()`` lets a test that
turns it on wait for the thread.
"""

import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, after_this_request, current_app, g, has_request_context
from flask_babel import force_locale

from portal.catalogue.reporting.cache import CACHE_SIZE, data_version
from portal.extensions import db
from portal.i18n import current_language
from portal.models import utcnow

log = logging.getLogger(__name__)
EXTENSION = "portal.reporting.refresher"


@dataclass(frozen=True)
class Kept:
    value: Any
    version: tuple  # (data_version, day) it was computed for
    computed_at: datetime
    fresh: bool = True  # False: the data changed since; a newer one is being computed


def _version() -> tuple:
    return (data_version(), utcnow().date())


def answered_from_stale_figures() -> bool:
    """Whether this request used kept figures that are being computed again. A page made from them
    must not be kept or given a validator (``portal.views.caching``): the data version it would be
    tagged with is already the new one, so it would outlive the refresh until the next change."""
    return has_request_context() and g.get("reporting_figures_stale", False)


class Refresher:
    """The kept results of one kind (``compute(key)`` makes one, in an app context) and the thread
    that recomputes them when the data moves."""

    def __init__(self, app: Flask, compute: Callable[[tuple], Any]):
        self.app = app
        self.compute = compute
        self.results: OrderedDict[tuple, Kept] = OrderedDict()
        self.lock = threading.Lock()
        self.pending: queue.Queue = queue.Queue()
        self.queued: set[tuple] = set()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def get(self, key: tuple) -> Kept:
        """The result for ``key`` (its language added): current, or the last one while a newer is made."""
        key = (*key, current_language())
        version = _version()
        with self.lock:
            kept = self.results.get(key)
            if kept is not None:
                self.results.move_to_end(key)
        if kept is not None and kept.version == version:
            return kept
        if kept is not None and current_app.config["REPORTING_REFRESH_IN_BACKGROUND"]:
            self._schedule_after_request(key)
            if has_request_context():
                g.reporting_figures_stale = True  # see ``answered_from_stale_figures``
            return Kept(kept.value, kept.version, kept.computed_at, fresh=False)
        return self._install(key, version, self.compute(key))

    def schedule(self, key: tuple) -> None:
        with self.lock:
            if key in self.queued:
                return
            self.queued.add(key)
        self._ensure_running()
        self.pending.put(key)

    def _schedule_after_request(self, key: tuple) -> None:
        """``schedule``, once the request has made its answer: the thread's work, in this process, would
        otherwise slow the page it was asked from (the dashboard's page took twice as long)."""
        if not has_request_context():
            return self.schedule(key)

        @after_this_request
        def refresh(response):
            self.schedule(key)
            return response

    def wait(self) -> None:
        """Until every scheduled result is computed (tests)."""
        self.pending.join()

    def _install(self, key: tuple, version: tuple, value: Any) -> Kept:
        kept = Kept(value, version, utcnow())
        with self.lock:
            self.results[key] = kept
            self.results.move_to_end(key)
            while len(self.results) > CACHE_SIZE:
                self.results.popitem(last=False)
        return kept

    def _ensure_running(self) -> None:
        with self.lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker starts its own thread
            self._thread = threading.Thread(target=self._run, name="reporting-refresher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            key = self.pending.get()
            try:
                with self.app.app_context():
                    self._refresh(key)
            finally:
                with self.lock:
                    self.queued.discard(key)
                self.pending.task_done()

    def _refresh(self, key: tuple) -> None:
        try:
            with force_locale(key[-1]):
                version = _version()  # read first: a change made meanwhile triggers another refresh
                self._install(key, version, self.compute(key))
        except Exception:  # logged; the next view schedules it again
            log.exception("A reporting dashboard could not be refreshed")
        finally:
            db.session.remove()


def refresher(name: str, compute: Callable[[tuple], Any]) -> Refresher:
    """This app's refresher of ``name`` (one per app and kind)."""
    found = current_app.extensions.setdefault(EXTENSION, {})
    if name not in found:
        found[name] = Refresher(current_app._get_current_object(), compute)
    return found[name]
