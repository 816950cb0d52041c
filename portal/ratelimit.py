"""Flask-Limiter's counters in the portal's own database: ``RATELIMIT_STORAGE_URI = "database://"``.

With several gunicorn workers or hosts, the in-memory default counts per worker, so a client gets
each limit once per worker; this storage shares one count between them all without another server
(Redis). Each counted request costs one short transaction of its own (an upsert), outside the
request's transaction, so a refused request (rolled back) still counts. Fixed windows only (the
default ``RATELIMIT_STRATEGY``); ``sessions purge`` deletes the counters of windows that ended.
"""

import time

from limits.storage import Storage
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__
# One statement on SQLite and PostgreSQL: a new window starts when the previous one has ended.
_HIT = text(
    """
    INSERT INTO rate_limits (key, hits, expires_at) VALUES (:key, :amount, :expires_at)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.hits + :amount END,
        expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires_at ELSE rate_limits.expires_at END
    RETURNING hits
    """
)


class DatabaseStorage(Storage):
    """``limits`` storage over ``db``'s engine (the current app's database)."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with db.engine.begin() as connection:
            return connection.scalar(_HIT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now})

    def _live(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(
                select(COUNTERS.c.hits, COUNTERS.c.expires_at).where(COUNTERS.c.key == key,
                                                                     COUNTERS.c.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(COUNTERS))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        with db.engine.begin() as connection:
            return connection.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(COUNTERS).where(COUNTERS.c.key == key))


def purge_expired() -> int:
    """Delete the counters of ended windows (``sessions purge``); how many."""
    return db.session.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= time.time())).rowcount
