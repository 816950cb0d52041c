"""Helpers tests import: the test app's settings, the known password, reference rows, reporting events.

(Fixtures live in ``conftest.py``; tests import plain helpers from here, never from a conftest.)
"""

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from portal.catalogue import reporting
from portal.extensions import db
from portal.models import AuditEvent, Item, Programme, utcnow

PASSWORD = "correct horse battery staple"


def _own_database(url: str | None) -> str | None:
    """``url``, or under pytest-xdist a database of this worker's own beside it, created on first use
    (its role needs CREATEDB): every test empties the tables, which workers sharing one would collide on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = create_engine(named.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}):
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


POSTGRES_URL = _own_database(os.environ.get("PORTAL_TEST_DATABASE_URL"))
# ``PORTAL_SEARCH_BACKEND`` (the app's own setting) names the search backend of every test app, and
# narrows the modules that run on several backends to that one (conftest.py); by default Whoosh.
ASKED_SEARCH_BACKEND = os.environ.get("PORTAL_SEARCH_BACKEND")
DEFAULT_SEARCH_BACKEND = ASKED_SEARCH_BACKEND or "whoosh"


def app_config(tmp_path) -> dict:
    """The settings of a test app whose files live under ``tmp_path`` (PostgreSQL when asked)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'portal.sqlite'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://portal.test",
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # still scrypt, 32 times cheaper
        "SEARCH_SYNC_SECONDS": 0,  # no follower thread: tests that want one start it
        "SEARCH_BACKEND": DEFAULT_SEARCH_BACKEND,
        "REPORTING_REFRESH_IN_BACKGROUND": False,  # a change shows on the next dashboard (tests may turn it on)
    }


def recreate_postgres_schema() -> None:
    """Empty the PostgreSQL test database and build it as ``flask db upgrade`` does (in an app context):
    the models' tables and the full-text search objects, which only the migrations create."""
    db.session.execute(text("DROP SCHEMA public CASCADE"))
    db.session.execute(text("CREATE SCHEMA public"))
    db.session.commit()
    upgrade()


def programme(slug: str) -> Programme:
    return db.session.scalar(db.select(Programme).where(Programme.slug == slug))


def contribute(item: Item, action: str, at: datetime) -> None:
    """An audit event as the submission services write it (what reporting counts), at ``at``."""
    db.session.add(AuditEvent(action=action, item_id=item.id, organisation_id=item.organisation_id, created_at=at))
    db.session.commit()


def this_year(minutes: int = 1) -> datetime:
    """A moment of the current reporting year that is already past."""
    return reporting.reporting_period(reporting.current_year()).start + timedelta(minutes=minutes)


def child_processes(pid: int) -> list[int]:
    """The PIDs of ``pid``'s children (Linux: read from /proc)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return False


def travel(monkeypatch, days: int) -> None:
    """Move every clock of the portal ``days`` ahead (what `faketime` does to a whole server)."""
    later = utcnow() + timedelta(days=days)
    for name, module in list(sys.modules.items()):
        if name.startswith("portal") and getattr(module, "utcnow", None) is utcnow:
            monkeypatch.setattr(module, "utcnow", lambda: later)
