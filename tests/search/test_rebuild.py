"""A rebuild killed with ``kill -9`` leaves no lock behind and no sub-writer alive, and nothing that
looks like a running rebuild can stop the queue from being applied (issue 16.2)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import demo, search
from portal.extensions import db
from portal.models import Item, SearchQueueEntry
from tests.helpers import child_processes, process_alive

pytestmark = pytest.mark.search_backends("whoosh")  # the Whoosh index itself

ROOT = Path(__file__).resolve().parents[2]


def cli_environment(app, **extra) -> dict:
    env = dict(os.environ)
    for key in ("SECRET_KEY", "SEARCH_INDEX_DIR", "UPLOAD_DIR", "BASE_URL"):
        env[f"PORTAL_{key}"] = str(app.config[key])
    env["PORTAL_DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    env.update({f"PORTAL_{key}": str(value) for key, value in extra.items()})
    return env


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from /proc (Linux)")
def test_a_killed_reindex_leaves_no_orphan_and_the_next_one_finishes(app):
    demo.seed_accounts()
    demo.seed_items(3000)
    db.session.commit()
    env = cli_environment(app, SEARCH_REBUILD_PROCS=2)  # what 5,000 items and more get by default
    command = [sys.executable, "-m", "flask", "--app", "portal", "search", "reindex"]
    reindex = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (writers := child_processes(reindex.pid)):
        assert reindex.poll() is None and time.monotonic() < deadline, "the reindex never started its sub-writers"
        time.sleep(0.01)
    reindex.send_signal(signal.SIGKILL)
    reindex.wait()

    deadline = time.monotonic() + 10
    while any(process_alive(pid) for pid in writers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in writers if process_alive(pid)], "sub-writers outlived the killed reindex"
    assert not search.service().store.rebuilding()

    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "Indexed 3000 items" in again.stdout
    assert search.check() == {"missing": [], "stale": [], "extra": [], "duplicates": []}


def test_a_leftover_marker_naming_a_live_process_does_not_stop_the_queue(app, make_item):
    """The rebuild marker used to hold a PID: a dead rebuild's PID given to another process (PID reuse)
    made every drain believe a rebuild ran, and the queue grew for good. Now only a held lock counts."""
    root = Path(app.config["SEARCH_INDEX_DIR"])
    for marker in ("REBUILDING", "rebuild.lock"):
        (root / marker).write_text(str(os.getppid()))  # a live process, not a rebuild
    assert not search.service().store.rebuilding()
    item = make_item(title="Queued while a marker lingers")
    assert search.search(search_filters("lingers")).total == 1
    assert db.session.scalar(select(func.count(SearchQueueEntry.id))) == 0  # applied by every host, pruned
    assert db.session.get(Item, item.id) is not None


def search_filters(q: str):
    from werkzeug.datastructures import MultiDict

    from portal.catalogue.filters import parse_filters

    return parse_filters(MultiDict({"q": q}))
